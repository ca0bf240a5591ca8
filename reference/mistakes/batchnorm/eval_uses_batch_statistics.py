"""Evaluation mode normalises with the statistics of the current batch instead of the running statistics.

Fix: When training is False, normalise with running_mean and running_var, which summarise the training batches.
"""

import numpy as np


class BatchNorm1d:
    def forward(self, x):
        if not self.training:
            x_hat = (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + self.eps)
            return self.gamma * x_hat + self.beta

        n = x.shape[0]
        mu = np.mean(x, axis=0)
        xc = x - mu
        var = np.mean(xc ** 2, axis=0)
        std = np.sqrt(var + self.eps)
        x_hat = xc / std
        out = self.gamma * x_hat + self.beta

        unbiased_var = var * n / (n - 1)
        self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * mu
        self.running_var = (1 - self.momentum) * self.running_var + self.momentum * unbiased_var

        self.cache = (xc, std, x_hat, self.gamma)
        return out

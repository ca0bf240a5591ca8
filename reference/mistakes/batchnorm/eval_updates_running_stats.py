"""The running statistics are updated on every forward, in evaluation mode too, so evaluating the model changes it.

Fix: Update running_mean and running_var only when training is True; evaluation mode must leave every attribute unchanged.
"""

import numpy as np


class BatchNorm1d:
    def forward(self, x):
        n = x.shape[0]
        mu = np.mean(x, axis=0)
        xc = x - mu
        var = np.mean(xc ** 2, axis=0)
        if not self.training:
            self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * mu
            unbiased_var = var * n / (n - 1)
            self.running_var = (1 - self.momentum) * self.running_var + self.momentum * unbiased_var
            x_hat = (x - self.running_mean) / np.sqrt(self.running_var + self.eps)
            return self.gamma * x_hat + self.beta
        std = np.sqrt(var + self.eps)
        x_hat = xc / std
        out = self.gamma * x_hat + self.beta

        unbiased_var = var * n / (n - 1)
        self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * mu
        self.running_var = (1 - self.momentum) * self.running_var + self.momentum * unbiased_var

        self.cache = (xc, std, x_hat, self.gamma)
        return out

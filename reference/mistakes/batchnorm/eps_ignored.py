"""The variance is used without adding eps before the square root.

Fix: Divide by sqrt(var + eps) with the layer's eps, in training and in evaluation mode.
"""

import numpy as np


class BatchNorm1d:
    def forward(self, x):
        if not self.training:
            x_hat = (x - self.running_mean) / np.sqrt(self.running_var)
            return self.gamma * x_hat + self.beta

        n = x.shape[0]
        mu = np.mean(x, axis=0)
        xc = x - mu
        var = np.mean(xc ** 2, axis=0)
        std = np.sqrt(var)
        x_hat = xc / std
        out = self.gamma * x_hat + self.beta

        unbiased_var = var * n / (n - 1)
        self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * mu
        self.running_var = (1 - self.momentum) * self.running_var + self.momentum * unbiased_var

        self.cache = (xc, std, x_hat, self.gamma)
        return out

"""The forward pass uses a hard-coded eps of 1e-5 instead of the eps the layer was constructed with.

Fix: Use self.eps, the value passed to the constructor, wherever eps is added.
"""

import numpy as np


class BatchNorm1d:
    def forward(self, x):
        if not self.training:
            x_hat = (x - self.running_mean) / np.sqrt(self.running_var + 1e-5)
            return self.gamma * x_hat + self.beta

        n = x.shape[0]
        mu = np.mean(x, axis=0)
        xc = x - mu
        var = np.mean(xc ** 2, axis=0)
        std = np.sqrt(var + 1e-5)
        x_hat = xc / std
        out = self.gamma * x_hat + self.beta

        unbiased_var = var * n / (n - 1)
        self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * mu
        self.running_var = (1 - self.momentum) * self.running_var + self.momentum * unbiased_var

        self.cache = (xc, std, x_hat, self.gamma)
        return out

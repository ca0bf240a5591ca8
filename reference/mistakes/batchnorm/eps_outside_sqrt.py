"""eps is added to the standard deviation, but it belongs inside the square root, added to the variance.

Fix: Divide by sqrt(var + eps), in training and in evaluation mode, not by sqrt(var) + eps.
"""

import numpy as np


class BatchNorm1d:
    def forward(self, x):
        if not self.training:
            x_hat = (x - self.running_mean) / (np.sqrt(self.running_var) + self.eps)
            return self.gamma * x_hat + self.beta

        n = x.shape[0]
        mu = np.mean(x, axis=0)
        xc = x - mu
        var = np.mean(xc ** 2, axis=0)
        std = np.sqrt(var) + self.eps
        x_hat = xc / std
        out = self.gamma * x_hat + self.beta

        unbiased_var = var * n / (n - 1)
        self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * mu
        self.running_var = (1 - self.momentum) * self.running_var + self.momentum * unbiased_var

        self.cache = (xc, std, x_hat, self.gamma)
        return out

    def backward(self, dout):
        xc, std, x_hat, gamma = self.cache
        var = np.mean(xc ** 2, axis=0)
        n = dout.shape[0]

        self.dbeta = np.sum(dout, axis=0)
        self.dgamma = np.sum(dout * x_hat, axis=0)
        dx_hat = dout * gamma

        dxc = dx_hat / std
        dstd = -np.sum(dx_hat * xc, axis=0) / std ** 2
        dvar = dstd / (2 * np.sqrt(var))
        dxc = dxc + 2 * xc * dvar / n
        dmu = -np.sum(dxc, axis=0)
        dx = dxc + dmu / n
        return dx

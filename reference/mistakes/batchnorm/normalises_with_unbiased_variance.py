"""The batch is normalised with the unbiased variance (divided by N - 1), but training mode normalises with the biased variance (divided by N).

Fix: Normalise with the mean of (x - mean)**2, dividing by N; the unbiased variance is used only to update running_var.
"""

import numpy as np


class BatchNorm1d:
    def forward(self, x):
        if not self.training:
            x_hat = (x - self.running_mean) / np.sqrt(self.running_var + self.eps)
            return self.gamma * x_hat + self.beta

        n = x.shape[0]
        mu = np.mean(x, axis=0)
        xc = x - mu
        var = np.sum(xc ** 2, axis=0) / (n - 1)
        std = np.sqrt(var + self.eps)
        x_hat = xc / std
        out = self.gamma * x_hat + self.beta

        unbiased_var = var
        self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * mu
        self.running_var = (1 - self.momentum) * self.running_var + self.momentum * unbiased_var

        self.cache = (xc, std, x_hat, self.gamma)
        return out

    def backward(self, dout):
        xc, std, x_hat, gamma = self.cache
        n = dout.shape[0]

        self.dbeta = np.sum(dout, axis=0)
        self.dgamma = np.sum(dout * x_hat, axis=0)
        dx_hat = dout * gamma

        dxc = dx_hat / std
        dstd = -np.sum(dx_hat * xc, axis=0) / std ** 2
        dvar = dstd / (2 * std)
        dxc = dxc + 2 * xc * dvar / (n - 1)
        dmu = -np.sum(dxc, axis=0)
        dx = dxc + dmu / n
        return dx

"""The backward pass goes through the batch mean but treats the batch variance as a constant.

Fix: Add the gradient through var = mean((x - mu)**2): dvar = -sum(dx_hat * xc) / (2 * std**3), which contributes 2 * xc * dvar / N to dx.
"""
import numpy as np


class BatchNorm1d:
    def __init__(self, num_features, eps=1e-5, momentum=0.1):
        self.gamma = np.ones(num_features)
        self.beta = np.zeros(num_features)
        self.running_mean = np.zeros(num_features)
        self.running_var = np.ones(num_features)
        self.training = True
        self.eps = eps
        self.momentum = momentum
        self.cache = None

    def train(self):
        self.training = True

    def eval(self):
        self.training = False

    def forward(self, x):
        if not self.training:
            x_hat = (x - self.running_mean) / np.sqrt(self.running_var + self.eps)
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

    def backward(self, dout):
        xc, std, x_hat, gamma = self.cache
        n = dout.shape[0]

        self.dbeta = np.sum(dout, axis=0)
        self.dgamma = np.sum(dout * x_hat, axis=0)
        dx_hat = dout * gamma

        dxc = dx_hat / std
        dstd = -np.sum(dx_hat * xc, axis=0) / std ** 2
        dvar = dstd / (2 * std)
        dmu = -np.sum(dxc, axis=0)
        dx = dxc + dmu / n
        return dx

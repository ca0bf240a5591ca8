"""Computes everything in float32 (parameters and running statistics too) and returns float64."""
import numpy as np


class BatchNorm1d:
    def __init__(self, num_features, eps=1e-5, momentum=0.1):
        self.gamma = np.ones(num_features, dtype=np.float32)
        self.beta = np.zeros(num_features, dtype=np.float32)
        self.running_mean = np.zeros(num_features, dtype=np.float32)
        self.running_var = np.ones(num_features, dtype=np.float32)
        self.training = True
        self.eps = eps
        self.momentum = momentum

    def train(self):
        self.training = True

    def eval(self):
        self.training = False

    def forward(self, x):
        x = x.astype(np.float32)
        gamma = np.asarray(self.gamma, dtype=np.float32)
        beta = np.asarray(self.beta, dtype=np.float32)
        eps, m = np.float32(self.eps), np.float32(self.momentum)
        if not self.training:
            rm = self.running_mean.astype(np.float32)
            rv = self.running_var.astype(np.float32)
            return (gamma * (x - rm) / np.sqrt(rv + eps) + beta).astype(np.float64)
        n = x.shape[0]
        mu = x.mean(axis=0)
        xc = x - mu
        var = (xc * xc).mean(axis=0)
        std = np.sqrt(var + eps)
        x_hat = xc / std
        self.running_mean = ((1 - m) * self.running_mean + m * mu).astype(np.float32)
        unbiased = var * np.float32(n / (n - 1))
        self.running_var = ((1 - m) * self.running_var + m * unbiased).astype(np.float32)
        self.cache = (x_hat, std, gamma)
        return (gamma * x_hat + beta).astype(np.float64)

    def backward(self, dout):
        x_hat, std, gamma = self.cache
        dout = dout.astype(np.float32)
        n = np.float32(dout.shape[0])
        dbeta = dout.sum(axis=0)
        dgamma = (dout * x_hat).sum(axis=0)
        dx = gamma / (n * std) * (n * dout - dbeta - x_hat * dgamma)
        self.dgamma = dgamma.astype(np.float64)
        self.dbeta = dbeta.astype(np.float64)
        return dx.astype(np.float64)

"""Normalises and differentiates one feature (column) at a time with explicit Python loops."""
import math

import numpy as np


class BatchNorm1d:
    def __init__(self, num_features, eps=1e-5, momentum=0.1):
        self.num_features = num_features
        self.gamma = np.ones(num_features)
        self.beta = np.zeros(num_features)
        self.running_mean = np.zeros(num_features)
        self.running_var = np.ones(num_features)
        self.training = True
        self.eps = eps
        self.momentum = momentum

    def train(self):
        self.training = True

    def eval(self):
        self.training = False

    def forward(self, x):
        n, d = x.shape
        out = np.empty((n, d))
        if not self.training:
            for j in range(d):
                std = math.sqrt(self.running_var[j] + self.eps)
                for i in range(n):
                    out[i, j] = self.gamma[j] * (x[i, j] - self.running_mean[j]) / std + self.beta[j]
            return out
        x_hat = np.empty((n, d))
        stds = np.empty(d)
        new_mean, new_var = np.empty(d), np.empty(d)
        for j in range(d):
            mean = sum(x[i, j] for i in range(n)) / n
            sq = sum((x[i, j] - mean) ** 2 for i in range(n))
            std = math.sqrt(sq / n + self.eps)
            stds[j] = std
            for i in range(n):
                x_hat[i, j] = (x[i, j] - mean) / std
                out[i, j] = self.gamma[j] * x_hat[i, j] + self.beta[j]
            new_mean[j] = (1 - self.momentum) * self.running_mean[j] + self.momentum * mean
            new_var[j] = (1 - self.momentum) * self.running_var[j] + self.momentum * sq / (n - 1)
        self.running_mean, self.running_var = new_mean, new_var
        self.cache = (x_hat, stds, np.array(self.gamma))
        return out

    def backward(self, dout):
        x_hat, stds, gamma = self.cache
        n, d = dout.shape
        dx = np.empty((n, d))
        self.dgamma, self.dbeta = np.empty(d), np.empty(d)
        for j in range(d):
            sum_d = 0.0
            sum_dx = 0.0
            for i in range(n):
                sum_d += dout[i, j]
                sum_dx += dout[i, j] * x_hat[i, j]
            self.dbeta[j] = sum_d
            self.dgamma[j] = sum_dx
            for i in range(n):
                dx[i, j] = gamma[j] / (n * stds[j]) * (n * dout[i, j] - sum_d - x_hat[i, j] * sum_dx)
        return dx

"""Updates the running statistics in place (*= and +=) and uses np.var with ddof."""
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

    def train(self):
        self.training = True
        return self

    def eval(self):
        self.training = False
        return self

    def forward(self, x):
        if self.training:
            mu = np.mean(x, axis=0)
            var = np.var(x, axis=0)
            self.running_mean *= 1 - self.momentum
            self.running_mean += self.momentum * mu
            self.running_var *= 1 - self.momentum
            self.running_var += self.momentum * np.var(x, axis=0, ddof=1)
        else:
            mu, var = self.running_mean, self.running_var
        std = np.sqrt(var + self.eps)
        x_hat = (x - mu) / std
        if self.training:
            self._x_hat, self._std, self._gamma = x_hat, std, self.gamma
        return self.gamma * x_hat + self.beta

    def backward(self, dout):
        self.dbeta = np.sum(dout, axis=0)
        self.dgamma = np.sum(dout * self._x_hat, axis=0)
        dx_hat = dout * self._gamma
        mean_dx_hat = dx_hat.mean(axis=0)
        mean_dx_hat_x_hat = (dx_hat * self._x_hat).mean(axis=0)
        dx = (dx_hat - mean_dx_hat - self._x_hat * mean_dx_hat_x_hat) / self._std
        return dx

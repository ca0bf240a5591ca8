"""Keeps the forward intermediates in a dict and backpropagates node by node from it."""
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
        self.cache = {}

    def train(self):
        self.training = True

    def eval(self):
        self.training = False

    def forward(self, x):
        if self.training:
            mean = np.sum(x, axis=0) / len(x)
            diff = x - mean
            sq = diff ** 2
            var = np.sum(sq, axis=0) / len(x)
            sqrtvar = np.sqrt(var + self.eps)
            ivar = 1.0 / sqrtvar
            x_hat = diff * ivar
            self.cache = {"diff": diff, "ivar": ivar, "sqrtvar": sqrtvar, "var": var,
                          "x_hat": x_hat, "gamma": self.gamma}
            self.running_mean = self.momentum * mean + (1 - self.momentum) * self.running_mean
            unbiased = np.sum(sq, axis=0) / (len(x) - 1)
            self.running_var = self.momentum * unbiased + (1 - self.momentum) * self.running_var
        else:
            x_hat = (x - self.running_mean) / np.sqrt(self.running_var + self.eps)
        return x_hat * self.gamma + self.beta

    def backward(self, dout):
        c = self.cache
        n = dout.shape[0]
        self.dbeta = dout.sum(axis=0)
        self.dgamma = np.sum(dout * c["x_hat"], axis=0)
        dx_hat = dout * c["gamma"]
        divar = np.sum(dx_hat * c["diff"], axis=0)
        ddiff1 = dx_hat * c["ivar"]
        dsqrtvar = -divar / c["sqrtvar"] ** 2
        dvar = 0.5 * dsqrtvar / np.sqrt(c["var"] + self.eps)
        dsq = np.ones_like(dout) * dvar / n
        ddiff2 = 2 * c["diff"] * dsq
        dx1 = ddiff1 + ddiff2
        dmean = -np.sum(dx1, axis=0)
        dx2 = np.ones_like(dout) * dmean / n
        return dx1 + dx2

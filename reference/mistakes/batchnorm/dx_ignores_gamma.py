"""The backward pass starts from dout instead of dout * gamma, forgetting that out = gamma * x_hat + beta.

Fix: The gradient that reaches x_hat is the upstream gradient scaled by gamma, feature by feature: backpropagate that scaled gradient through the normalisation, not dout itself.
"""

import numpy as np


class BatchNorm1d:
    def backward(self, dout):
        xc, std, x_hat, gamma = self.cache
        n = dout.shape[0]

        self.dbeta = np.sum(dout, axis=0)
        self.dgamma = np.sum(dout * x_hat, axis=0)
        dx_hat = dout

        dxc = dx_hat / std
        dstd = -np.sum(dx_hat * xc, axis=0) / std ** 2
        dvar = dstd / (2 * std)
        dxc = dxc + 2 * xc * dvar / n
        dmu = -np.sum(dxc, axis=0)
        dx = dxc + dmu / n
        return dx

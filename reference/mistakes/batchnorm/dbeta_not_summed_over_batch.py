"""dbeta is set to dout itself, but beta is shared by every sample, so its gradient sums dout over the batch.

Fix: Use dbeta = dout.sum(axis=0), an array of shape (D,).
"""

import numpy as np


class BatchNorm1d:
    def backward(self, dout):
        xc, std, x_hat, gamma = self.cache
        n = dout.shape[0]

        self.dbeta = dout
        self.dgamma = np.sum(dout * x_hat, axis=0)
        dx_hat = dout * gamma

        dxc = dx_hat / std
        dstd = -np.sum(dx_hat * xc, axis=0) / std ** 2
        dvar = dstd / (2 * std)
        dxc = dxc + 2 * xc * dvar / n
        dmu = -np.sum(dxc, axis=0)
        dx = dxc + dmu / n
        return dx

"""Batch normalisation over (N, D) inputs, with running statistics, in NumPy.

Semantics match ``torch.nn.BatchNorm1d``. In training mode every feature (column) is
normalised with the mean and the biased variance (divide by N) of the batch, and the
running statistics move towards the batch statistics; the running variance takes the
unbiased variance (divide by N - 1). In evaluation mode the running statistics normalise
and nothing is updated.

``forward`` keeps what ``backward`` needs in ``self.cache``; the backward pass walks the
computational graph of the forward pass in reverse, one node per line.
"""
import numpy as np


class BatchNorm1d:
    """Batch normalisation of D features with learnable scale ``gamma`` and shift ``beta``.

    Attributes:
    - gamma: (D,) scale, initialised to ones
    - beta: (D,) shift, initialised to zeros
    - running_mean: (D,) running mean of the batches, initialised to zeros
    - running_var: (D,) running unbiased variance of the batches, initialised to ones
    - training: bool, True in training mode (the initial mode), False in evaluation mode
    - eps: float added to the variance before the square root
    - momentum: float, weight of the newest batch in the running statistics
    - dgamma, dbeta: (D,) gradients set by ``backward``
    """

    def __init__(self, num_features, eps=1e-5, momentum=0.1):
        """Inputs:
        - num_features: D, the number of features (columns) of the inputs
        - eps: float added to the variance before the square root
        - momentum: float in [0, 1], weight of the newest batch in the running statistics
        """
        self.gamma = np.ones(num_features)
        self.beta = np.zeros(num_features)
        self.running_mean = np.zeros(num_features)
        self.running_var = np.ones(num_features)
        self.training = True
        self.eps = eps
        self.momentum = momentum
        self.cache = None

    def train(self):
        """Switch to training mode: normalise with batch statistics and update running ones."""
        self.training = True

    def eval(self):
        """Switch to evaluation mode: normalise with the running statistics, update nothing."""
        self.training = False

    def forward(self, x):
        """Normalise every feature of ``x``, then scale by ``gamma`` and shift by ``beta``.

        Inputs:
        - x: (N, D) batch of N samples of D features (N >= 2 in training mode)

        Returns:
        - out: (N, D), ``gamma * (x - mean) / sqrt(var + eps) + beta``, where (mean, var)
          are the batch mean and biased variance in training mode and the running
          statistics in evaluation mode
        """
        if not self.training:
            x_hat = (x - self.running_mean) / np.sqrt(self.running_var + self.eps)
            return self.gamma * x_hat + self.beta

        n = x.shape[0]
        mu = np.mean(x, axis=0)                  # (D,) batch mean
        xc = x - mu                              # (N, D) centred inputs
        var = np.mean(xc ** 2, axis=0)           # (D,) biased variance: divide by N
        std = np.sqrt(var + self.eps)            # (D,)
        x_hat = xc / std                         # (N, D) zero mean, unit variance
        out = self.gamma * x_hat + self.beta     # (N, D)

        unbiased_var = var * n / (n - 1)         # divide by N - 1 for the running estimate
        self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * mu
        self.running_var = (1 - self.momentum) * self.running_var + self.momentum * unbiased_var

        self.cache = (xc, std, x_hat, self.gamma)
        return out

    def backward(self, dout):
        """Gradients of the loss through the last training-mode ``forward``.

        Inputs:
        - dout: (N, D) gradient of the loss with respect to ``out``

        Returns:
        - dx: (N, D) gradient with respect to ``x``, through the batch mean and variance;
          also sets ``self.dgamma`` (D,) and ``self.dbeta`` (D,)
        """
        xc, std, x_hat, gamma = self.cache
        n = dout.shape[0]

        self.dbeta = np.sum(dout, axis=0)                # out = gamma * x_hat + beta
        self.dgamma = np.sum(dout * x_hat, axis=0)       # out = gamma * x_hat + beta
        dx_hat = dout * gamma                            # out = gamma * x_hat + beta

        dxc = dx_hat / std                               # x_hat = xc / std
        dstd = -np.sum(dx_hat * xc, axis=0) / std ** 2   # x_hat = xc / std
        dvar = dstd / (2 * std)                          # std = sqrt(var + eps)
        dxc = dxc + 2 * xc * dvar / n                    # var = mean(xc ** 2)
        dmu = -np.sum(dxc, axis=0)                       # xc = x - mu
        dx = dxc + dmu / n                               # xc = x - mu, mu = mean(x)
        return dx

# %% [markdown]
# # Batch normalisation with running statistics
#
# Implement the class `BatchNorm1d` below with NumPy only (no torch, scipy, sklearn or jax).
# It must behave like `torch.nn.BatchNorm1d` on inputs of shape (N, D):
#
# - **training mode** (the initial mode, and after `train()`): normalise every feature with
#   the batch mean and the *biased* batch variance (divide by N),
#   `out = gamma * (x - mean) / sqrt(var + eps) + beta`, then move the running statistics
#   towards the batch: `running = (1 - momentum) * running + momentum * batch_statistic`,
#   where `running_var` takes the *unbiased* variance (divide by N - 1);
# - **evaluation mode** (after `eval()`): normalise with `running_mean` and `running_var`
#   and update nothing;
# - `backward(dout)`, after a training-mode forward, returns `dx` through the batch mean and
#   variance, and sets `self.dgamma` and `self.dbeta`.
#
# Do not modify the arrays you are given. Check your work before you submit:
# `grader check -a batchnorm batchnorm.py` (or this notebook).

# %%
import numpy as np


# %%
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
        raise NotImplementedError("BatchNorm1d.__init__: write your implementation here")

    def train(self):
        """Switch to training mode: normalise with batch statistics and update running ones."""
        raise NotImplementedError("BatchNorm1d.train: write your implementation here")

    def eval(self):
        """Switch to evaluation mode: normalise with the running statistics, update nothing."""
        raise NotImplementedError("BatchNorm1d.eval: write your implementation here")

    def forward(self, x):
        """Normalise every feature of ``x``, then scale by ``gamma`` and shift by ``beta``.

        Inputs:
        - x: (N, D) batch of N samples of D features (N >= 2 in training mode)

        Returns:
        - out: (N, D), ``gamma * (x - mean) / sqrt(var + eps) + beta``, where (mean, var)
          are the batch mean and biased variance in training mode and the running
          statistics in evaluation mode
        """
        raise NotImplementedError("BatchNorm1d.forward: write your implementation here")

    def backward(self, dout):
        """Gradients of the loss through the last training-mode ``forward``.

        Inputs:
        - dout: (N, D) gradient of the loss with respect to ``out``

        Returns:
        - dx: (N, D) gradient with respect to ``x``, through the batch mean and variance;
          also sets ``self.dgamma`` (D,) and ``self.dbeta`` (D,)
        """
        raise NotImplementedError("BatchNorm1d.backward: write your implementation here")

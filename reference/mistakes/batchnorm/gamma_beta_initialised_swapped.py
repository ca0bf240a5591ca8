"""gamma starts at zeros and beta at ones, so the layer initially outputs a constant.

Fix: Initialise gamma (the scale) with ones and beta (the shift) with zeros, so the layer starts as a plain normalisation.
"""

import numpy as np


class BatchNorm1d:
    def __init__(self, num_features, eps=1e-5, momentum=0.1):
        self.gamma = np.zeros(num_features)
        self.beta = np.ones(num_features)
        self.running_mean = np.zeros(num_features)
        self.running_var = np.ones(num_features)
        self.training = True
        self.eps = eps
        self.momentum = momentum
        self.cache = None

"""running_var starts at zeros, but it starts at ones (a unit variance before any batch is seen).

Fix: Initialise running_var with np.ones(num_features).
"""

import numpy as np


class BatchNorm1d:
    def __init__(self, num_features, eps=1e-5, momentum=0.1):
        self.gamma = np.ones(num_features)
        self.beta = np.zeros(num_features)
        self.running_mean = np.zeros(num_features)
        self.running_var = np.zeros(num_features)
        self.training = True
        self.eps = eps
        self.momentum = momentum
        self.cache = None

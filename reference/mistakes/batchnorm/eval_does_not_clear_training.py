"""eval() compares the training flag with False (==) instead of assigning it, so the layer stays in training mode.

Fix: eval() must assign False to the training flag (one equals sign); a comparison (==) computes True or False and throws it away.
"""


class BatchNorm1d:
    def eval(self):
        self.training == False

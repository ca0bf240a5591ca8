"""cross_entropy takes np.log of softmax, which is log(0) = -inf (an infinite loss) when the true class is far behind the best one.

Fix: Use log_softmax (log-sum-exp in log space) instead of np.log(softmax(...)).
"""

import numpy as np


def cross_entropy(logits, labels):
    log_p = np.log(softmax(logits, axis=1))
    n = logits.shape[0]
    return float(-np.mean(log_p[np.arange(n), labels]))

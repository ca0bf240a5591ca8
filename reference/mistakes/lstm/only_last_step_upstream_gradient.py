"""The backward pass through time only uses the upstream gradient of the last hidden state, as if the loss depended on h[:, T - 1] alone.

Fix: dh holds an upstream gradient for every hidden state: add dh[:, t] to the gradient flowing back into step t.
"""

import numpy as np


def lstm_backward(dh, cache):
    step_caches = cache
    N, T, H = dh.shape
    D = step_caches[0][0].shape[1]                       # x of step 0 is (N, D)
    dx = np.zeros((N, T, D))
    dWx, dWh, db = np.zeros((D, 4 * H)), np.zeros((H, 4 * H)), np.zeros(4 * H)
    dprev_h, dprev_c = dh[:, T - 1], np.zeros((N, H))
    for t in reversed(range(T)):
        dnext_h = dprev_h                                # flows back from the last step
        dx[:, t], dprev_h, dprev_c, dWx_t, dWh_t, db_t = lstm_step_backward(
            dnext_h, dprev_c, step_caches[t])
        dWx += dWx_t                                     # the same weights serve every step
        dWh += dWh_t
        db += db_t
    return dx, dprev_h, dWx, dWh, db

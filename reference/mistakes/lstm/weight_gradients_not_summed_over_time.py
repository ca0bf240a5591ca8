"""The gradients of Wx, Wh and b are overwritten at each time step instead of summed, so only one step's contribution remains.

Fix: The same weights are used at every step: start dWx, dWh and db at zero and add each step's gradient.
"""

import numpy as np


def lstm_backward(dh, cache):
    step_caches = cache
    N, T, H = dh.shape
    D = step_caches[0][0].shape[1]                       # x of step 0 is (N, D)
    dx = np.zeros((N, T, D))
    dWx, dWh, db = np.zeros((D, 4 * H)), np.zeros((H, 4 * H)), np.zeros(4 * H)
    dprev_h, dprev_c = np.zeros((N, H)), np.zeros((N, H))
    for t in reversed(range(T)):
        dnext_h = dh[:, t] + dprev_h                     # h[:, t] feeds the output and step t + 1
        dx[:, t], dprev_h, dprev_c, dWx_t, dWh_t, db_t = lstm_step_backward(
            dnext_h, dprev_c, step_caches[t])
        dWx = dWx_t                                     # the same weights serve every step
        dWh = dWh_t
        db = db_t
    return dx, dprev_h, dWx, dWh, db

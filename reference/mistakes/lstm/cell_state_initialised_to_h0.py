"""The initial cell state is set to h0, but the contract starts the cell state at zero.

Fix: Start the sequence with prev_c = np.zeros((N, H)); only the hidden state starts at h0.
"""

import numpy as np


def lstm_forward(x, h0, Wx, Wh, b):
    N, T, _ = x.shape
    H = h0.shape[1]
    h = np.zeros((N, T, H))
    prev_h, prev_c = h0, h0
    step_caches = []
    for t in range(T):
        prev_h, prev_c, step_cache = lstm_step_forward(x[:, t], prev_h, prev_c, Wx, Wh, b)
        h[:, t] = prev_h
        step_caches.append(step_cache)
    return h, step_caches

"""The query tensor is divided by sqrt(d) in place, which changes the caller's q.

Fix: compute the scaled scores into a new tensor (q @ k^T / math.sqrt(d)) and never modify an input.
"""

import math
import torch


def scaled_dot_product_attention(q, k, v, mask=None):
    d = q.shape[-1]
    q /= math.sqrt(d)
    scores = q @ k.transpose(-2, -1)  # (..., Lq, Lk)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))  # exp(-inf) == 0 exactly
    attn = torch.softmax(scores, dim=-1)  # normalise over the keys
    out = attn @ v  # (..., Lq, dv)
    return out, attn

"""The softmax normalises over the queries (dim -2) instead of over the keys.

Fix: apply the softmax along the last dimension, so that each query's weights over the keys sum to one.
"""

import math
import torch


def scaled_dot_product_attention(q, k, v, mask=None):
    d = q.shape[-1]
    scores = q @ k.transpose(-2, -1) / math.sqrt(d)  # (..., Lq, Lk)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))  # exp(-inf) == 0 exactly
    attn = torch.softmax(scores, dim=-2)  # normalise over the keys
    out = attn @ v  # (..., Lq, dv)
    return out, attn

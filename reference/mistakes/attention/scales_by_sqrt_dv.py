"""The scores are scaled by the square root of the value dimension dv instead of the query/key dimension d.

Fix: take d from q.shape[-1] (the dimension of the dot products), not from v.shape[-1].
"""

import math
import torch


def scaled_dot_product_attention(q, k, v, mask=None):
    d = v.shape[-1]
    scores = q @ k.transpose(-2, -1) / math.sqrt(d)  # (..., Lq, Lk)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))  # exp(-inf) == 0 exactly
    attn = torch.softmax(scores, dim=-1)  # normalise over the keys
    out = attn @ v  # (..., Lq, dv)
    return out, attn

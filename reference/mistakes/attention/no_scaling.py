"""The scores q @ k^T are used without dividing by sqrt(d).

Fix: divide the dot products by math.sqrt(d) before the softmax.
"""

import torch


def scaled_dot_product_attention(q, k, v, mask=None):
    d = q.shape[-1]
    scores = q @ k.transpose(-2, -1)  # (..., Lq, Lk)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))  # exp(-inf) == 0 exactly
    attn = torch.softmax(scores, dim=-1)  # normalise over the keys
    out = attn @ v  # (..., Lq, dv)
    return out, attn

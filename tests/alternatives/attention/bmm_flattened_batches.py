"""Batch dimensions flattened to one so torch.baddbmm/bmm do the products; masks filled with the dtype's most negative value."""
import math

import torch


def scaled_dot_product_attention(q, k, v, mask=None):
    lead = q.shape[:-2]
    lq, d = q.shape[-2:]
    lk, dv = v.shape[-2:]
    q3, k3, v3 = q.reshape(-1, lq, d), k.reshape(-1, lk, d), v.reshape(-1, lk, dv)
    zeros = torch.zeros(q3.shape[0], lq, lk, dtype=q.dtype)
    scores = torch.baddbmm(zeros, q3, k3.transpose(1, 2), beta=0.0, alpha=1.0 / math.sqrt(d))
    if mask is not None:
        mask3 = mask.expand(*lead, lq, lk).reshape(-1, lq, lk)
        scores = scores.masked_fill(~mask3, torch.finfo(scores.dtype).min)
    attn = torch.softmax(scores, dim=-1)
    out = torch.bmm(attn, v3)
    return out.reshape(*lead, lq, dv), attn.reshape(*lead, lq, lk)


def causal_mask(L):
    return ~torch.ones(L, L, dtype=torch.bool).triu(diagonal=1)


class MultiHeadAttention(torch.nn.Module):
    def __init__(self, embed_dim, num_heads, bias=True):
        super().__init__()
        assert embed_dim % num_heads == 0
        self.embed_dim = embed_dim
        self.num_heads = num_heads
        self.head_dim = embed_dim // num_heads
        for name in ("q_proj", "k_proj", "v_proj", "out_proj"):
            setattr(self, name, torch.nn.Linear(embed_dim, embed_dim, bias=bias))

    def forward(self, query, key, value, mask=None):
        n, lq, _ = query.shape
        lk = key.shape[1]
        q = torch.nn.functional.linear(query, self.q_proj.weight, self.q_proj.bias)
        k = torch.nn.functional.linear(key, self.k_proj.weight, self.k_proj.bias)
        v = torch.nn.functional.linear(value, self.v_proj.weight, self.v_proj.bias)
        q = q.view(n, lq, self.num_heads, self.head_dim).transpose(1, 2)
        k = k.view(n, lk, self.num_heads, self.head_dim).transpose(1, 2)
        v = v.view(n, lk, self.num_heads, self.head_dim).transpose(1, 2)
        heads, attn = scaled_dot_product_attention(q, k, v, mask)
        merged = heads.transpose(1, 2).reshape(n, lq, self.embed_dim)
        return self.out_proj(merged), attn

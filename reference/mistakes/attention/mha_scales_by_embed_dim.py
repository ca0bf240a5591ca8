"""Inside multi-head attention the scores are divided by sqrt(embed_dim) instead of sqrt(head_dim).

Fix: each head attends with dot products of head_dim = E // num_heads features, so scale by math.sqrt(head_dim).
"""

import math
import torch


class MultiHeadAttention(torch.nn.Module):
    def forward(self, query, key, value, mask=None):
        q = self._split_heads(self.q_proj(query))  # (N, H, Lq, hd)
        k = self._split_heads(self.k_proj(key))  # (N, H, Lk, hd)
        v = self._split_heads(self.v_proj(value))  # (N, H, Lk, hd)
        scores = q @ k.transpose(-2, -1) / math.sqrt(self.embed_dim)
        if mask is not None:
            scores = scores.masked_fill(~mask, float("-inf"))
        attn = torch.softmax(scores, dim=-1)
        heads = attn @ v  # (N, H, Lq, hd)
        out = self.out_proj(self._merge_heads(heads))  # (N, Lq, E)
        return out, attn

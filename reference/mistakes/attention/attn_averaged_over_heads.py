"""The attention weights are averaged over the heads instead of being returned per head.

Fix: return the weights of every head, with shape (N, num_heads, Lq, Lk).
"""

import torch


class MultiHeadAttention(torch.nn.Module):
    def forward(self, query, key, value, mask=None):
        q = self._split_heads(self.q_proj(query))  # (N, H, Lq, hd)
        k = self._split_heads(self.k_proj(key))  # (N, H, Lk, hd)
        v = self._split_heads(self.v_proj(value))  # (N, H, Lk, hd)
        heads, attn = scaled_dot_product_attention(q, k, v, mask)  # (N, H, Lq, hd)
        out = self.out_proj(self._merge_heads(heads))  # (N, Lq, E)
        return out, attn.mean(dim=1)

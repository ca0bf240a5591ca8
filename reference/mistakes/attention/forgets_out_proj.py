"""The concatenated heads are returned without the output projection out_proj.

Fix: apply self.out_proj to the merged heads before returning.
"""

import torch


class MultiHeadAttention(torch.nn.Module):
    def forward(self, query, key, value, mask=None):
        q = self._split_heads(self.q_proj(query))  # (N, H, Lq, hd)
        k = self._split_heads(self.k_proj(key))  # (N, H, Lk, hd)
        v = self._split_heads(self.v_proj(value))  # (N, H, Lk, hd)
        heads, attn = scaled_dot_product_attention(q, k, v, mask)  # (N, H, Lq, hd)
        out = self._merge_heads(heads)  # (N, Lq, E)
        return out, attn

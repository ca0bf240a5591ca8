"""The value input is projected with the key projection's weights (k_proj) instead of its own (v_proj), so v_proj is never used.

Fix: project each input with its own layer: the query with q_proj, the key with k_proj, the value with v_proj.
"""

import torch


class MultiHeadAttention(torch.nn.Module):
    def forward(self, query, key, value, mask=None):
        q = self._split_heads(self.q_proj(query))
        k = self._split_heads(self.k_proj(key))
        v = self._split_heads(self.k_proj(value))
        heads, attn = scaled_dot_product_attention(q, k, v, mask)
        out = self.out_proj(self._merge_heads(heads))
        return out, attn

"""The heads are split by reshaping (N, L, E) straight to (N, H, L, E // H), which mixes positions and heads.

Fix: reshape to (N, L, H, E // H) first, then transpose to (N, H, L, E // H); merge by transposing back before reshaping.
"""

import torch


class MultiHeadAttention(torch.nn.Module):
    def _split_heads(self, x):
        n, length, _ = x.shape
        return x.reshape(n, self.num_heads, length, self.head_dim)

    def _merge_heads(self, x):
        n, _, length, _ = x.shape
        return x.reshape(n, length, self.embed_dim)

"""Each head takes every num_heads-th feature (h, h + H, ...) instead of a block of consecutive features.

Fix: reshape (N, L, E) to (N, L, H, E // H) so head h holds features h * head_dim ... (h + 1) * head_dim - 1, and merge back the same way.
"""

import torch


class MultiHeadAttention(torch.nn.Module):
    def _split_heads(self, x):
        n, length, _ = x.shape
        x = x.reshape(n, length, self.head_dim, self.num_heads)  # split the features
        return x.permute(0, 3, 1, 2)  # heads before positions

    def _merge_heads(self, x):
        n, _, length, _ = x.shape
        return x.permute(0, 2, 3, 1).reshape(n, length, self.embed_dim)

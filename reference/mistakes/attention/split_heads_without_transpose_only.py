"""The heads are split by reshaping (N, L, E) straight to (N, H, L, E // H), without the transpose, while the merge transposes back: the split and the merge no longer undo each other, and positions and heads are mixed.

Fix: split by reshaping to (N, L, H, E // H) and then swapping the head and position axes, so that the merge (swap back, then reshape) is its exact inverse.
"""

import torch


class MultiHeadAttention(torch.nn.Module):
    def _split_heads(self, x):
        n, length, _ = x.shape
        return x.reshape(n, self.num_heads, length, self.head_dim)

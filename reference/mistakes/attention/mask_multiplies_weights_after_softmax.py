"""The mask multiplies the weights after the softmax, so the remaining weights no longer sum to one.

Fix: exclude masked keys before the softmax (set their scores to -inf) so the allowed weights are renormalised.
"""
import math

import torch


def scaled_dot_product_attention(q, k, v, mask=None):
    """Attention of each query over all keys: ``softmax(q k^T / sqrt(d)) v``.

    Inputs:
    - q: (..., Lq, d) queries, float64
    - k: (..., Lk, d) keys
    - v: (..., Lk, dv) values
    - mask: None, or a bool tensor broadcastable to (..., Lq, Lk); True = may attend.
      Every query must be allowed at least one key.

    Returns a tuple of:
    - out: (..., Lq, dv) the weighted averages of the values
    - attn: (..., Lq, Lk) the attention weights; each row sums to 1 and masked
      positions are exactly 0
    """
    d = q.shape[-1]
    scores = q @ k.transpose(-2, -1) / math.sqrt(d)  # (..., Lq, Lk)
    if mask is not None:
        attn = torch.softmax(scores, dim=-1) * mask
    else:
        attn = torch.softmax(scores, dim=-1)
    out = attn @ v  # (..., Lq, dv)
    return out, attn


def causal_mask(L):
    """The mask that lets position i attend to positions 0 ... i only.

    Inputs:
    - L: the sequence length

    Returns:
    - mask: (L, L) bool tensor, True on and below the diagonal
    """
    return torch.tril(torch.ones(L, L, dtype=torch.bool))


class MultiHeadAttention(torch.nn.Module):
    """Multi-head attention with separate query, key, value and output projections.

    Attributes:
    - embed_dim: E, the feature size of the inputs and the output
    - num_heads: H, the number of heads; E % H == 0
    - head_dim: E // H, the features of one head
    - q_proj, k_proj, v_proj, out_proj: torch.nn.Linear(E, E, bias=bias)
    """

    def __init__(self, embed_dim, num_heads, bias=True):
        """Create the four projections.

        Inputs:
        - embed_dim: E
        - num_heads: H, which must divide E
        - bias: whether the four projections have a bias
        """
        super().__init__()
        if embed_dim % num_heads != 0:
            raise ValueError(f"embed_dim={embed_dim} is not divisible by num_heads={num_heads}")
        self.embed_dim = embed_dim
        self.num_heads = num_heads
        self.head_dim = embed_dim // num_heads
        self.q_proj = torch.nn.Linear(embed_dim, embed_dim, bias=bias)
        self.k_proj = torch.nn.Linear(embed_dim, embed_dim, bias=bias)
        self.v_proj = torch.nn.Linear(embed_dim, embed_dim, bias=bias)
        self.out_proj = torch.nn.Linear(embed_dim, embed_dim, bias=bias)

    def _split_heads(self, x):
        """Give each head its own slice of consecutive features.

        Inputs:
        - x: (N, L, E)

        Returns:
        - (N, H, L, E // H); head h holds features h * head_dim ... (h + 1) * head_dim - 1
        """
        n, length, _ = x.shape
        x = x.reshape(n, length, self.num_heads, self.head_dim)  # split the features
        return x.transpose(1, 2)  # heads before positions

    def _merge_heads(self, x):
        """Undo ``_split_heads``: concatenate the heads' features.

        Inputs:
        - x: (N, H, L, E // H)

        Returns:
        - (N, L, E)
        """
        n, _, length, _ = x.shape
        return x.transpose(1, 2).reshape(n, length, self.embed_dim)

    def forward(self, query, key, value, mask=None):
        """Attend from every query position to the key/value positions, per head.

        Inputs:
        - query: (N, Lq, E)
        - key: (N, Lk, E)
        - value: (N, Lk, E)
        - mask: None, or a bool tensor broadcastable to (N, H, Lq, Lk); True = may attend

        Returns a tuple of:
        - out: (N, Lq, E)
        - attn: (N, H, Lq, Lk) the attention weights of every head
        """
        q = self._split_heads(self.q_proj(query))  # (N, H, Lq, hd)
        k = self._split_heads(self.k_proj(key))  # (N, H, Lk, hd)
        v = self._split_heads(self.v_proj(value))  # (N, H, Lk, hd)
        heads, attn = scaled_dot_product_attention(q, k, v, mask)  # (N, H, Lq, hd)
        out = self.out_proj(self._merge_heads(heads))  # (N, Lq, E)
        return out, attn

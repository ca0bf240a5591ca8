# %% [markdown]
# # Scaled dot-product attention and multi-head attention
#
# Implement `scaled_dot_product_attention`, `causal_mask` and the `MultiHeadAttention`
# module below in PyTorch. Inputs are `torch.float64` tensors; everything you return must
# stay differentiable, because autograd computes the backward pass (there is no
# `backward` to write).
#
# Allowed: plain tensor operations, `torch.softmax` and `torch.nn.Linear`. Forbidden:
# `torch.nn.functional.scaled_dot_product_attention`, `torch.nn.MultiheadAttention` and
# `torch.nn.functional.multi_head_attention_forward` (a function that calls one of them
# loses its points).
#
# Masks are bool tensors with `True` = "this query may attend to this key". A masked
# weight must be exactly 0, and the allowed weights of each query must still sum to one.
#
# Check your work before you submit: `grader check -a attention attention.py` (or this
# notebook).

# %%
import math

import torch


# %%
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
    raise NotImplementedError("scaled_dot_product_attention: write your implementation here")


# %%
def causal_mask(L):
    """The mask that lets position i attend to positions 0 ... i only.

    Inputs:
    - L: the sequence length

    Returns:
    - mask: (L, L) bool tensor, True on and below the diagonal
    """
    raise NotImplementedError("causal_mask: write your implementation here")


# %% [markdown]
# ## Multi-head attention
#
# `forward` projects the query, key and value inputs with `q_proj`, `k_proj` and `v_proj`,
# splits the E features into `num_heads` heads of `E // num_heads` consecutive features,
# runs attention in every head, concatenates the heads and applies `out_proj`. It returns
# the output and the weights of every head (not their average).
#
# `__init__` must call `super().__init__()` before it creates the four
# `torch.nn.Linear(embed_dim, embed_dim, bias=bias)` submodules.

# %%
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
        raise NotImplementedError("MultiHeadAttention.__init__: write your implementation here")

    def _split_heads(self, x):
        """Give each head its own slice of consecutive features.

        Inputs:
        - x: (N, L, E)

        Returns:
        - (N, H, L, E // H); head h holds features h * head_dim ... (h + 1) * head_dim - 1
        """
        raise NotImplementedError("MultiHeadAttention._split_heads: write your implementation here")

    def _merge_heads(self, x):
        """Undo ``_split_heads``: concatenate the heads' features.

        Inputs:
        - x: (N, H, L, E // H)

        Returns:
        - (N, L, E)
        """
        raise NotImplementedError("MultiHeadAttention._merge_heads: write your implementation here")

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
        raise NotImplementedError("MultiHeadAttention.forward: write your implementation here")

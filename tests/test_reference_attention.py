"""The attention reference against PyTorch's own attention, and against finite differences.

PyTorch is the oracle here (float64 throughout):
- ``torch.nn.functional.scaled_dot_product_attention`` for ``out`` and its gradients
  (its bool ``attn_mask`` uses our convention: True = may attend);
- ``torch.nn.MultiheadAttention(batch_first=True)`` with the same projection weights for
  ``out``, the per-head weights (``average_attn_weights=False``) and every gradient. Its
  bool ``attn_mask`` and ``key_padding_mask`` mean the opposite (True = NOT allowed), so
  the tests pass the negated mask.
``torch.autograd.gradcheck`` checks the autograd graph against centred finite differences.
"""
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

from grader.probe import load_module

REFERENCE = Path(__file__).resolve().parents[1] / "reference" / "attention.py"
ref = load_module(REFERENCE, "_reference_attention_under_test")

F64 = torch.float64


def _randn(gen, *shape, requires_grad=False):
    return torch.randn(*shape, generator=gen, dtype=F64).requires_grad_(requires_grad)


def _random_mask(gen, *shape):
    """Random bool mask in which every row (last axis) allows at least one key."""
    mask = torch.rand(*shape, generator=gen) < 0.6
    keep = torch.randint(0, shape[-1], shape[:-1] + (1,), generator=gen)
    return mask.scatter(-1, keep, True)


def _close(a, b):
    torch.testing.assert_close(a, b, rtol=1e-10, atol=1e-12)


# --- scaled_dot_product_attention ------------------------------------------------------

MASK_SHAPES = [None, (4, 6), (2, 1, 1, 6), (2, 3, 4, 6), (1, 3, 1, 6)]


@pytest.mark.parametrize("mask_shape", MASK_SHAPES)
def test_sdpa_matches_torch_out_and_gradients(mask_shape):
    gen = torch.Generator().manual_seed(1)
    q = _randn(gen, 2, 3, 4, 5, requires_grad=True)
    k = _randn(gen, 2, 3, 6, 5, requires_grad=True)
    v = _randn(gen, 2, 3, 6, 7, requires_grad=True)
    mask = None if mask_shape is None else _random_mask(gen, *mask_shape)
    dout = _randn(gen, 2, 3, 4, 7)

    out, attn = ref.scaled_dot_product_attention(q, k, v, mask)
    grads = torch.autograd.grad((out * dout).sum(), (q, k, v))
    expected = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    expected_grads = torch.autograd.grad((expected * dout).sum(), (q, k, v))

    _close(out, expected)
    for got, want in zip(grads, expected_grads):
        _close(got, want)
    torch.testing.assert_close(attn.sum(-1), torch.ones(2, 3, 4, dtype=F64))
    if mask is not None:
        assert (attn[~mask.expand(attn.shape)] == 0).all()  # exactly 0, not just small


@pytest.mark.parametrize("shapes", [((3, 4), (5, 4), (5, 2)), ((2, 4, 5), (2, 6, 5), (2, 6, 3))])
def test_sdpa_two_and_three_dimensional_inputs(shapes):
    gen = torch.Generator().manual_seed(2)
    q, k, v = (_randn(gen, *shape) for shape in shapes)
    out, attn = ref.scaled_dot_product_attention(q, k, v)
    _close(out, F.scaled_dot_product_attention(q, k, v))
    _close(attn, torch.softmax(q @ k.transpose(-2, -1) / q.shape[-1] ** 0.5, dim=-1))


def test_sdpa_masked_weights_are_exactly_zero_even_for_very_negative_scores():
    q = torch.full((1, 2, 3), 300.0, dtype=F64)
    k = torch.full((1, 4, 3), -300.0, dtype=F64)
    mask = torch.tensor([[[True, False, True, False], [False, False, True, False]]])
    _, attn = ref.scaled_dot_product_attention(q, k, torch.ones(1, 4, 2, dtype=F64), mask)
    assert (attn[~mask] == 0).all()
    torch.testing.assert_close(attn.sum(-1), torch.ones(1, 2, dtype=F64))


def test_sdpa_gradcheck_against_finite_differences():
    gen = torch.Generator().manual_seed(3)
    q = _randn(gen, 2, 3, 4, requires_grad=True)
    k = _randn(gen, 2, 5, 4, requires_grad=True)
    v = _randn(gen, 2, 5, 3, requires_grad=True)
    mask = _random_mask(gen, 2, 3, 5)

    def both_outputs(q, k, v):
        return ref.scaled_dot_product_attention(q, k, v, mask)

    assert torch.autograd.gradcheck(both_outputs, (q, k, v))
    assert torch.autograd.gradcheck(lambda q, k, v: ref.scaled_dot_product_attention(q, k, v), (q, k, v))


def test_sdpa_leaves_inputs_unchanged():
    gen = torch.Generator().manual_seed(4)
    q, k, v = _randn(gen, 2, 3, 4), _randn(gen, 2, 5, 4), _randn(gen, 2, 5, 3)
    mask = _random_mask(gen, 2, 3, 5)
    copies = [t.clone() for t in (q, k, v, mask)]
    ref.scaled_dot_product_attention(q, k, v, mask)
    for tensor, copy in zip((q, k, v, mask), copies):
        assert torch.equal(tensor, copy)


# --- causal_mask ------------------------------------------------------------------------

@pytest.mark.parametrize("length", range(1, 9))
def test_causal_mask_matches_torch(length):
    mask = ref.causal_mask(length)
    assert mask.dtype == torch.bool and mask.shape == (length, length)
    assert torch.equal(mask, torch.tril(torch.ones(length, length, dtype=torch.bool)))
    # PyTorch's additive causal mask is -inf exactly where ours is False
    additive = torch.nn.Transformer.generate_square_subsequent_mask(length)
    assert torch.equal(torch.isneginf(additive), ~mask)


# --- MultiHeadAttention -----------------------------------------------------------------

def _pair(embed_dim, num_heads, bias, seed):
    """Our module and torch.nn.MultiheadAttention holding the same float64 weights."""
    gen = torch.Generator().manual_seed(seed)
    ours = ref.MultiHeadAttention(embed_dim, num_heads, bias=bias).double()
    theirs = torch.nn.MultiheadAttention(embed_dim, num_heads, bias=bias, batch_first=True,
                                         dtype=F64)
    names = ("q_proj", "k_proj", "v_proj", "out_proj")
    with torch.no_grad():
        for name in names:
            layer = getattr(ours, name)
            layer.weight.copy_(_randn(gen, embed_dim, embed_dim) / embed_dim ** 0.5)
            if bias:
                layer.bias.copy_(_randn(gen, embed_dim))
        theirs.in_proj_weight.copy_(torch.cat([getattr(ours, n).weight for n in names[:3]]))
        theirs.out_proj.weight.copy_(ours.out_proj.weight)
        if bias:
            theirs.in_proj_bias.copy_(torch.cat([getattr(ours, n).bias for n in names[:3]]))
            theirs.out_proj.bias.copy_(ours.out_proj.bias)
    return ours, theirs


def _our_param_grads(ours, bias):
    """Our gradients laid out as torch's: in_proj (q, k, v stacked) and out_proj."""
    names = ("q_proj", "k_proj", "v_proj")
    grads = {"in_proj_weight": torch.cat([getattr(ours, n).weight.grad for n in names]),
             "out_proj.weight": ours.out_proj.weight.grad}
    if bias:
        grads["in_proj_bias"] = torch.cat([getattr(ours, n).bias.grad for n in names])
        grads["out_proj.bias"] = ours.out_proj.bias.grad
    return grads


def _torch_mask_args(mask, n, num_heads, lq, lk):
    """Our (True = may attend) mask as MultiheadAttention's (True = NOT allowed) attn_mask."""
    if mask is None:
        return {}
    blocked = ~mask.expand(n, num_heads, lq, lk)
    return {"attn_mask": blocked.reshape(n * num_heads, lq, lk)}


CASES = [  # embed_dim, num_heads, bias, Lq, Lk, mask kind, self-attention
    (8, 2, True, 5, 5, None, True),
    (8, 2, False, 5, 5, "causal", True),
    (12, 3, True, 3, 6, "per_head", False),
    (12, 4, False, 4, 5, "padding", False),
    (6, 1, True, 2, 3, "shared", False),
]


@pytest.mark.parametrize("embed_dim, num_heads, bias, lq, lk, mask_kind, self_attention", CASES)
def test_mha_matches_torch(embed_dim, num_heads, bias, lq, lk, mask_kind, self_attention):
    n = 2
    ours, theirs = _pair(embed_dim, num_heads, bias, seed=embed_dim + num_heads)
    gen = torch.Generator().manual_seed(5)
    query = _randn(gen, n, lq, embed_dim, requires_grad=True)
    if self_attention:
        key = value = query
    else:
        key = _randn(gen, n, lk, embed_dim, requires_grad=True)
        value = _randn(gen, n, lk, embed_dim, requires_grad=True)
    mask = {None: None,
            "causal": ref.causal_mask(lq),
            "per_head": _random_mask(gen, n, num_heads, lq, lk),
            "padding": _random_mask(gen, n, 1, 1, lk),
            "shared": _random_mask(gen, lq, lk)}[mask_kind]
    dout = _randn(gen, n, lq, embed_dim)
    inputs = (query,) if self_attention else (query, key, value)

    out, attn = ours(query, key, value, mask)
    our_input_grads = torch.autograd.grad((out * dout).sum(), inputs, retain_graph=True)
    (out * dout).sum().backward()
    expected, expected_attn = theirs(query, key, value, need_weights=True,
                                     average_attn_weights=False,
                                     **_torch_mask_args(mask, n, num_heads, lq, lk))
    their_input_grads = torch.autograd.grad((expected * dout).sum(), inputs, retain_graph=True)
    (expected * dout).sum().backward()

    assert out.shape == (n, lq, embed_dim) and attn.shape == (n, num_heads, lq, lk)
    _close(out, expected)
    _close(attn, expected_attn)
    for got, want in zip(our_input_grads, their_input_grads):
        _close(got, want)
    their_params = dict(theirs.named_parameters())
    for name, grad in _our_param_grads(ours, bias).items():
        _close(grad, their_params[name].grad)


def test_mha_padding_mask_matches_torch_key_padding_mask():
    ours, theirs = _pair(8, 2, True, seed=7)
    gen = torch.Generator().manual_seed(6)
    query, key, value = _randn(gen, 3, 4, 8), _randn(gen, 3, 5, 8), _randn(gen, 3, 5, 8)
    valid = torch.arange(5) < torch.tensor([[2], [5], [3]])  # (N, Lk): True = a real key
    out, attn = ours(query, key, value, valid[:, None, None, :])
    expected, expected_attn = theirs(query, key, value, key_padding_mask=~valid,
                                     average_attn_weights=False)
    _close(out, expected)
    _close(attn, expected_attn)


def test_mha_structure():
    for bias in (True, False):
        mha = ref.MultiHeadAttention(12, 3, bias=bias)
        assert isinstance(mha, torch.nn.Module) and mha.training
        for name in ("q_proj", "k_proj", "v_proj", "out_proj"):
            layer = getattr(mha, name)
            assert isinstance(layer, torch.nn.Linear) and layer.weight.shape == (12, 12)
            assert (layer.bias is not None) == bias
    with pytest.raises(ValueError):
        ref.MultiHeadAttention(10, 3)


def test_mha_heads_use_consecutive_features():
    """Head h sees only features h*hd ... (h+1)*hd - 1 of the projected query and key."""
    mha, _ = _pair(6, 3, False, seed=8)
    with torch.no_grad():
        for name in ("q_proj", "k_proj", "v_proj", "out_proj"):
            getattr(mha, name).weight.copy_(torch.eye(6, dtype=F64))
    gen = torch.Generator().manual_seed(9)
    x = _randn(gen, 1, 4, 6)
    out, attn = mha(x, x, x)
    for h in range(3):
        cols = slice(2 * h, 2 * h + 2)
        head_out, head_attn = ref.scaled_dot_product_attention(x[..., cols], x[..., cols], x[..., cols])
        _close(attn[:, h], head_attn)
        _close(out[..., cols], head_out)


def test_mha_gradcheck_against_finite_differences():
    mha, _ = _pair(6, 2, True, seed=10)
    gen = torch.Generator().manual_seed(11)
    query = _randn(gen, 2, 3, 6, requires_grad=True)
    key = _randn(gen, 2, 4, 6, requires_grad=True)
    value = _randn(gen, 2, 4, 6, requires_grad=True)
    mask = _random_mask(gen, 2, 2, 3, 4)
    params = [p for _, p in sorted(mha.named_parameters())]
    names = [n for n, _ in sorted(mha.named_parameters())]

    def run(query, key, value, *values):
        replaced = dict(zip(names, values))
        return torch.func.functional_call(mha, replaced, (query, key, value, mask))

    inputs = (query, key, value, *[p.detach().clone().requires_grad_(True) for p in params])
    assert torch.autograd.gradcheck(run, inputs)


def test_mha_leaves_inputs_unchanged():
    mha, _ = _pair(8, 2, True, seed=12)
    gen = torch.Generator().manual_seed(13)
    query, key, value = _randn(gen, 2, 3, 8), _randn(gen, 2, 4, 8), _randn(gen, 2, 4, 8)
    mask = _random_mask(gen, 2, 1, 3, 4)
    copies = [t.clone() for t in (query, key, value, mask)]
    mha(query, key, value, mask)
    for tensor, copy in zip((query, key, value, mask), copies):
        assert torch.equal(tensor, copy)


def test_reference_uses_no_forbidden_routine():
    source = REFERENCE.read_text()
    for name in ("MultiheadAttention", "multi_head_attention_forward",
                 "functional.scaled_dot_product_attention", "F.scaled_dot_product_attention"):
        assert name not in source

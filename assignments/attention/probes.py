"""Probes for the attention assignment (see docs/assignments.md, section 6).

Each probe returns the submission's outputs; the grader compares them with the
reference's outputs for the same seed. Visibility and points live in rubrics/attention.toml.

Inputs are float64 tensors built from the probe's NumPy generator; the projections of a
MultiHeadAttention are overwritten with generated values, so nothing depends on torch's
global random state. Masks always leave every query at least one key (and hide at least
one), because a fully masked row is outside the contract.

Properties that a function doing nothing also has pay only with the right values
(`grader audit` grades degenerate submissions, e.g. every body `pass` or returning zeros
of the right shapes; these probes paid them up to 14 points before): the weights at
masked positions, and whether they are exactly 0, are part of the ``attn`` output (all
zeros has every masked weight exactly 0), and the probes that check that inputs are left
unchanged return the values of the same call too.
"""
import numpy as np
import torch

from grader.probe import probe

_PROJECTIONS = ("q_proj", "k_proj", "v_proj", "out_proj")


def _tensor(array, requires_grad=False):
    return torch.tensor(np.asarray(array), dtype=torch.float64, requires_grad=requires_grad)


def _random_mask(rng, shape):
    """A bool mask whose every row (last axis) has at least one True and one False."""
    mask = rng.random(shape) < 0.6
    keep = rng.integers(0, shape[-1], size=shape[:-1] + (1,))
    drop = (keep + rng.integers(1, shape[-1], size=keep.shape)) % shape[-1]
    np.put_along_axis(mask, keep, True, axis=-1)
    np.put_along_axis(mask, drop, False, axis=-1)
    return mask


def _padding_mask(rng, n, lk):
    """(n, 1, 1, lk) key-padding mask: sequence i has its first lengths[i] keys valid."""
    lengths = rng.integers(2, lk, size=n)  # at least 2 valid keys, at least 1 padded
    return (np.arange(lk)[None, :] < lengths[:, None])[:, None, None, :]


def _causal(length):
    return np.tril(np.ones((length, length), dtype=bool))


def _masked(attn, mask):
    """The weights at masked positions, and whether each is exactly 0."""
    hidden = ~torch.as_tensor(mask).expand(attn.shape)
    weights = attn.detach()[hidden]
    return {"at_masked": weights, "at_masked_is_exactly_0": weights == 0}


def _attn_under_mask(attn, mask):
    """The ``attn`` output of a masked call: the weights, with the masked ones checked as
    exactly 0 inside the same output (so that check pays only with the right weights)."""
    return {"weights": attn, **_masked(attn, mask)}


def _grad(tensor):
    """A copy of ``tensor.grad`` (None when autograd gave it no gradient)."""
    return None if tensor.grad is None else tensor.grad.detach().clone()


def _mha(m, rng, embed_dim, num_heads, bias=True):
    """A float64 MultiHeadAttention with every projection set from ``rng``. torch's own
    generator is seeded first, so that what the probe does not set (a bias that a module
    built with bias=False has anyway) is the same in every run: a diagnosis compares runs."""
    torch.manual_seed(0)
    mha = m.MultiHeadAttention(embed_dim, num_heads, bias=bias).double()
    with torch.no_grad():
        for name in _PROJECTIONS:
            linear = getattr(mha, name)
            linear.weight.copy_(_tensor(rng.normal(size=(embed_dim, embed_dim)) / np.sqrt(embed_dim)))
            if bias:
                linear.bias.copy_(_tensor(rng.normal(size=embed_dim) * 0.5))
    return mha


def _parameter_grads(mha, bias):
    """The gradient of every projection: its weight's, with its bias's as one more column.

    With a bias, ``d<proj>_weight_bias`` is the (E, E + 1) array ``[dweight | dbias]``, so
    the bias is compared on the scale of its layer. That matters because some of these
    gradients are exactly 0 in exact arithmetic (the key bias adds ``q . b`` to every
    score of a query, which the softmax ignores): what is computed there is rounding
    noise, which no relative tolerance of its own could judge.
    """
    grads = {}
    for name in _PROJECTIONS:
        linear = getattr(mha, name)
        if bias:
            weight, bias_grad = _grad(linear.weight), _grad(linear.bias)
            grads[f"d{name}_weight_bias"] = (
                None if weight is None or bias_grad is None else torch.cat([weight, bias_grad[:, None]], dim=1))
        else:
            grads[f"d{name}_weight"] = _grad(linear.weight)
    return grads


# --- scaled_dot_product_attention ------------------------------------------------------

@probe(calls=("scaled_dot_product_attention",))
def sdpa_3d(m, rng):
    """scaled_dot_product_attention(q, k, v) with q (2, 4, 5), k (2, 6, 5), v (2, 6, 3), no mask"""
    q, k, v = (_tensor(rng.normal(size=s)) for s in ((2, 4, 5), (2, 6, 5), (2, 6, 3)))
    out, attn = m.scaled_dot_product_attention(q, k, v)
    return {"out": out, "attn": attn}


@probe(calls=("scaled_dot_product_attention",))
def sdpa_2d(m, rng):
    """scaled_dot_product_attention(q, k, v) with 2-D q (3, 4), k (5, 4), v (5, 2), no mask"""
    q, k, v = (_tensor(rng.normal(size=s)) for s in ((3, 4), (5, 4), (5, 2)))
    out, attn = m.scaled_dot_product_attention(q, k, v)
    return {"out": out, "attn": attn}


@probe(calls=("scaled_dot_product_attention",))
def sdpa_4d(m, rng):
    """scaled_dot_product_attention(q, k, v) with 4-D q (2, 3, 4, 9), k (2, 3, 5, 9), v (2, 3, 5, 2)"""
    q, k, v = (_tensor(rng.normal(size=s)) for s in ((2, 3, 4, 9), (2, 3, 5, 9), (2, 3, 5, 2)))
    out, attn = m.scaled_dot_product_attention(q, k, v)
    return {"out": out, "attn": attn}


@probe(calls=("scaled_dot_product_attention",))
def sdpa_causal_mask(m, rng):
    """scaled_dot_product_attention with a (5, 5) causal mask on q, k (2, 5, 4), v (2, 5, 3)"""
    q, k, v = (_tensor(rng.normal(size=s)) for s in ((2, 5, 4), (2, 5, 4), (2, 5, 3)))
    mask = _causal(5)
    out, attn = m.scaled_dot_product_attention(q, k, v, mask=torch.tensor(mask))
    return {"out": out, "attn": _attn_under_mask(attn, mask)}


@probe(calls=("scaled_dot_product_attention",))
def sdpa_padding_mask(m, rng):
    """scaled_dot_product_attention with a (3, 1, 1, 6) key-padding mask on q (3, 2, 4, 5), k (3, 2, 6, 5)"""
    q, k, v = (_tensor(rng.normal(size=s)) for s in ((3, 2, 4, 5), (3, 2, 6, 5), (3, 2, 6, 3)))
    mask = _padding_mask(rng, 3, 6)
    out, attn = m.scaled_dot_product_attention(q, k, v, mask=torch.tensor(mask))
    return {"out": out, "attn": _attn_under_mask(attn, mask)}


@probe(calls=("scaled_dot_product_attention",))
def sdpa_per_head_mask(m, rng):
    """scaled_dot_product_attention with a full (2, 3, 4, 6) random mask, one per batch and head"""
    q, k, v = (_tensor(rng.normal(size=s)) for s in ((2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 2)))
    mask = _random_mask(rng, (2, 3, 4, 6))
    out, attn = m.scaled_dot_product_attention(q, k, v, mask=torch.tensor(mask))
    return {"out": out, "attn": _attn_under_mask(attn, mask)}


@probe(calls=("scaled_dot_product_attention",))
def sdpa_mask_shared_by_batch(m, rng):
    """scaled_dot_product_attention with a (4, 7) random mask broadcast over q (2, 3, 4, 6), k (2, 3, 7, 6)"""
    q, k, v = (_tensor(rng.normal(size=s)) for s in ((2, 3, 4, 6), (2, 3, 7, 6), (2, 3, 7, 4)))
    mask = _random_mask(rng, (4, 7))
    out, attn = m.scaled_dot_product_attention(q, k, v, mask=torch.tensor(mask))
    return {"out": out, "attn": _attn_under_mask(attn, mask)}


@probe(calls=("scaled_dot_product_attention",))
def sdpa_mask_with_very_negative_scores(m, rng):
    """scaled_dot_product_attention with a mask where every allowed score is below -1e5: masked weights stay 0"""
    # Every q.k is -(3e5 or more) / 2, so a mask implemented as "score -1e4" would win the
    # softmax. Only the masked weights are returned: at this magnitude float32 rounding
    # moves the allowed weights by far more than the tolerance.
    queries, keys = (1.0 + rng.random((2, 4, 4))) * 300.0, -(1.0 + rng.random((2, 5, 4))) * 300.0
    q, k, v = _tensor(queries), _tensor(keys), _tensor(rng.normal(size=(2, 5, 3)))
    # Every row's best-scoring key is masked, and another kept: a softmax over all keys puts
    # at least half the weight there, so weights multiplied by the mask after the softmax (a
    # known mistake) sum to 0.5 or less. With a random mask that mistake was caught on 591
    # seeds in 600 (where the best key happened to be masked in some row), not on the others.
    best = np.argmax(queries @ keys.transpose(0, 2, 1), axis=-1)[..., None]
    mask = rng.random((2, 4, 5)) < 0.6
    np.put_along_axis(mask, (best + rng.integers(1, 5, size=best.shape)) % 5, True, axis=-1)
    np.put_along_axis(mask, best, False, axis=-1)
    _, attn = m.scaled_dot_product_attention(q, k, v, mask=torch.tensor(mask))
    # The row sums (1) go with the masked weights: all zeros has masked weights exactly 0.
    return {"attn": {"row_sums": attn.detach().sum(dim=-1), **_masked(attn, mask)}}


# atol 1e-5: a correct float32 attention core gives gradient errors up to ~2e-6 x scale
# (measured over 300 seeds); forward outputs stay within the default 1e-6.
@probe(calls=("scaled_dot_product_attention",), atol=1e-5)
def sdpa_gradients(m, rng):
    """gradients of scaled_dot_product_attention w.r.t. q (2, 4, 5), k (2, 6, 5), v (2, 6, 3), random upstream gradients on out and attn"""
    q, k, v = (_tensor(rng.normal(size=s), True) for s in ((2, 4, 5), (2, 6, 5), (2, 6, 3)))
    dout, dattn = _tensor(rng.normal(size=(2, 4, 3))), _tensor(rng.normal(size=(2, 4, 6)))
    out, attn = m.scaled_dot_product_attention(q, k, v)
    ((out * dout).sum() + (attn * dattn).sum()).backward()
    return {"dq": _grad(q), "dk": _grad(k), "dv": _grad(v)}


# atol 1e-5: a correct float32 attention core gives gradient errors up to ~2e-6 x scale
# (measured over 300 seeds); forward outputs stay within the default 1e-6.
@probe(calls=("scaled_dot_product_attention",), atol=1e-5)
def sdpa_gradients_masked(m, rng):
    """gradients of scaled_dot_product_attention with a (2, 1, 1, 6) padding mask, q (2, 2, 3, 4), v (2, 2, 6, 5)"""
    q, k, v = (_tensor(rng.normal(size=s), True) for s in ((2, 2, 3, 4), (2, 2, 6, 4), (2, 2, 6, 5)))
    mask = torch.tensor(_padding_mask(rng, 2, 6))
    dout, dattn = _tensor(rng.normal(size=(2, 2, 3, 5))), _tensor(rng.normal(size=(2, 2, 3, 6)))
    out, attn = m.scaled_dot_product_attention(q, k, v, mask=mask)
    ((out * dout).sum() + (attn * dattn).sum()).backward()
    return {"dq": _grad(q), "dk": _grad(k), "dv": _grad(v)}


@probe(calls=("scaled_dot_product_attention",))
def sdpa_leaves_inputs_unchanged(m, rng):
    """scaled_dot_product_attention(q, k, v, mask): out, attn, and q, k, v and mask unchanged after the call"""
    q, k, v = (_tensor(rng.normal(size=s)) for s in ((2, 3, 4), (2, 5, 4), (2, 5, 3)))
    mask = torch.tensor(_random_mask(rng, (2, 3, 5)))
    out, attn = m.scaled_dot_product_attention(q, k, v, mask=mask)
    return {"out": out, "attn": attn, "q": q.clone(), "k": k.clone(), "v": v.clone(), "mask": mask.clone()}


# --- causal_mask ------------------------------------------------------------------------

@probe(calls=("causal_mask",))
def causal_mask_small(m, rng):
    """causal_mask(L) for L = 1, 2, 3, 4"""
    return {f"L{size}": m.causal_mask(size) for size in (1, 2, 3, 4)}


@probe(calls=("causal_mask",))
def causal_mask_larger(m, rng):
    """causal_mask(L) for L = 5, 6, 7, 8"""
    return {f"L{size}": m.causal_mask(size) for size in (5, 6, 7, 8)}


@probe(calls=("causal_mask", "scaled_dot_product_attention"))
def causal_mask_in_attention(m, rng):
    """scaled_dot_product_attention(q, k, v, causal_mask(6)) with q, k, v (3, 6, 4)"""
    q, k, v = (_tensor(rng.normal(size=(3, 6, 4))) for _ in range(3))
    out, attn = m.scaled_dot_product_attention(q, k, v, mask=m.causal_mask(6))
    return {"out": out, "attn": attn}


# --- MultiHeadAttention -----------------------------------------------------------------

@probe(calls=("MultiHeadAttention",))
def mha_self_attention(m, rng):
    """MultiHeadAttention(8, 2)(x, x, x) with x (2, 5, 8), no mask"""
    mha = _mha(m, rng, 8, 2)
    x = _tensor(rng.normal(size=(2, 5, 8)))
    out, attn = mha(x, x, x)
    return {"out": out, "attn": attn}


@probe(calls=("MultiHeadAttention",))
def mha_cross_attention(m, rng):
    """MultiHeadAttention(12, 3)(query, key, value) with query (2, 3, 12), key and value (2, 6, 12) all different"""
    mha = _mha(m, rng, 12, 3)
    query, key, value = (_tensor(rng.normal(size=s)) for s in ((2, 3, 12), (2, 6, 12), (2, 6, 12)))
    out, attn = mha(query, key, value)
    return {"out": out, "attn": attn}


@probe(calls=("MultiHeadAttention",))
def mha_four_heads(m, rng):
    """MultiHeadAttention(12, 4)(query, key, value) with query (1, 4, 12), key/value (1, 5, 12)"""
    mha = _mha(m, rng, 12, 4)
    query, key, value = (_tensor(rng.normal(size=s)) for s in ((1, 4, 12), (1, 5, 12), (1, 5, 12)))
    out, attn = mha(query, key, value)
    return {"out": out, "attn": attn}


@probe(calls=("MultiHeadAttention",))
def mha_without_bias(m, rng):
    """MultiHeadAttention(8, 2, bias=False)(query, key, value): projections have no bias"""
    mha = _mha(m, rng, 8, 2, bias=False)
    query, key, value = (_tensor(rng.normal(size=s)) for s in ((2, 4, 8), (2, 5, 8), (2, 5, 8)))
    out, attn = mha(query, key, value)
    # whether the projections have a bias is mha_structure's (a forward that does nothing
    # kept it here before, from a constructor that did the work)
    return {"out": out, "attn": attn}


@probe(calls=("MultiHeadAttention",))
def mha_structure(m, rng):
    """MultiHeadAttention(12, 3, bias=...) has Linear(12, 12) q_proj, k_proj, v_proj, out_proj and is a torch.nn.Module"""
    result = {}
    for bias in (True, False):
        mha = m.MultiHeadAttention(12, 3, bias=bias)
        result[f"bias={bias}"] = {
            "is_module": isinstance(mha, torch.nn.Module),
            "is_linear": [isinstance(getattr(mha, name), torch.nn.Linear) for name in _PROJECTIONS],
            "weight_shapes": [list(getattr(mha, name).weight.shape) for name in _PROJECTIONS],
            "has_bias": [getattr(mha, name).bias is not None for name in _PROJECTIONS],
        }
    return result


@probe(calls=("MultiHeadAttention",))
def mha_causal_self_attention(m, rng):
    """MultiHeadAttention(8, 2)(x, x, x, mask) with a (6, 6) causal mask and x (2, 6, 8)"""
    mha = _mha(m, rng, 8, 2)
    x = _tensor(rng.normal(size=(2, 6, 8)))
    mask = _causal(6)
    out, attn = mha(x, x, x, mask=torch.tensor(mask))
    return {"out": out, "attn": _attn_under_mask(attn, mask)}


@probe(calls=("MultiHeadAttention",))
def mha_padding_mask(m, rng):
    """MultiHeadAttention(8, 2) cross-attention with a (3, 1, 1, 5) key-padding mask, query (3, 4, 8), key/value (3, 5, 8)"""
    mha = _mha(m, rng, 8, 2)
    query, key, value = (_tensor(rng.normal(size=s)) for s in ((3, 4, 8), (3, 5, 8), (3, 5, 8)))
    mask = _padding_mask(rng, 3, 5)
    out, attn = mha(query, key, value, mask=torch.tensor(mask))
    return {"out": out, "attn": _attn_under_mask(attn, mask)}


@probe(calls=("MultiHeadAttention",))
def mha_per_head_mask(m, rng):
    """MultiHeadAttention(12, 3) with a different random mask per batch and head, (2, 3, 4, 5)"""
    mha = _mha(m, rng, 12, 3)
    query, key, value = (_tensor(rng.normal(size=s)) for s in ((2, 4, 12), (2, 5, 12), (2, 5, 12)))
    mask = _random_mask(rng, (2, 3, 4, 5))
    out, attn = mha(query, key, value, mask=torch.tensor(mask))
    return {"out": out, "attn": _attn_under_mask(attn, mask)}


# atol 1e-5: a correct float32 attention core gives gradient errors up to ~2e-6 x scale
# (measured over 300 seeds); forward outputs stay within the default 1e-6.
@probe(calls=("MultiHeadAttention",), atol=1e-5)
def mha_gradients_self_attention(m, rng):
    """gradients of MultiHeadAttention(8, 2)(x, x, x, causal mask) w.r.t. x (2, 5, 8) and every projection, random upstream gradient on out"""
    mha = _mha(m, rng, 8, 2)
    x = _tensor(rng.normal(size=(2, 5, 8)), True)
    dout = _tensor(rng.normal(size=(2, 5, 8)))
    out, _ = mha(x, x, x, mask=torch.tensor(_causal(5)))
    (out * dout).sum().backward()
    return {"dx": _grad(x), **_parameter_grads(mha, bias=True)}


# atol 1e-5: a correct float32 attention core gives gradient errors up to ~2e-6 x scale
# (measured over 300 seeds); forward outputs stay within the default 1e-6.
@probe(calls=("MultiHeadAttention",), atol=1e-5)
def mha_gradients_cross_attention(m, rng):
    """gradients of MultiHeadAttention(12, 3) cross-attention with a padding mask w.r.t. query (2, 3, 12), key, value (2, 5, 12) and every projection"""
    mha = _mha(m, rng, 12, 3)
    query, key, value = (_tensor(rng.normal(size=s), True) for s in ((2, 3, 12), (2, 5, 12), (2, 5, 12)))
    dout = _tensor(rng.normal(size=(2, 3, 12)))
    out, _ = mha(query, key, value, mask=torch.tensor(_padding_mask(rng, 2, 5)))
    (out * dout).sum().backward()
    return {"dquery": _grad(query), "dkey": _grad(key), "dvalue": _grad(value),
            **_parameter_grads(mha, bias=True)}


# atol 1e-5: a correct float32 attention core gives gradient errors up to ~2e-6 x scale
# (measured over 300 seeds); forward outputs stay within the default 1e-6.
@probe(calls=("MultiHeadAttention",), atol=1e-5)
def mha_gradients_without_bias(m, rng):
    """gradients of MultiHeadAttention(8, 4, bias=False) w.r.t. query (2, 3, 8), key, value (2, 4, 8) and every projection weight"""
    mha = _mha(m, rng, 8, 4, bias=False)
    query, key, value = (_tensor(rng.normal(size=s), True) for s in ((2, 3, 8), (2, 4, 8), (2, 4, 8)))
    dout = _tensor(rng.normal(size=(2, 3, 8)))
    out, _ = mha(query, key, value)
    (out * dout).sum().backward()
    return {"dquery": _grad(query), "dkey": _grad(key), "dvalue": _grad(value),
            **_parameter_grads(mha, bias=False)}


@probe(calls=("MultiHeadAttention",))
def mha_leaves_inputs_unchanged(m, rng):
    """MultiHeadAttention(8, 2)(query, key, value, mask): out, attn, and query, key, value and mask unchanged after the call"""
    mha = _mha(m, rng, 8, 2)
    query, key, value = (_tensor(rng.normal(size=s)) for s in ((2, 3, 8), (2, 4, 8), (2, 4, 8)))
    mask = torch.tensor(_random_mask(rng, (2, 1, 3, 4)))
    out, attn = mha(query, key, value, mask=mask)
    return {"out": out, "attn": attn, "query": query.clone(), "key": key.clone(), "value": value.clone(),
            "mask": mask.clone()}

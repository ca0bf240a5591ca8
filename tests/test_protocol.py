"""The wire format: plain data only, and a reader that checks before it allocates."""
from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from grader.protocol import HEADER, FrameReader, NotPlainData, ProtocolError, encode, to_plain


RESULT = {"kind": "result", "test": "t", "status": "returned", "warnings": 0, "forbidden": []}


def _roundtrip(tree):
    frames = FrameReader(1 << 20).feed(encode(RESULT, to_plain(tree)))
    assert len(frames) == 1
    return frames[0]["tree"]


def test_arrays_scalars_and_containers_roundtrip_exactly():
    tree = {"a": np.arange(6, dtype=np.float32).reshape(2, 3), "b": (1, 2.5, True), "c": [None, "x"],
            "d": np.float64(np.nan), "e": torch.tensor([1.0, -np.inf], dtype=torch.float64)}
    back = _roundtrip(tree)
    assert back["a"].dtype == np.float32 and np.array_equal(back["a"], tree["a"])
    assert [x.item() for x in back["b"]] == [1, 2.5, True]
    assert back["c"] == [None, "x"] and np.isnan(back["d"])
    assert back["e"].tolist() == [1.0, -np.inf]


@pytest.mark.parametrize("value, fragment", [
    (np.zeros(3).view(type("Sub", (np.ndarray,), {})), "not plain data"),
    (np.array([object()]), "dtype object"),
    (lambda: 1, "not plain data"),
    ({1: 2}, "keys must be str"),
    (torch.nn.Parameter(torch.zeros(2)), "not plain data"),
    (2 ** 70, "too large"),
])
def test_anything_but_plain_data_is_refused_with_its_path(value, fragment):
    with pytest.raises(NotPlainData, match=fragment) as info:
        to_plain({"out": [value]})
    assert "output['out'][0]" in str(info.value) or "keys" in fragment


def test_frames_split_across_reads_are_reassembled():
    data = encode(RESULT, to_plain({"p": np.ones((50, 50))}))
    reader = FrameReader(1 << 20)
    frames = [f for i in range(0, len(data), 777) for f in reader.feed(data[i:i + 777])]
    assert len(frames) == 1 and frames[0]["tree"]["p"].shape == (50, 50)


def _frame(header: dict, payload: bytes = b"") -> bytes:
    text = json.dumps({**RESULT, **header}).encode()
    return HEADER.pack(len(text)) + text + payload


@pytest.mark.parametrize("frame, fragment", [
    (HEADER.pack(1 << 40), "exceeds"),
    (_frame({"arrays": [{"dtype": "|O", "shape": [1], "nbytes": 8}]}), "no allowed dtype"),
    (_frame({"arrays": [{"dtype": "<f8", "shape": [1000], "nbytes": 8}]}), "disagree"),
    (_frame({"arrays": [{"dtype": "<f8", "shape": [1 << 40], "nbytes": 8 << 40}]}), "output limit"),
    (_frame({"arrays": [], "tree": {"a": 3}}), "malformed tree"),
    (HEADER.pack(5) + b"nope!", "not JSON"),
    (_frame({"arrays": [], "x": float("nan")}).replace(b"NaN", b"NaN"), "non-standard"),
])
def test_malformed_frames_are_refused_before_allocation(frame, fragment):
    with pytest.raises(ProtocolError, match=fragment):
        FrameReader(1 << 20).feed(frame)

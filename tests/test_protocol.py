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


# --- values keep their meaning over the wire (issue 10) ----------------------------------

def _readonly(array):
    array.setflags(write=False)
    return array


Point = __import__("collections").namedtuple("Point", "x y")
GRID = np.arange(24.0).reshape(4, 6)


@pytest.mark.parametrize("value, shape, dtype", [
    (3, (), np.int64), (2.5, (), np.float64), (True, (), np.bool_), (1 + 2j, (), np.complex128),
    (np.float32(1.5), (), np.float32), (np.int8(-3), (), np.int8), (np.bool_(False), (), np.bool_),
    (np.uint64(7), (), np.uint64), (np.complex64(1j), (), np.complex64),
    (np.array(2.0), (), np.float64), (np.squeeze(np.ones((1, 1))), (), np.float64),
    (np.asarray(np.float32(0.25)), (), np.float32), (np.ones((2, 1, 3)).sum(axis=(0, 1, 2), keepdims=False), (), np.float64),
    (GRID[:, ::2], (4, 3), np.float64), (np.asfortranarray(GRID), (4, 6), np.float64),
    (_readonly(GRID.copy()), (4, 6), np.float64), (GRID[::-1, ::-2], (4, 3), np.float64),
    (np.arange(5, dtype=">f8"), (5,), np.float64), (np.arange(6, dtype=">i4").reshape(2, 3), (2, 3), np.int32),
    (GRID > 10, (4, 6), np.bool_), (np.arange(4, dtype=np.uint8), (4,), np.uint8),
    (np.zeros((0, 3)), (0, 3), np.float64), (np.float16(0.5) * np.ones(2, np.float16), (2,), np.float16),
    (torch.tensor(3.0), (), np.float32), (torch.tensor([[1.0, 2.0]], requires_grad=True) * 2, (1, 2), np.float32),
    (torch.arange(6.0, dtype=torch.float64).reshape(2, 3).T, (3, 2), np.float64),
    (torch.tensor([1.5, 2.5], dtype=torch.bfloat16), (2,), np.float32),
    (torch.tensor([1 + 1j]).conj(), (1,), np.complex64), (torch.tensor([1.0, -2.0]).neg(), (2,), np.float32),
    (torch.tensor(5, dtype=torch.int64), (), np.int64),
])
def test_every_kind_of_array_or_number_keeps_its_shape_dtype_and_values(value, shape, dtype):
    back = _roundtrip({"v": value})["v"]
    assert type(back) is np.ndarray and back.shape == shape and back.dtype == dtype, (back.shape, back.dtype)
    plain = value.detach().resolve_conj().float().numpy() if isinstance(value, torch.Tensor) and \
        value.dtype == torch.bfloat16 else value.detach().resolve_conj().resolve_neg().numpy() \
        if isinstance(value, torch.Tensor) else np.asarray(value)
    assert np.array_equal(back, plain)


def test_containers_keep_their_structure_and_subclasses_cross_as_their_base():
    from collections import OrderedDict, defaultdict
    counts = defaultdict(int, {"a": 1})
    tree = {"pair": (np.ones(2), 3.0), "named": Point(1, np.zeros(1)), "ordered": OrderedDict(b=[1, {"c": None}]),
            "counts": counts, "nested": {"deep": {"deeper": [np.eye(2), "text"]}}}
    back = _roundtrip(tree)
    assert isinstance(back["pair"], list) and back["pair"][1].shape == ()
    assert isinstance(back["named"], list) and back["named"][0] == 1
    assert back["ordered"] == {"b": [np.asarray(1), {"c": None}]} and type(back["counts"]) is dict
    assert np.array_equal(back["nested"]["deep"]["deeper"][0], np.eye(2)) and back["nested"]["deep"]["deeper"][1] == "text"


@pytest.mark.parametrize("value, fragment", [
    (np.eye(2).view(type("Sub", (np.ndarray,), {})), "not plain data (return np.asarray(value))"),
    (np.zeros(2, dtype=[("a", "f8")]), "only boolean and numeric arrays"),
    (np.longdouble(1.0), "only boolean and numeric values"),
    (np.array(["a", "b"]), "dtype <U1"),
    ({1, 2}, "builtins.set, not plain data"),
    ((x for x in range(3)), "builtins.generator, not plain data"),
    (torch.zeros(3).to_sparse(), "dense one (.to_dense())"),
    ([0.5] * ((1 << 16) + 1), "return a NumPy array instead of a list of numbers"),
])
def test_what_cannot_cross_says_what_to_return(value, fragment):
    with pytest.raises(NotPlainData, match=__import__("re").escape(fragment)):
        to_plain({"out": value})


# --- the decoder: strict, bounded, no copies of a large frame -----------------------------

def _raw(header_text: bytes, payload: bytes = b"") -> bytes:
    return HEADER.pack(len(header_text)) + header_text + payload


@pytest.mark.parametrize("frame, fragment", [
    (_raw(b'{"kind": "started", "arrays": [], "x": 1}'), "must not contain {'x'} properties"),
    (_raw(b'{"kind": "done", "arrays": [{"dtype": "<f8", "shape": [], "nbytes": 8}]}'), "arrays must contain"),
    (_raw(b'{"kind": "evil", "arrays": []}'), "unknown kind 'evil'"),
    (_raw(b'[1, 2]'), "unknown kind"),
    (_raw(b'{"kind": "result", "status": "returned", "arrays": []}'), "must contain"),
    (_raw(b'{"kind": "result", "test": "t", "status": "passed", "arrays": []}'), "status must be one of"),
    (_raw(b'{"kind": "result", "test": "t", "status": "returned", "warnings": 1e999, "arrays": []}'), "not finite"),
    (_raw(b'{"kind": "result", "test": "t", "status": "returned", "warnings": Infinity, "arrays": []}'),
     "non-standard JSON constant Infinity"),
    (_raw(b'{"kind": "result", "test": "t", "status": "raised", "tree": null, "arrays": []}'), "disallowed"),
    (_raw(b'{"kind": "result", "test": "t", "status": "missing", "arrays": []}'), "must contain ['missing']"),
    (_raw(b'{"kind": "loaded", "import_errors": "none", "arrays": []}'), "import_errors must be array"),
    (_raw(b'{"kind": "fatal", "message": 3, "arrays": []}'), "message must be string"),
    (_raw(b'{"kind": "result", "test": "t", "status": "returned", "arrays": [{"dtype": "<f8", "shape": [-1], '
          b'"nbytes": 8}], "tree": {"a": 0}}'), "must be bigger than or equal to 0"),
    (_raw(b'{"kind": "result", "test": "t", "status": "returned", "tree": {"l": [{"a": 1}, {"a": 0}]}, "arrays": '
          b'[{"dtype": "<f8", "shape": [], "nbytes": 8}, {"dtype": "<f8", "shape": [], "nbytes": 8}]}', bytes(16)),
     "malformed tree node"),
    (_raw(b'{"kind": "result", "test": "t", "status": "returned", "tree": null, "arrays": '
          b'[{"dtype": "<f8", "shape": [], "nbytes": 8}]}', bytes(8)), "the tree uses 0"),
    (_raw(b'{"kind": "result", "test": "t", "status": "returned", "tree": {"a": 0}, "arrays": '
          b'[{"dtype": "<f8", "shape": [0, 1099511627777], "nbytes": 0}]}'), "disagree"),
    (_raw(b'{"kind": "started", "arrays": [], "\xff": 1}'), "not JSON"),
    (_raw(b"[" * 200_000 + b"]" * 200_000), "not JSON"),
])
def test_malformed_headers_are_refused_with_what_is_wrong(frame, fragment):
    with pytest.raises(ProtocolError) as info:
        FrameReader(1 << 20).feed(frame)
    assert fragment in str(info.value), str(info.value)


def test_the_cap_can_be_lowered_between_frames():
    reader = FrameReader(1 << 20)
    one = encode(RESULT, to_plain({"p": np.ones(1000)}))
    assert len(reader.feed(one)) == 1 and reader.last_frame_bytes == 8000
    reader.max_frame_bytes = 7999
    with pytest.raises(ProtocolError, match="exceeds the output limit of 7999 bytes"):
        reader.feed(one)


def test_a_large_frame_is_read_straight_into_its_array(tmp_path):
    """The decoder's peak memory for a 64 MiB frame is the array itself (no 3x copies)."""
    import os
    import select
    import threading
    import tracemalloc

    from grader.protocol import encode_parts
    array = np.arange(8 << 20, dtype=np.float64)
    head, parts = encode_parts(RESULT, to_plain({"p": array}))
    read_end, write_end = os.pipe()

    def write():
        for data in (head, *parts):
            data = memoryview(data)
            while data:
                data = data[os.write(write_end, data):]
        os.close(write_end)
    writer = threading.Thread(target=write)
    os.set_blocking(read_end, False)
    reader, frame = FrameReader(1 << 30), None
    tracemalloc.start()
    writer.start()
    try:
        while frame is None:
            select.select([read_end], [], [], 5)
            frame, end = reader.read_from(read_end)
            assert frame is not None or not end
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        writer.join()
        os.close(read_end)
    assert np.array_equal(frame["tree"]["p"], array)
    assert peak < 1.1 * array.nbytes, peak

"""What crosses the trust boundary, and how: plain data as JSON plus raw array bytes.

``to_plain`` turns an output tree into plain data (dicts with str keys, lists, exact
``numpy.ndarray`` of a numeric dtype, exact ``torch.Tensor`` converted to an array,
Python and NumPy scalars as 0-d arrays, str, None) or raises NotPlainData naming the
offending path. Shapes keep their meaning: a 0-d array stays 0-d, a Fortran-ordered,
read-only or reversed view is copied into a C-ordered array of the same shape and values.
ndarray subclasses, objects and callables never cross; subclasses of dict, list and tuple
(a named tuple) cross as what their base class holds.

A frame on the wire::

    8 bytes little-endian header length | JSON header | array bytes, back to back

The header is checked against ``grader/schemas/frame.schema.json`` (kinds, keys, types,
sizes), every dtype against an allow-list, every shape against its byte count and the
frame's array bytes against a cap, all before anything is allocated for the arrays; each
array is then read straight into its final buffer (no copies of a large frame). Nothing
the reader reads can execute code (no pickle anywhere). JSON constants NaN/Infinity and
numbers that overflow to infinity are refused.
"""
from __future__ import annotations

import json
import math
import os
import struct

import numpy as np

HEADER = struct.Struct("<Q")
MAX_HEADER_BYTES = 4 << 20          # one frame's JSON header
MAX_LEAVES = 1 << 16                # values (arrays, strings, None) in one output tree
MAX_DIMENSION = 1 << 40             # one axis of an array (zero-size arrays may claim any shape)
ALLOWED_DTYPES = frozenset(
    np.dtype(name).str for name in
    ("bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
     "float16", "float32", "float64", "complex64", "complex128"))
KINDS = ("started", "loaded", "result", "done", "fatal")
_MAX_DEPTH = 32
_RETURN_AN_ARRAY = "return NumPy arrays, numbers, or lists/tuples/dicts of them"


class NotPlainData(Exception):
    """A value that may not cross the boundary; the message names where it was found."""


class ProtocolError(Exception):
    """A malformed frame: the worker's message cannot be trusted or read."""


def _torch_tensor_type():
    import sys
    torch = sys.modules.get("torch")
    return getattr(torch, "Tensor", None) if torch is not None else None


def to_plain(tree, path: str = "output"):
    """The canonical plain-data form of ``tree`` (see the module docstring).

    Raises NotPlainData, naming the path, for anything else, for trees nested more than
    32 levels deep and for trees of more than ``MAX_LEAVES`` values."""
    return _Plain().convert(tree, path, 0)


class _Plain:
    def __init__(self):
        self.leaves = 0

    def leaf(self, path: str) -> None:
        self.leaves += 1
        if self.leaves > MAX_LEAVES:
            raise NotPlainData(f"{path}: the output holds more than {MAX_LEAVES} values in lists or "
                               "dicts; return a NumPy array instead of a list of numbers")

    def convert(self, tree, path: str, depth: int):
        if depth > _MAX_DEPTH:
            raise NotPlainData(f"{path} is nested more than {_MAX_DEPTH} levels deep")
        kind = type(tree)
        if issubclass(kind, dict):
            return self._mapping(tree, path, depth)
        if issubclass(kind, (list, tuple)):
            items = list.__iter__(tree) if issubclass(kind, list) else tuple.__iter__(tree)
            return [self.convert(value, f"{path}[{i}]", depth + 1) for i, value in enumerate(items)]
        self.leaf(path)
        if tree is None or kind is str:
            return tree
        if kind in (bool, int, float, complex):
            if kind is int and not -(1 << 63) <= tree < 1 << 63:
                raise NotPlainData(f"{path} is an integer too large for int64")
            return np.asarray(tree)
        if isinstance(tree, np.generic):
            if kind not in _SCALAR_TYPES:
                raise NotPlainData(f"{path} is a NumPy {kind.__name__} scalar; only boolean and numeric "
                                   "values are graded")
            return np.asarray(tree)
        if kind is np.ndarray:
            return _plain_array(tree, path)
        tensor = _torch_tensor_type()
        if tensor is not None and kind is tensor:
            return _plain_array(_tensor_array(tree, path), path)
        hint = "return np.asarray(value)" if isinstance(tree, np.ndarray) else _RETURN_AN_ARRAY
        raise NotPlainData(f"{path} is a {kind.__module__}.{kind.__qualname__}, not plain data ({hint})")

    def _mapping(self, tree, path: str, depth: int) -> dict:
        plain = {}
        for key, value in dict.items(tree):
            if type(key) is not str:
                raise NotPlainData(f"{path} has a key of type {type(key).__name__}; keys must be str")
            plain[key] = self.convert(value, f"{path}[{key!r}]", depth + 1)
        return plain


_SCALAR_TYPES = frozenset(np.dtype(s).type for s in ALLOWED_DTYPES)


def _tensor_array(tensor, path: str) -> np.ndarray:
    """A torch tensor's values as an array: detached, on the CPU, bfloat16 as float32."""
    import torch
    try:
        if tensor.layout != torch.strided:
            raise NotPlainData(f"{path} is a {tensor.layout} tensor; return a dense one (.to_dense())")
        value = tensor.detach().cpu().resolve_conj().resolve_neg()
        if value.dtype == torch.bfloat16:
            value = value.float()
        return value.numpy()
    except NotPlainData:
        raise
    except Exception as exc:  # noqa: BLE001 - quantized, meta, or a dtype NumPy lacks
        raise NotPlainData(f"{path} is a tensor that cannot be read as an array ({type(exc).__name__}: "
                           f"{str(exc)[:200]}); return a NumPy array") from None


def _plain_array(array: np.ndarray, path: str) -> np.ndarray:
    """``array`` as a C-ordered, little-endian array of the same shape (0-d stays 0-d)."""
    dtype = array.dtype
    if dtype.str not in ALLOWED_DTYPES and dtype.newbyteorder("=").str not in ALLOWED_DTYPES:
        raise NotPlainData(f"{path} has dtype {dtype}; only boolean and numeric arrays are graded")
    little = dtype.newbyteorder("<")
    if array.flags.c_contiguous and dtype == little:
        return array
    return np.array(array, dtype=little, order="C", copy=True)


# --- encoding (worker side) -------------------------------------------------------------

def encode_parts(message: dict, tree=None) -> tuple[bytes, list[memoryview]]:
    """One frame as its length and JSON header, then the raw bytes of each array (views of
    the arrays themselves: nothing is copied). ``tree`` must come from ``to_plain``."""
    arrays: list[np.ndarray] = []
    header = dict(message)
    if tree is not None or "tree" in message:
        header["tree"] = _encode_node(tree, arrays)
    header["arrays"] = [{"dtype": a.dtype.str, "shape": list(a.shape), "nbytes": a.nbytes}
                        for a in arrays]
    text = json.dumps(header, allow_nan=False, separators=(",", ":")).encode()
    return HEADER.pack(len(text)) + text, [memoryview(a.reshape(-1).view(np.uint8)) for a in arrays]


def encode(message: dict, tree=None) -> bytes:
    """One frame: ``message`` (JSON-able) plus an optional plain ``tree`` under "tree"."""
    head, parts = encode_parts(message, tree)
    return b"".join([head, *parts])


def _encode_node(node, arrays: list):
    if node is None:
        return None
    if isinstance(node, str):
        return {"s": node}
    if isinstance(node, np.ndarray):
        arrays.append(node)
        return {"a": len(arrays) - 1}
    if isinstance(node, dict):
        return {"d": {k: _encode_node(v, arrays) for k, v in node.items()}}
    if isinstance(node, list):
        return {"l": [_encode_node(v, arrays) for v in node]}
    raise NotPlainData(f"cannot encode {type(node).__name__}; call to_plain first")


# --- decoding (grader side) -------------------------------------------------------------

class FrameReader:
    """Reads frames one part at a time, each part straight into its final buffer.

    Memory: the header being read (at most ``MAX_HEADER_BYTES``) and the arrays of the frame
    being read, which are allocated only once the header has been checked and whose bytes
    together are at most ``max_frame_bytes`` (the caller may lower it between frames, e.g.
    to a submission's remaining budget). Every problem raises ProtocolError."""

    def __init__(self, max_frame_bytes: int):
        self.max_frame_bytes = max_frame_bytes
        self.last_frame_bytes = 0  # array bytes of the last frame completed
        self._begin()

    def _begin(self) -> None:
        self._stage = "length"
        self._target = memoryview(bytearray(HEADER.size))
        self._filled = 0
        self._frame: dict | None = None
        self._arrays: list[np.ndarray] = []
        self._next_array = 0

    @property
    def idle(self) -> bool:
        """True between frames (no part of a frame has been read)."""
        return self._stage == "length" and self._filled == 0

    def feed(self, data: bytes) -> list[dict]:
        """Every frame that ``data`` completes (bytes are copied once, into their buffer)."""
        frames, data = [], memoryview(data)
        while data:
            count = min(len(data), len(self._target) - self._filled)
            self._target[self._filled:self._filled + count] = data[:count]
            self._filled += count
            data = data[count:]
            frame = self._advance()
            if frame is not None:
                frames.append(frame)
        return frames

    def read_from(self, fd: int) -> tuple[dict | None, bool]:
        """Read from the non-blocking ``fd`` until a frame is complete or nothing is left
        to read now: ``(frame or None, end of file reached)``."""
        while True:
            try:
                count = os.readv(fd, [self._target[self._filled:]])
            except BlockingIOError:
                return None, False
            if count == 0:
                return None, True
            self._filled += count
            frame = self._advance()
            if frame is not None:
                return frame, False

    def _advance(self) -> dict | None:
        """Move past every full part; the finished frame, if this completed one."""
        while self._filled == len(self._target):
            if self._stage == "length":
                (length,) = HEADER.unpack(self._target)
                if length > MAX_HEADER_BYTES:
                    raise ProtocolError(f"a frame header of {length} bytes exceeds the {MAX_HEADER_BYTES} allowed")
                self._stage, self._target, self._filled = "header", memoryview(bytearray(length)), 0
            elif self._stage == "header":
                self._start_arrays(parse_header(self._target.obj))
            elif self._next_array < len(self._arrays):
                array = self._arrays[self._next_array]
                self._next_array += 1
                self._target, self._filled = memoryview(array.reshape(-1).view(np.uint8)), 0
            else:
                frame, self.last_frame_bytes = self._frame, self._frame_bytes
                self._begin()
                return frame
        return None

    def _start_arrays(self, header: dict) -> None:
        specs = array_specs(header["arrays"], self.max_frame_bytes)
        self._frame_bytes = sum(spec["nbytes"] for spec in header["arrays"])
        try:
            self._arrays = [np.empty(shape, dtype) for dtype, shape in specs]
        except (ValueError, MemoryError) as exc:
            raise ProtocolError(f"arrays of the shapes given cannot be made: {exc}") from None
        if "tree" in header:
            used = [0]
            header["tree"] = _decode_node(header["tree"], self._arrays, used, 0)
            if used[0] != len(self._arrays):
                raise ProtocolError(f"the header lists {len(self._arrays)} arrays, the tree uses {used[0]}")
        elif self._arrays:
            raise ProtocolError("a frame without a tree lists arrays")
        del header["arrays"]
        self._frame, self._stage = header, "arrays"
        self._target, self._filled = memoryview(b""), 0


def parse_header(raw: bytes | bytearray) -> dict:
    """A frame's JSON header, checked against the frame schema (ProtocolError if not)."""
    from grader import schema

    def refuse_constant(name):
        raise ValueError(f"the non-standard JSON constant {name}")

    def finite(text):
        value = float(text)
        if not math.isfinite(value):
            raise ValueError(f"the number {text[:40]} is not finite")
        return value
    try:
        header = json.loads(raw.decode("utf-8"), parse_constant=refuse_constant, parse_float=finite)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ProtocolError(f"a frame header that is not JSON ({str(exc)[:200]})") from None
    if not isinstance(header, dict) or header.get("kind") not in KINDS:
        kind = header.get("kind") if isinstance(header, dict) else header
        raise ProtocolError(f"a frame of unknown kind {str(kind)[:60]!r}")
    problem = schema.first_problem(header, "frame", f"#/$defs/{header['kind']}")
    if problem:
        raise ProtocolError(f"a malformed {header['kind']!r} frame ({problem[:300]})")
    return header


def array_specs(specs: list, max_frame_bytes: int) -> list[tuple[np.dtype, tuple]]:
    """Check every array spec (allowed dtype, shape against byte count) and the total
    against ``max_frame_bytes``; ``(dtype, shape)`` of each."""
    checked, total = [], 0
    for spec in specs:
        if spec["dtype"] not in ALLOWED_DTYPES:
            raise ProtocolError(f"array spec {str(spec)[:100]} has no allowed dtype")
        shape, dtype = spec["shape"], np.dtype(spec["dtype"])
        if any(n > MAX_DIMENSION for n in shape) or math.prod(shape) * dtype.itemsize != spec["nbytes"]:
            raise ProtocolError(f"array spec {str(spec)[:100]}: shape and byte count disagree")
        total += spec["nbytes"]
        if total > max_frame_bytes:
            raise ProtocolError(f"a frame of more than {total} bytes of arrays exceeds the output limit of "
                                f"{max_frame_bytes} bytes")
        checked.append((dtype, tuple(shape)))
    return checked


def _decode_node(node, arrays: list, used: list, depth: int):
    """A tree node; array indices must appear in order, each once (as ``encode`` writes them)."""
    if depth > _MAX_DEPTH + 1:
        raise ProtocolError("tree nested too deeply")
    if node is None:
        return None
    if isinstance(node, dict) and len(node) == 1:
        (tag, value), = node.items()
        if tag == "s" and isinstance(value, str):
            return value
        if tag == "a" and type(value) is int and value == used[0] < len(arrays):
            used[0] += 1
            return arrays[value]
        if tag == "d" and isinstance(value, dict):
            return {k: _decode_node(v, arrays, used, depth + 1) for k, v in value.items()}
        if tag == "l" and isinstance(value, list):
            return [_decode_node(v, arrays, used, depth + 1) for v in value]
    raise ProtocolError(f"malformed tree node {str(node)[:100]}")

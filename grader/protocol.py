"""What crosses the trust boundary, and how: plain data as JSON plus raw array bytes.

``to_plain`` turns an output tree into plain data (dicts with str keys, lists, exact
``numpy.ndarray`` of a numeric dtype, exact ``torch.Tensor`` converted to an array,
Python and NumPy scalars as 0-d arrays, str, None) or raises NotPlainData naming the
offending path. ndarray subclasses, objects and callables never cross.

A frame on the wire::

    8 bytes little-endian header length | JSON header | array bytes, back to back

The reader checks the header length, every dtype against an allow-list, every shape
against its byte count and the frame against a size cap before it allocates anything;
nothing it reads can execute code (no pickle anywhere).
"""
from __future__ import annotations

import json
import math
import struct
from dataclasses import dataclass

import numpy as np

HEADER = struct.Struct("<Q")
MAX_HEADER_BYTES = 4 << 20
ALLOWED_DTYPES = frozenset(
    np.dtype(name).str for name in
    ("bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
     "float16", "float32", "float64", "complex64", "complex128"))
_MAX_DEPTH = 32


class NotPlainData(Exception):
    """A value that may not cross the boundary; the message names where it was found."""


class ProtocolError(Exception):
    """A malformed frame: the worker's message cannot be trusted or read."""


def _torch_tensor_type():
    import sys
    torch = sys.modules.get("torch")
    return getattr(torch, "Tensor", None) if torch is not None else None


def to_plain(tree, path: str = "output", depth: int = 0):
    """The canonical plain-data form of ``tree`` (see the module docstring)."""
    if depth > _MAX_DEPTH:
        raise NotPlainData(f"{path} is nested more than {_MAX_DEPTH} levels deep")
    kind = type(tree)
    if tree is None or kind is str:
        return tree
    if kind in (bool, int, float, complex):
        if kind is int and abs(tree) >= 1 << 63:
            raise NotPlainData(f"{path} is an integer too large for int64")
        return np.asarray(tree)
    if isinstance(tree, np.generic) and kind in _SCALAR_TYPES:
        return np.asarray(tree)
    if kind is np.ndarray:
        return _plain_array(tree, path)
    tensor = _torch_tensor_type()
    if tensor is not None and kind is tensor:
        return _plain_array(tree.detach().cpu().resolve_conj().resolve_neg().numpy().copy(), path)
    if kind is dict:
        plain = {}
        for key, value in tree.items():
            if type(key) is not str:
                raise NotPlainData(f"{path} has a key of type {type(key).__name__}; keys must be str")
            plain[key] = to_plain(value, f"{path}[{key!r}]", depth + 1)
        return plain
    if kind in (list, tuple):
        return [to_plain(value, f"{path}[{i}]", depth + 1) for i, value in enumerate(tree)]
    raise NotPlainData(f"{path} is a {kind.__module__}.{kind.__qualname__}, not plain data "
                       "(return NumPy arrays, numbers, or lists/tuples/dicts of them)")


_SCALAR_TYPES = frozenset(np.dtype(s).type for s in ALLOWED_DTYPES)


def _plain_array(array: np.ndarray, path: str) -> np.ndarray:
    if array.dtype.str not in ALLOWED_DTYPES and array.dtype.newbyteorder("=").str not in ALLOWED_DTYPES:
        raise NotPlainData(f"{path} has dtype {array.dtype}; only boolean and numeric arrays are graded")
    return np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("<"))


# --- encoding (worker side) -------------------------------------------------------------

def encode(message: dict, tree=None) -> bytes:
    """One frame: ``message`` (JSON-able) plus an optional plain ``tree`` under "tree"."""
    arrays: list[np.ndarray] = []
    header = dict(message)
    if tree is not None or "tree" in message:
        header["tree"] = _encode_node(tree, arrays)
    header["arrays"] = [{"dtype": a.dtype.str, "shape": list(a.shape), "nbytes": a.nbytes}
                        for a in arrays]
    text = json.dumps(header, allow_nan=False, separators=(",", ":")).encode()
    return b"".join([HEADER.pack(len(text)), text, *(a.tobytes() for a in arrays)])


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

@dataclass
class FrameReader:
    """Accumulates bytes from a pipe and yields complete, checked frames."""

    max_frame_bytes: int
    buffer: bytearray = None

    def __post_init__(self):
        self.buffer = bytearray()

    def feed(self, data: bytes) -> list[dict]:
        self.buffer += data
        frames = []
        while True:
            frame = self._next()
            if frame is None:
                return frames
            frames.append(frame)

    def _next(self) -> dict | None:
        if len(self.buffer) < HEADER.size:
            return None
        (length,) = HEADER.unpack_from(self.buffer)
        if length > MAX_HEADER_BYTES:
            raise ProtocolError(f"frame header of {length} bytes exceeds {MAX_HEADER_BYTES}")
        if len(self.buffer) < HEADER.size + length:
            return None
        header = _parse_header(bytes(self.buffer[HEADER.size:HEADER.size + length]))
        specs = _array_specs(header, self.max_frame_bytes)
        total = HEADER.size + length + sum(nbytes for _, _, nbytes in specs)
        if len(self.buffer) < total:
            return None
        arrays, offset = [], HEADER.size + length
        for dtype, shape, nbytes in specs:
            chunk = bytes(self.buffer[offset:offset + nbytes])
            arrays.append(np.frombuffer(chunk, dtype=dtype).reshape(shape).copy())
            offset += nbytes
        del self.buffer[:total]
        if "tree" in header:
            header["tree"] = _decode_node(header["tree"], arrays, 0)
        return header


def _parse_header(raw: bytes) -> dict:
    def refuse_constant(name):
        raise ProtocolError(f"non-standard JSON constant {name}")
    try:
        header = json.loads(raw.decode("utf-8"), parse_constant=refuse_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ProtocolError(f"frame header is not JSON: {exc}") from None
    if not isinstance(header, dict) or not isinstance(header.get("arrays"), list):
        raise ProtocolError("frame header is not an object with an 'arrays' list")
    return header


def _array_specs(header: dict, max_frame_bytes: int) -> list[tuple[np.dtype, tuple, int]]:
    specs, total = [], 0
    for spec in header["arrays"]:
        if not isinstance(spec, dict) or spec.get("dtype") not in ALLOWED_DTYPES:
            raise ProtocolError(f"array spec {str(spec)[:100]} has no allowed dtype")
        shape, nbytes = spec.get("shape"), spec.get("nbytes")
        if (not isinstance(shape, list) or len(shape) > 32
                or not all(type(n) is int and n >= 0 for n in shape) or type(nbytes) is not int):
            raise ProtocolError(f"array spec {str(spec)[:100]} has a malformed shape or size")
        dtype = np.dtype(spec["dtype"])
        if math.prod(shape) * dtype.itemsize != nbytes:
            raise ProtocolError(f"array spec {str(spec)[:100]}: shape and byte count disagree")
        total += nbytes
        if total > max_frame_bytes:
            raise ProtocolError(f"frame exceeds the output limit of {max_frame_bytes} bytes")
        specs.append((dtype, tuple(shape), nbytes))
    return specs


def _decode_node(node, arrays: list, depth: int):
    if depth > _MAX_DEPTH + 1:
        raise ProtocolError("tree nested too deeply")
    if node is None:
        return None
    if isinstance(node, dict) and len(node) == 1:
        (tag, value), = node.items()
        if tag == "s" and isinstance(value, str):
            return value
        if tag == "a" and type(value) is int and 0 <= value < len(arrays):
            return arrays[value]
        if tag == "d" and isinstance(value, dict):
            return {str(k): _decode_node(v, arrays, depth + 1) for k, v in value.items()}
        if tag == "l" and isinstance(value, list):
            return [_decode_node(v, arrays, depth + 1) for v in value]
    raise ProtocolError(f"malformed tree node {str(node)[:100]}")

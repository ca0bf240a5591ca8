"""Correct functions; at import, scans its whole readable address space for text that an
earlier submission of the same batch held (markers "PLANTED" + "-MARKER-" + 32 hex
digits) and prints every marker it finds. /proc is not visible in the sandbox, so the
mappings are found by probing the address space with mmap(MAP_FIXED_NOREPLACE), and
memory is read through a pipe (write() refuses unreadable pages instead of crashing).
A self-check marker planted here must be found, or the scan proves nothing."""
import ctypes
import errno
import os
import re
import secrets

import numpy as np

PREFIX = ("PLANTED" + "-MARKER-").encode()
PAGE = os.sysconf("SC_PAGE_SIZE")
PROT_NONE, MAP_PRIVATE, MAP_ANONYMOUS, MAP_FIXED_NOREPLACE = 0, 0x02, 0x20, 0x100000
_libc = ctypes.CDLL(None, use_errno=True)
_libc.mmap.restype = ctypes.c_void_p
_libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
_libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]


def _anything_mapped(start, length):
    address = _libc.mmap(start, length, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0)
    if address is not None and address != ctypes.c_void_p(-1).value:
        _libc.munmap(address, length)
        return address != start  # an old kernel took the address as a hint only
    return True  # EEXIST (something is there), or too large to map: look closer


def mapped_ranges(low=0x10000, high=0x7FFFFFFFF000):
    ranges, stack = [], [(low, high)]
    while stack:
        start, end = stack.pop()
        if not _anything_mapped(start, end - start):
            continue
        if end - start <= PAGE:
            if ranges and ranges[-1][1] == start:
                ranges[-1] = (ranges[-1][0], end)
            else:
                ranges.append((start, end))
            continue
        middle = start + ((end - start) // 2 // PAGE) * PAGE
        stack += [(middle, end), (start, middle)]  # lower half first
    return ranges


def scan(ranges, chunk=1 << 20):
    read_end, write_end = os.pipe()
    os.set_blocking(write_end, False)
    try:
        import fcntl
        fcntl.fcntl(write_end, 1031, chunk)  # F_SETPIPE_SZ
    except OSError:
        chunk = 1 << 16
    found, scanned = set(), 0
    for start, end in ranges:
        address, tail = start, b""
        while address < end:
            size = min(chunk, end - address)
            try:
                count = os.write(write_end, (ctypes.c_char * size).from_address(address))
            except OSError as exc:
                if exc.errno != errno.EFAULT:
                    raise
                address, tail = address + PAGE, b""  # an unreadable page
                continue
            data = tail + os.read(read_end, count)
            scanned += count
            found.update(m.group(1).decode() for m in re.finditer(re.escape(PREFIX) + rb"([0-9a-f]{32})", data))
            tail, address = data[-64:], address + count
    os.close(read_end)
    os.close(write_end)
    return found, scanned


self_check = PREFIX.decode() + secrets.token_hex(16)
ranges = mapped_ranges()
markers, scanned = scan(ranges)
mine = self_check[len(PREFIX):]
print(f"scanned {scanned >> 20} MiB in {len(ranges)} ranges; self-check found: {mine in markers}")
print("markers found:", sorted(markers - {mine}))


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

"""A submission's captured output (its stdout and stderr): capped, runtime noise removed.

Only the first ``cap`` bytes are kept for the report (plus a little room for noise lines
that are removed); the total is counted. Known noise that the grading environment's
libraries print by themselves (not the student's code) is removed from what is kept, so
that the report's output is the student's.
"""
from __future__ import annotations

import re

# Lines libraries of the runtime print on their own inside the sandbox.
RUNTIME_NOISE = re.compile(
    rb"^(?:"
    rb"(?:Error|Warning) in cpuinfo: [^\n]*"  # torch's CPU detection, where /proc and /sys are hidden
    rb")(?:\n|$)", re.MULTILINE)
_ROOM_FOR_NOISE = 4096


class Output:
    """Collects output bytes as they come; ``text()`` is what the report shows."""

    def __init__(self, cap: int):
        self.cap, self.kept, self.total = cap, bytearray(), 0

    def add(self, data: bytes) -> None:
        self.total += len(data)
        room = self.cap + _ROOM_FOR_NOISE - len(self.kept)
        if room > 0:
            self.kept += data[:room]

    def _clean(self) -> tuple[bytes, int]:
        """The kept bytes without noise lines, and how many noise bytes were removed."""
        raw = bytes(self.kept)
        clean = RUNTIME_NOISE.sub(b"", raw)
        return clean, len(raw) - len(clean)

    @property
    def student_bytes(self) -> int:
        """Bytes the submission wrote (noise seen in the kept part not counted)."""
        return self.total - self._clean()[1]

    def text(self) -> str:
        clean, noise = self._clean()
        shown = clean[:self.cap]
        text = shown.decode("utf-8", "replace")
        more = self.total - noise - len(shown)
        if more > 0:
            text += f"\n[... {more} more bytes of output not kept]"
        return text

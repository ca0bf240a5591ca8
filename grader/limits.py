"""Resource limits for grading one submission: an object with named defaults."""
from __future__ import annotations

from dataclasses import dataclass

KIB, MIB, GIB = 1 << 10, 1 << 20, 1 << 30
SUBMISSION_TIMEOUT_FACTOR = 6  # a submission's default time budget, in per-test time limits (grader.budget)


@dataclass(frozen=True)
class Limits:
    timeout_s: float = 10.0            # wall clock per test (and for loading the submission)
    submission_timeout_s: float | None = None  # all of a submission's tests; None: the factor x timeout_s
    memory_bytes: int = 4 * GIB        # per submission (cgroup where available, else address space)
    output_bytes_kept: int = 4 * KIB   # of the submission's stdout+stderr kept in the report
    max_result_bytes: int = 256 * MIB  # one test's outputs on the wire
    max_submission_result_bytes: int = 1 * GIB  # all the outputs of one submission's tests
    max_source_bytes: int = 4 * MIB    # the code graded: a .py file, or a notebook's code cells
    max_notebook_bytes: int = 128 * MIB  # a notebook file, outputs included (read to find its code)
    max_zip_bytes: int = 64 * MIB      # a zip inside a zip, read into memory to look inside
    max_processes: int = 64            # processes and threads the submission may have at once
    max_open_files: int = 256
    max_file_bytes: int = 64 * MIB     # largest file the submission may write
    scratch_bytes: int = 64 * MIB      # its private /tmp

    def __post_init__(self):
        if not self.timeout_s > 0:
            raise ValueError(f"timeout must be positive seconds, got {self.timeout_s!r}")
        if self.submission_timeout_s is not None and not self.submission_timeout_s > 0:
            raise ValueError(f"submission timeout must be positive seconds, got {self.submission_timeout_s!r}")
        if self.memory_bytes < 64 * MIB:
            raise ValueError(f"memory limit {self.memory_bytes} bytes is below 64 MiB; "
                             "the Python runtime alone needs more")
        if not 0 < self.max_result_bytes <= self.max_submission_result_bytes:
            raise ValueError(f"output caps: {self.max_result_bytes} bytes per test must be positive and at "
                             f"most the {self.max_submission_result_bytes} bytes per submission")

    @property
    def submission_seconds(self) -> float:
        """The time budget of one submission's code, load and tests together (grader.budget)."""
        if self.submission_timeout_s is not None:
            return self.submission_timeout_s
        return SUBMISSION_TIMEOUT_FACTOR * self.timeout_s


def megabytes(size: int) -> str:
    """``size`` bytes for a person: ``"70.0 MB"`` (10**6 bytes), ``"0.4 MB"``, ``"< 0.1 MB"``."""
    if 0 < size < 50_000:
        return "< 0.1 MB"
    return f"{size / 1e6:.1f} MB"

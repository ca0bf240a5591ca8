"""The grader's exit codes: a documented, closed set."""
from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0             # every submission got a report (whatever the scores, unless --fail-under);
                       # check: all visible tests pass
    TESTS_FAILED = 1   # `grader check`: some visible test failed; `grader audit`, `validate`: a finding;
                       # `grader grade --fail-under`: a submission scored below the threshold
    USAGE = 2          # bad command line, unknown assignment, missing path, ambiguous class folder: nothing graded
    GRADER_FAULT = 3   # the course is broken (bad rubric, failing reference) or the grader crashed
    STRICT_REFUSED = 4 # --strict and a required isolation layer is unavailable

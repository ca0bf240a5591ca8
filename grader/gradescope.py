"""Gradescope: an autograder.zip in Gradescope's documented format, for one assignment.

Gradescope (gradescope-autograders.readthedocs.io, "Autograder Specifications") unpacks
the zip into ``/autograder/source``, runs ``setup.sh`` once as root while it builds the
image, copies ``run_autograder`` to ``/autograder/run_autograder`` and runs it for every
submission, with the student's files in ``/autograder/submission``; the results go to
``/autograder/results/results.json``. The zip holds, at its root::

    setup.sh          a Python >= 3.11 venv at /autograder/venv with the grader's wheel
                      (and PyTorch's CPU build for a torch assignment)
    run_autograder    grade the submission with the course below, then export the report
                      for the *student* audience as results.json
    wheels/           the grader's wheel
    course/           this assignment only: its folder, reference, mistakes and rubric

Tests are shown with their rubric visibility; Gradescope shows ``after_due_date`` tests
only after the due date, so they are exported as after the due date (their messages
without expected values, grader.audience); hidden tests show name, status and points.
``GRADER_AUTOGRADER_ROOT`` replaces ``/autograder`` (for tests only), ``GRADER_PYTHON`` the
interpreter setup.sh uses and ``GRADER_TORCH_INDEX`` where PyTorch's CPU wheels come from.
"""
from __future__ import annotations

import base64
import hashlib
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from grader.assignment import Assignment

SETUP = r"""#!/usr/bin/env bash
# Gradescope runs this once, as root, while it builds the autograder's image.
set -euo pipefail
ROOT="${GRADER_AUTOGRADER_ROOT:-/autograder}"  # another root: for the grader's own tests only
PYTHON="${GRADER_PYTHON:-}"
if [ -z "$PYTHON" ]; then
  for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
      PYTHON="$candidate"; break
    fi
  done
fi
if [ -z "$PYTHON" ]; then  # an Ubuntu image without Python 3.11
  apt-get install -y python3.11 python3.11-venv
  PYTHON=python3.11
fi
"$PYTHON" -m venv "$ROOT/venv"
WHEEL="$(ls "$ROOT"/source/wheels/mlgrader-*.whl | head -n 1)"
__INSTALL__
"$ROOT/venv/bin/grader" list --course "$ROOT/source/course"
"""

INSTALL_NUMPY = '"$ROOT/venv/bin/pip" install --quiet "$WHEEL"'
INSTALL_TORCH = ('"$ROOT/venv/bin/pip" install --quiet --extra-index-url '
                 '"${GRADER_TORCH_INDEX:-https://download.pytorch.org/whl/cpu}" "$WHEEL[torch]"')

RUN = r"""#!/usr/bin/env bash
# Gradescope runs this for every submission; it writes results/results.json for the student.
set -uo pipefail
ROOT="${GRADER_AUTOGRADER_ROOT:-/autograder}"  # another root: for the grader's own tests only
REPORTS="$(mktemp -d)"
mkdir -p "$ROOT/results"
"$ROOT/venv/bin/grader" grade -a __NAME__ --one --course "$ROOT/source/course" -o "$REPORTS" "$ROOT/submission"
graded=$?
if [ "$graded" -ne 0 ]; then
  echo "grader grade exited with $graded (see above): no results were written, so Gradescope reports a failed run"
  exit "$graded"
fi
"$ROOT/venv/bin/grader" export -f gradescope --audience student --after-due-date \
  -o "$ROOT/results/results.json" "$REPORTS"/*.json
"""

_COURSE_IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints")


def build(found: Assignment, output: Path, wheel: Path | None = None) -> Path:
    """Write ``output`` (autograder.zip) for ``found``; ``wheel``: the grader's wheel
    (default: built from this grader's checkout, or repacked from its installation)."""
    with tempfile.TemporaryDirectory(prefix="grader-gradescope-") as staging:
        staging = Path(staging)
        wheel = Path(wheel) if wheel else grader_wheel(staging / "built")
        install = INSTALL_TORCH if found.framework == "torch" else INSTALL_NUMPY
        files = {"setup.sh": SETUP.replace("__INSTALL__", install).encode(),
                 "run_autograder": RUN.replace("__NAME__", found.name).encode()}
        course = _course(found, staging / "course")
        output.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in files.items():
                info = zipfile.ZipInfo(name)
                info.external_attr = 0o100755 << 16  # executable: Gradescope runs both
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, data)
            archive.write(wheel, f"wheels/{wheel.name}")
            for path in sorted(course.rglob("*")):
                if path.is_file():
                    archive.write(path, f"course/{path.relative_to(course).as_posix()}")
    return output


def _course(found: Assignment, target: Path) -> Path:
    """A course folder holding ``found`` only."""
    root = found.root
    shutil.copytree(found.folder, target / "assignments" / found.name, ignore=_COURSE_IGNORED)
    (target / "reference").mkdir(parents=True)
    shutil.copy2(found.reference_path, target / "reference" / found.reference_path.name)
    mistakes = root / "reference" / "mistakes" / found.name
    if mistakes.is_dir():
        shutil.copytree(mistakes, target / "reference" / "mistakes" / found.name, ignore=_COURSE_IGNORED)
    (target / "rubrics").mkdir()
    shutil.copy2(found.rubric_path, target / "rubrics" / found.rubric_path.name)
    return target


def grader_wheel(folder: Path) -> Path:
    """A wheel of this very grader: built from its checkout, or repacked from the
    installed distribution (its files as installed, with a fresh RECORD)."""
    folder.mkdir(parents=True, exist_ok=True)
    package = Path(__file__).resolve().parent
    checkout = package.parent
    if (checkout / "pyproject.toml").is_file() and (checkout / "setup.py").is_file():
        subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
                        "-w", str(folder), str(checkout)], check=True, capture_output=True)
        return next(folder.glob("mlgrader-*.whl"))
    return _repack(folder)


def _repack(folder: Path) -> Path:
    from importlib import metadata
    distribution = metadata.distribution("mlgrader")
    version = distribution.version
    info = f"mlgrader-{version}.dist-info"
    target = folder / f"mlgrader-{version}-py3-none-any.whl"
    records = []
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in distribution.files or ():
            name = file.as_posix()
            if name.startswith("..") or "__pycache__" in name or name.endswith(".pyc") or \
                    name.split("/", 1)[0] not in ("grader", info) or \
                    name.rsplit("/", 1)[-1] in ("RECORD", "INSTALLER", "REQUESTED", "direct_url.json"):
                continue
            data = Path(file.locate()).read_bytes()
            archive.writestr(name, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            records.append(f"{name},sha256={digest},{len(data)}")
        records.append(f"{info}/RECORD,,")
        archive.writestr(f"{info}/RECORD", "\n".join(records) + "\n")
    return target

"""A throw-away PostgreSQL server for one test: initdb in a temporary folder, listening on
a Unix socket only (no TCP port), run as an unprivileged user when the tests run as root
(PostgreSQL refuses root). ``server()`` yields a SQLAlchemy URL, or skips the test where
the machine has no PostgreSQL binaries (outside CI; in CI that fails, as CI machines have them)."""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path

from conftest import require_layers

BINARIES = ("/usr/lib/postgresql/15/bin", "/usr/local/bin", "/usr/bin")


def _binary(name: str) -> str | None:
    for folder in BINARIES:
        if os.access(Path(folder) / name, os.X_OK):
            return str(Path(folder) / name)
    return shutil.which(name)


def _as_user():
    if os.geteuid() != 0:
        return None

    def drop():
        os.setgid(65534)
        os.setuid(65534)
    return drop


@contextmanager
def server():
    initdb, pg_ctl = _binary("initdb"), _binary("pg_ctl")
    require_layers(initdb is not None and pg_ctl is not None, "PostgreSQL's initdb and pg_ctl are not installed")
    try:
        import psycopg  # noqa: F401
    except ImportError:
        require_layers(False, "psycopg is not installed")
    folder = Path(tempfile.mkdtemp(prefix="grader-pg-"))
    folder.chmod(0o755)
    if os.geteuid() == 0:
        os.chown(folder, 65534, 65534)
    data, socket_dir = folder / "data", folder
    run = dict(preexec_fn=_as_user(), capture_output=True, text=True, timeout=120, cwd=folder)
    try:
        made = subprocess.run([initdb, "-D", str(data), "-U", "grader", "--auth=trust", "-E", "UTF8"], **run)
        assert made.returncode == 0, made.stderr
        started = subprocess.run([pg_ctl, "-D", str(data), "-l", str(folder / "log"), "-w", "start", "-o",
                                  f"-k {socket_dir} -c listen_addresses='' -c fsync=off"], **run)
        assert started.returncode == 0, started.stderr + (folder / "log").read_text()
        yield f"postgresql+psycopg://grader@/postgres?host={socket_dir}"
    finally:
        subprocess.run([pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"], **run)
        shutil.rmtree(folder, ignore_errors=True)

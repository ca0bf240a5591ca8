"""Benchmark: submissions per second graded locally (-j N) and on a Dask LocalCluster of N
worker processes, on this machine, with the client's own cost per submission.

    python bench/cluster_throughput.py [--count 120] [--workers 2]

The submissions are bench/grade_many.py's softmax modules (a third correct, a third with a
bug, a third that raise; 18 tests each). Start-up (zygotes, the LocalCluster, the canary on
every worker) is timed apart; the rates are the steady state, one batch after the other in
one run (this machine is shared: compare the two rates with each other, not with another
run). The client's cost is what the client does per submission whatever the executor:
loading (parse only), recording the report in a SQLite gradebook and writing its file.

Scaling on N machines: each Dask worker grades on its own (its zygotes fork a sandboxed
child per submission; nothing is shared between workers but the scheduler), so the rate
grows with the total number of worker threads, about (rate of one local -j 1 grader) x
(worker threads), while the work per submission outweighs what is central. Central are the
client (the cost printed below, one core) and the scheduler (about a millisecond of its
time per task). With this client cost, a class on many machines tops out near
1 / (client cost) submissions per second; on one machine, as here, a LocalCluster cannot
beat local -j N (same cores, plus pickling and scheduling), so it is for many machines,
not for one.

Measured on the 2-core shared machine of this project (2026-11-30, two runs, 120 modules):
local -j 2 22.6 and 22.5 submissions/s; LocalCluster of 2 workers 19.8 and 18.7 (ratio
0.88 and 0.83); start-up 1.1 s local, 2.9 s for the LocalCluster; client cost 5.9 and
6.5 ms per submission (a ceiling near 150-170 submissions/s, about 8 machines of 2 cores
at this per-core rate before the client is the limit; a PostgreSQL gradebook or several
clients, one per assignment, lift it).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from grade_many import make  # noqa: E402

from grader import assignment, fingerprint, rubric, sandbox, submission  # noqa: E402
from grader.bookkeeper import Bookkeeper  # noqa: E402
from grader.cluster import Cluster  # noqa: E402
from grader.gradebook import Gradebook, default_url  # noqa: E402
from grader.grading import Grader, Options  # noqa: E402


def timed(label: str, work) -> float:
    started = time.perf_counter()
    work()
    elapsed = time.perf_counter() - started
    print(f"{label}: {elapsed:.2f} s")
    return elapsed


def client_cost(found, loaded_again, paths: list[Path], folder: Path, documents: list[dict]) -> float:
    """Seconds per submission the client spends: load + one gradebook row + the report file."""
    started = time.perf_counter()
    loaded = loaded_again()
    with Gradebook.open(default_url(folder)) as book:
        keeper = Bookkeeper(book, fingerprint.version(found), 1, folder)
        batch = keeper._start("bench")
        for i, (each, document) in enumerate(zip(loaded, documents)):
            keeper.keep(document, folder / f"r{i}.json", f"student{i}", f"key{i}", batch)
    return (time.perf_counter() - started) / len(paths)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=120)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    found = assignment.load("softmax", assignment.course_root())
    scores, layers = rubric.load(found), sandbox.detect()
    options = Options(seed=1, jobs=args.workers)
    with tempfile.TemporaryDirectory() as tmp:
        paths, _ = make(Path(tmp), args.count)
        load = lambda: [submission.load(p, "softmax", options.limits) for p in paths]  # noqa: E731
        loaded = load()
        rates = {}
        with Grader(found, scores, layers, options) as grader:
            timed(f"local -j {args.workers}: start-up (zygotes, canary)", grader.canary)
            grader.grade_all(loaded[:args.workers])
            documents: list = []
            elapsed = timed(f"local -j {args.workers}: {len(loaded)} submissions",
                            lambda: documents.extend(grader.grade_all(loaded)))
            rates["local"] = len(loaded) / elapsed
        cluster = None

        def start():
            nonlocal cluster
            cluster = Cluster(found, options, local=args.workers)
            cluster.canary()
        timed(f"LocalCluster of {args.workers} workers: start-up (processes, canary on each)", start)
        try:
            elapsed = timed(f"LocalCluster of {args.workers} workers: {len(loaded)} submissions",
                            lambda: cluster.grade_all(loaded))
            rates["cluster"] = len(loaded) / elapsed
        finally:
            cluster.close()
        cost = client_cost(found, load, paths, Path(tmp) / "client", documents)
    print(f"local -j {args.workers}: {rates['local']:.1f} submissions/s; LocalCluster of {args.workers}: "
          f"{rates['cluster']:.1f} submissions/s (ratio {rates['cluster'] / rates['local']:.2f})")
    print(f"client cost: {cost * 1000:.1f} ms per submission (load, gradebook row, report file): "
          f"a ceiling near {1 / cost:.0f} submissions/s however many machines grade")


if __name__ == "__main__":
    main()

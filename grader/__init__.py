"""grader: an autograder for machine-learning courses."""
__version__ = "0.2.0"


def check(path=None, *, release=None, timeout=None):
    """Check your work against the release beside it: ``import grader; grader.check()``.

    In a notebook (Jupyter, IPython) with no ``path``: what the kernel has run, every cell
    in the order it ran; with ``path``: that .py or .ipynb file as saved; in a script: the
    script. Runs in the same sandbox as `grader check` and prints the same explanations;
    returns a ``grader.kernel.Result`` (None when the check could not run). See
    grader/kernel.py. Inside a grading worker (your notebook being graded) it does nothing.
    """
    import sys
    if "grader.worker" in sys.modules:  # this very call, in a cell being graded: nothing to do
        return None
    from grader.kernel import check as run
    return run(path, release=release, timeout=timeout)

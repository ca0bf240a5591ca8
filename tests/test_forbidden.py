"""Forbidden routines are found statically (through aliases and helpers) and at run time."""
from __future__ import annotations

from conftest import ROOT, SUBMISSIONS
from grader.assignment import Forbidden
from grader.forbidden import scan
from grader.submission import CodeUnit, unit_name

NUMPY_ONLY = Forbidden(modules=("torch", "scipy"))
ATTENTION = Forbidden(calls=("torch.nn.functional.scaled_dot_product_attention", "torch.nn.MultiheadAttention"))


def _scan(source: str, forbidden: Forbidden):
    return scan((CodeUnit(source, unit_name("s.py"), "module"),), forbidden)


def test_module_level_import_taints_the_functions_that_use_it_and_their_callers():
    result = _scan("import numpy as np\nimport torch as T\n\ndef helper(z):\n    return T.softmax(z, 0)\n\n"
                   "def softmax(z):\n    return helper(z)\n\ndef other(z):\n    return np.exp(z)\n", NUMPY_ONLY)
    assert set(result.tainted) == {"helper", "softmax"}
    assert result.blocking(("softmax",)) == "`softmax` uses the forbidden `import torch` (<s.py>, line 2)"
    assert result.blocking(("other",)) == ""


def test_function_level_from_import_is_found_in_its_function():
    result = _scan("def fit(X):\n    from scipy.linalg import lstsq\n    return lstsq(X, X)\n", NUMPY_ONLY)
    assert "from scipy.linalg import lstsq" in result.blocking(("fit",))


def test_forbidden_calls_through_aliases():
    result = _scan("import torch.nn.functional as F\nfrom torch import nn\nsdpa = F.scaled_dot_product_attention\n\n"
                   "def attend(q, k, v):\n    return sdpa(q, k, v)\n\nclass M(nn.Module):\n    def __init__(self):\n"
                   "        self.inner = nn.MultiheadAttention(4, 2)\n\ndef fine(x):\n    return F.softmax(x, -1)\n",
                   ATTENTION)
    assert "attend" in result.tainted and "M" in result.tainted and "fine" not in result.tainted


def test_dynamic_use_is_caught_at_run_time(grade, tmp_path):
    sneaky = tmp_path / "softmax.py"
    sneaky.write_text((SUBMISSIONS / "sys_exit_at_import.py").read_text().replace(
        "sys.exit(1)", "import importlib\n\n\ndef softmax(z, axis=-1):  # noqa: F811\n"
        "    t = importlib.import_module('to' + 'rch')\n    return t.softmax(t.from_numpy(z), axis).numpy()\n"))
    report = grade(sneaky)
    rows = next(t for t in report["tests"] if t["id"] == "softmax_rows")
    assert rows["status"] == "failed" and rows["score"] == 0
    assert "forbidden `import torch`" in rows["message"] and "detected while the test ran" in rows["message"]
    assert next(t for t in report["tests"] if t["id"] == "log_softmax_rows")["status"] == "passed"


def test_example_using_torch_loses_only_the_softmax_points(grade):
    report = grade(ROOT / "examples" / "softmax" / "cleo_uses_torch.py")
    for test in report["tests"]:
        assert (test["score"] == 0) == test["id"].startswith("softmax"), test["id"]


def test_attention_calling_torch_sdpa_loses_the_tests_that_reach_it(grade, course):
    report = grade(SUBMISSIONS / "attention_uses_forbidden_sdpa.py", name="attention")
    for test in report["tests"]:
        if course["attention"].probe(test["id"]).calls == ("causal_mask",):
            assert test["status"] == "passed", test["id"]
        else:  # reaches scaled_dot_product_attention, directly or through MultiHeadAttention
            assert test["score"] == 0 and "forbidden" in test["message"], test["id"]
    first = report["tests"][0]
    assert "`torch.nn.functional.scaled_dot_product_attention`" in first["message"]
    assert "<attention_uses_forbidden_sdpa.py>, line 15" in first["message"]


def test_a_forbidden_module_that_is_not_installed_costs_only_its_users(grade, tmp_path):
    submission = tmp_path / "softmax.py"
    submission.write_text((SUBMISSIONS / "sys_exit_at_import.py").read_text().replace(
        "import sys\n", "import sys\nimport scipy.special\nfrom scipy.special import logsumexp\n").replace(
        "sys.exit(1)", "\n\ndef softmax(z, axis=-1):  # noqa: F811\n    return scipy.special.softmax(z, axis=axis)\n"))
    report = grade(submission)
    assert report["import_errors"] == []
    for test in report["tests"]:
        if test["id"].startswith("softmax"):
            assert test["score"] == 0 and "forbidden `import scipy" in test["message"], test["id"]
        else:
            assert test["status"] == "passed", test["id"]

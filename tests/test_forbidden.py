"""Forbidden routines are found statically (through aliases and helpers) and at run time."""
from __future__ import annotations

import pytest
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


FORBIDDEN_SPELLINGS = [  # fixture, the functions that use torch, what the message names
    ("dunder_import_torch_at_module_level.py", ("softmax", "log_softmax"),
     "forbidden `import torch` (<dunder_import_torch_at_module_level.py>, line 5)"),
    ("imports_torch_by_computed_name_at_load.py", ("softmax",),
     "forbidden `import torch` (<imports_torch_by_computed_name_at_load.py>, line 7)"),
    ("torch_by_aliases_of_importlib_sys_modules_and_builtins.py", ("softmax", "log_softmax", "cross_entropy"),
     "forbidden `import torch"),
    ("exec_imports_torch_at_load.py", ("softmax",),
     # torch is not loaded where NumPy assignments are graded: the first call is the event
     "forbidden `torch.from_numpy` (<exec_imports_torch_at_load.py>, line 8, detected while the test ran)"),
    ("torch_tensor_made_at_load_used_through_its_methods.py", ("softmax",),
     "(<torch_tensor_made_at_load_used_through_its_methods.py>, line 7, run from "
     "<torch_tensor_made_at_load_used_through_its_methods.py>, line 10)"),
    ("imports_torch_but_never_uses_it.py", (), ""),
]


@pytest.mark.parametrize("name, users, named", FORBIDDEN_SPELLINGS, ids=[s[0] for s in FORBIDDEN_SPELLINGS])
def test_forbidden_module_under_any_spelling_costs_exactly_the_functions_that_use_it(grade, name, users, named):
    report = grade(SUBMISSIONS / name)
    assert report["import_errors"] == []
    for test in report["tests"]:
        if test["id"].startswith(users) if users else False:
            assert test["status"] == "failed" and test["score"] == 0, test["id"]
            assert "forbidden" in test["message"] and "must be solved without it" in test["message"], test["id"]
        else:
            assert test["status"] == "passed", (test["id"], test["message"])
    if named:
        assert any(named in t["message"] for t in report["tests"]), [t["message"] for t in report["tests"]]


@pytest.mark.parametrize("name, named", [
    ("attention_sdpa_by_another_path.py", "forbidden `torch._C._nn.scaled_dot_product_attention` "
                                          "(<attention_sdpa_by_another_path.py>, line 10"),
    ("attention_sdpa_by_computed_name.py", "forbidden `torch.nn.functional.scaled_dot_product_attention` "
                                           "(<attention_sdpa_by_computed_name.py>, line 10, detected while the test ran)"),
])
def test_forbidden_routine_by_another_path_or_a_computed_name(grade, name, named):
    report = grade(SUBMISSIONS / name, name="attention")
    for test in report["tests"]:
        if test["id"].startswith("causal_mask_") and test["id"] != "causal_mask_in_attention":
            assert test["status"] == "passed", test["id"]
        elif test["id"].startswith(("sdpa_", "mha_self", "mha_cross", "mha_four")):
            assert test["score"] == 0 and named in test["message"], (test["id"], test["message"])


def test_static_scan_reads_imports_spelled_as_calls():
    result = _scan("import importlib as il, sys\nfrom importlib import import_module as im\n"
                   "A = __import__('torch.nn')\nB = il.import_module('scipy.linalg')\nC = sys.modules['torch']\n"
                   "D = getattr(__builtins__, '__import__')('torch')\nE = im('numpy')\n"
                   "def a(x):\n    return A.nn.functional.softmax(x)\n"
                   "def b(x):\n    return B.inv(x)\n"
                   "def c(x):\n    return C.softmax(x)\n"
                   "def d(x):\n    return D.softmax(x)\n"
                   "def e(x):\n    return E.exp(x)\n"
                   "def f(x):\n    return il.import_module('torch').softmax(x)\n", NUMPY_ONLY)
    assert set(result.tainted) == {"A", "B", "C", "D", "a", "b", "c", "d", "f"}
    assert result.blocking(("a",)) == "`a` uses the forbidden `import torch` (<s.py>, line 3)"
    assert result.blocking(("b",)) == "`b` uses the forbidden `import scipy.linalg` (<s.py>, line 4)"
    assert result.blocking(("c",)) == "`c` uses the forbidden `sys.modules['torch']` (<s.py>, line 5)"
    assert result.blocking(("f",)) == "`f` uses the forbidden `import torch` (<s.py>, line 19 in `f`)"


def test_load_time_events_taint_what_their_module_level_line_binds():
    source = ("T = __import__('to' + 'rch')\n\ndef make():\n    return T.zeros(1)\n\n_t = make()\n"
              "class Net(T.nn.Module):\n    pass\n\ndef uses_t(x):\n    return _t\n\ndef uses_net(x):\n"
              "    return Net()\n\ndef clean(x):\n    return x\n")
    events = [{"what": "import torch", "where": "s.py, line 1"},
              {"what": "torch.zeros", "where": "s.py, line 4, run from s.py, line 6"},
              {"what": "torch.nn", "where": "s.py, line 7"},
              {"what": "torch.x", "where": "outside your code"}, "not an event", {"where": 3}]
    result = scan((CodeUnit(source, "s.py", "module"),), NUMPY_ONLY, events)
    assert {"make", "uses_t", "uses_net", "Net"} <= set(result.tainted) and "clean" not in result.tainted
    assert "`torch.zeros` (s.py, line 4, run from s.py, line 6)" in result.blocking(("uses_t",))

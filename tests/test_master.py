"""grader assign and grader new: an assignment from one master notebook (grader.master,
grader.solution, grader.scaffold)."""
from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from conftest import ROOT

from grader import assignment, master, rubric, solution
from grader.exitcode import ExitCode
from grader.grading import Grader, Options

SOFTMAX_MASTER = ROOT / "masters" / "softmax.ipynb"
KMEANS_MASTER = ROOT / "examples" / "masters" / "kmeans.ipynb"


def grader(*args, cwd=ROOT):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "grader.cli_entry", *map(str, args)], capture_output=True, check=False,
                          text=True, cwd=cwd, env=env, timeout=600)


# --- the round trip: the shipped softmax assignment is what its master builds

def test_the_softmax_master_builds_the_shipped_softmax_assignment_byte_for_byte():
    built = master.build(SOFTMAX_MASTER)
    assert built.name == "softmax"
    shipped = sorted(str(p.relative_to(ROOT)) for part in ("assignments/softmax", "reference/mistakes/softmax",
                                                           "tests/alternatives/softmax")
                     for p in (ROOT / part).rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    shipped += ["reference/softmax.py", "rubrics/softmax.toml"]
    assert sorted(built.files) == sorted(shipped)
    stale = [path for path, text in built.files.items() if (ROOT / path).read_text(encoding="utf-8") != text]
    assert not stale, (f"{SOFTMAX_MASTER.relative_to(ROOT)} no longer builds {stale}: after changing one of the "
                       "course's softmax files, make the same change in the master's matching cell")


def test_assign_from_an_unchanged_master_changes_no_file(tmp_path):
    course = tmp_path / "course"
    for part in ("assignments/softmax", "reference/mistakes/softmax", "tests/alternatives/softmax"):
        shutil.copytree(ROOT / part, course / part)
    for part in ("reference/softmax.py", "rubrics/softmax.toml"):
        (course / part).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / part, course / part)
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in course.rglob("*") if p.is_file()}
    result = grader("assign", SOFTMAX_MASTER, "-o", course, "--no-checks")
    assert result.returncode == ExitCode.OK, result.stderr
    assert "wrote" not in result.stdout and f"{len(before)} file(s) unchanged" in result.stdout
    assert {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in course.rglob("*") if p.is_file()} == before


# --- an assignment that is not among the shipped seven, written as one master notebook

@pytest.fixture(scope="module")
def kmeans(tmp_path_factory):
    """examples/masters/kmeans.ipynb built with `grader assign`, which validates and audits it."""
    course = tmp_path_factory.mktemp("kmeans") / "course"
    result = grader("assign", KMEANS_MASTER, "-o", course, "--seed", 3, "--seeds", 2)
    return course, result


def test_assign_builds_the_kmeans_master_and_validate_and_audit_find_nothing(kmeans):
    course, result = kmeans
    assert result.returncode == ExitCode.OK, result.stdout + result.stderr
    assert "validate:\nkmeans: ok\naudit:\n" in result.stdout
    assert "kmeans: 6 mistakes, 2 correct alternatives, 6 tests (seeds 3, 4)" in result.stdout
    assert "kmeans: no findings" in result.stdout
    for part in ("assignments/kmeans/template.py", "assignments/kmeans/template.ipynb", "assignments/kmeans/probes.py",
                 "assignments/kmeans/assignment.toml", "assignments/kmeans/README.md", "reference/kmeans.py",
                 "rubrics/kmeans.toml", "reference/mistakes/kmeans/farthest_centroid.py",
                 "tests/alternatives/kmeans/loops.py"):
        assert f"wrote {course / part}\n" in result.stdout
    release = re.search(r"Next, what students get: `(grader release [^`]+)`", result.stdout).group(1)
    made = grader(*release.split()[1:])  # the hint works as printed
    assert made.returncode == ExitCode.OK and "wrote the release of kmeans" in made.stdout, made.stderr


def test_the_kmeans_metadata_and_rubric_get_their_defaults(kmeans):
    course, _ = kmeans
    found = assignment.load("kmeans", course)
    assert (found.title, found.framework, found.functions) == (
        "One step of k-means", "numpy", ("assign_clusters", "update_centroids", "kmeans_step"))
    entries = {e.test: e for e in rubric.load(found).entries}
    assert (entries["kmeans_step_outputs"].points, entries["kmeans_step_outputs"].partial) == (3, "per_output")
    for test in ("assign_clusters_5d", "update_centroids_leaves_input_unchanged"):  # not in the rubric cell
        assert (entries[test].points, entries[test].visibility, entries[test].partial) == (
            1, "visible", "all_or_nothing")
    template = (course / "assignments" / "kmeans" / "template.py").read_text()
    assert "argmin" not in template and "np.argmin" in (course / "reference" / "kmeans.py").read_text()
    assert template.count("raise NotImplementedError") == 3 and "One whole step" in template
    assert "Mistakes I have seen" not in template  # an instructor cell goes nowhere


def test_kmeans_grades_its_submissions_right(kmeans, tmp_path, layers, workers):
    course, _ = kmeans
    found = assignment.load("kmeans", course)
    reference = (course / "reference" / "kmeans.py").read_text()
    correct = tmp_path / "kmeans.py"  # written apart from the master, as a student would
    correct.write_text("import numpy as np\n\n\ndef assign_clusters(X, centroids):\n"
                       "    d = np.stack([np.sum((X - c) ** 2, axis=1) for c in centroids], axis=1)\n"
                       "    return d.argmin(axis=1)\n\n\ndef update_centroids(X, labels, centroids):\n"
                       "    return np.array([X[labels == k].mean(axis=0) if np.any(labels == k) else c\n"
                       "                     for k, c in enumerate(centroids)])\n\n\n"
                       "def kmeans_step(X, centroids):\n    labels = assign_clusters(X, centroids)\n"
                       "    inertia = float(sum(np.sum((X[labels == k] - c) ** 2) for k, c in enumerate(centroids)))\n"
                       "    return labels, update_centroids(X, labels, centroids), inertia\n")
    farthest = tmp_path / "farthest.py"
    farthest.write_text(reference.replace("np.argmin(distances, axis=1)", "distances.argmax(axis=1)"))
    unseen = tmp_path / "unseen.py"  # a bug the catalogue does not hold: the inertia is halved
    unseen.write_text(reference.replace("inertia = float(", "inertia = 0.5 * float("))
    with Grader(found, rubric.load(found), layers, Options(seed=11), workers=workers) as grading:
        grading.canary()
        reports = {p.stem: grading.grade(p) for p in (correct, farthest, unseen, *found.template_paths)}
    assert reports["kmeans"]["score"] == reports["kmeans"]["max_score"] == 11
    failed = {t["id"]: t for t in reports["farthest"]["tests"] if t["status"] != "passed"}
    assert set(failed) == {"assign_clusters_2d", "assign_clusters_5d", "kmeans_step_outputs"}
    assert failed["assign_clusters_2d"]["diagnosis"].startswith(
        "Matches a known mistake: Every point goes to its farthest centroid")
    halved = next(t for t in reports["unseen"]["tests"] if t["id"] == "kmeans_step_outputs")
    assert halved["score"] == 2 and "inertia" in halved["message"]  # per output: labels and centroids pay
    assert reports["template"]["score"] == 0


def test_a_script_master_builds_what_the_notebook_master_builds(tmp_path):
    notebook = nbformat.read(str(KMEANS_MASTER), as_version=4)
    parts = []
    for cell in notebook.cells:
        tags = cell.metadata.get("tags", [])
        marker = "\n".join(f"<!-- {t} -->" if cell.cell_type == "markdown" else f"# {t.replace(':', ': ')}"
                           for t in tags)
        body = (marker + "\n" if marker else "") + cell.source
        if cell.cell_type == "markdown":
            parts.append("# %% [markdown]\n" + "\n".join(f"# {line}".rstrip() for line in body.splitlines()))
        else:
            parts.append("# %%\n" + body)
    script = tmp_path / "kmeans.py"
    script.write_text("\n\n\n".join(parts) + "\n")
    assert master.build(script).files == master.build(KMEANS_MASTER).files


# --- solution regions

def test_a_region_in_a_function_becomes_one_raise_and_the_functions_other_lines_stay():
    code = ('def f(x):\n    """Doc."""\n    n = len(x)\n    # BEGIN SOLUTION\n    y = x * n\n    # END SOLUTION\n'
            "    return y  # SOLUTION\n\n\nclass A:\n    def g(self):\n        return 1  # SOLUTION\n")
    assert solution.template(code) == (
        'def f(x):\n    """Doc."""\n    n = len(x)\n'
        '    raise NotImplementedError("f: write your implementation here")\n'
        '\n\nclass A:\n    def g(self):\n        raise NotImplementedError("A.g: write your implementation here")')
    assert solution.reference(code) == ('def f(x):\n    """Doc."""\n    n = len(x)\n    y = x * n\n    return y\n\n\n'
                                        "class A:\n    def g(self):\n        return 1")


def test_outside_functions_a_region_is_left_out_and_a_marked_assignment_keeps_its_name():
    code = '# BEGIN SOLUTION\n"""Module docstring."""\n# END SOLUTION\nimport numpy as np\nRATE = 0.1  # SOLUTION\n'
    assert solution.template(code) == "import numpy as np\nRATE = ..."
    assert solution.reference(code) == '"""Module docstring."""\nimport numpy as np\nRATE = 0.1'


@pytest.mark.parametrize("code, line, message", [
    ("def f():\n    # BEGIN SOLUTION\n    return 1\n", 2, "is never closed"),
    ("def f():\n    return 1\n    # END SOLUTION\n", 3, "without a # BEGIN SOLUTION"),
    ("# BEGIN SOLUTION\n# BEGIN SOLUTION\nx = 1\n# END SOLUTION\n", 2, "inside the region opened on line 1"),
    ("def f(:\n    return 1  # SOLUTION\n", 1, "the code does not parse"),
])
def test_unbalanced_markers_name_the_cell_and_line(tmp_path, code, line, message):
    path = tmp_path / "broken.py"
    path.write_text("# %%\nimport numpy as np\n\n# %%\n" + code)
    with pytest.raises(master.MasterError) as raised:
        master.build(path)
    assert str(raised.value).startswith(f"{path}, cell 2, line {line}: ") and message in str(raised.value)


# --- what a master must hold, and its defaults

def _master(tmp_path: Path, *cells: str, name: str = "tiny") -> Path:
    path = tmp_path / f"{name}.py"
    path.write_text("\n\n".join(cells) + "\n")
    return path


_CODE = '# %%\nimport torch\n\n\ndef double(x):\n    """2 x."""\n    return 2 * x  # SOLUTION\n'
_PROBES = ('# %%\n# probes\nfrom grader.probe import probe\n\n\n@probe(calls=("double",))\n'
           'def doubles(m, rng):\n    return {"y": m.double(rng.normal(size=3))}\n')


def test_without_rubric_or_assignment_cell_every_value_is_derived(tmp_path):
    built = master.build(_master(tmp_path, "# %% [markdown]\n# # Doubling things", _CODE, _PROBES))
    assert built.files["assignments/tiny/assignment.toml"] == (
        'schema_version = 1\nname = "tiny"\ntitle = "Doubling things"\nframework = "torch"\nfunctions = ["double"]\n')
    assert built.files["rubrics/tiny.toml"] == (
        'schema_version = 1\nassignment = "tiny"\n\n[tests.doubles]\npoints = 1\nvisibility = "visible"\n')
    assert "Implement `double`" in built.files["assignments/tiny/README.md"]


@pytest.mark.parametrize("extra, message", [
    ("", "no probes cell"),
    ("# %%\n# rubric\n[tests.nope]\npoints = 1\n", "the rubric lists nope, which no probe defines"),
    ("# %%\n# rubric\n[tests.doubles\n", "cell 3: not valid TOML"),
    ("# %%\n# mistake: has space\nx = 1\n", "mistake name 'has space' is not a file name"),
    ("# %% [markdown]\n# <!-- readme -->\n# ok\n\n# %%\n# mistake: a\nx = 1\n\n# %%\n# mistake: a\nx = 2\n",
     "a second mistake named 'a'"),
])
def test_a_master_that_cannot_be_built_says_why(tmp_path, extra, message):
    cells = [_CODE, extra] if "probes" in message else [_CODE, _PROBES, extra]
    with pytest.raises(master.MasterError) as raised:
        master.build(_master(tmp_path, *cells))
    assert message in str(raised.value), str(raised.value)


def test_a_probes_tag_on_a_markdown_cell_is_refused(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("text")]
    nb.cells[0].metadata["tags"] = ["probes"]
    path = tmp_path / "x.ipynb"
    nbformat.write(nb, str(path))
    with pytest.raises(master.MasterError, match="cell 1: a probes cell must be a code cell"):
        master.read(path)


def test_assign_reports_a_bad_master_as_a_usage_error_and_notes_stray_mistakes(tmp_path):
    bad = grader("assign", _master(tmp_path, _CODE), "-o", tmp_path / "course")
    assert bad.returncode == ExitCode.USAGE and "no probes cell" in bad.stderr and "Traceback" not in bad.stderr
    path = _master(tmp_path, _CODE.replace("import torch", "import numpy as np"), _PROBES)
    stray = tmp_path / "course" / "reference" / "mistakes" / "tiny" / "old.py"
    stray.parent.mkdir(parents=True)
    stray.write_text('"""Old.\n\nFix: none.\n"""\n\n\ndef double(x):\n    return 3 * x\n')
    result = grader("assign", path, "-o", tmp_path / "course")
    assert f"note: {stray} is not in the master; the audit still grades it" in result.stdout
    assert result.returncode == ExitCode.OK, result.stdout + result.stderr


def test_a_failing_check_prints_the_assign_command_to_run_again(tmp_path):
    path = _master(tmp_path, _CODE.replace("import torch", "import numpy as np"), _PROBES,
                   '# %%\n# mistake: same_as_reference\n"""Nothing.\n\nFix: none.\n"""\n\n\n'
                   'def double(x):\n    return 2 * x\n')
    course = tmp_path / "course"
    result = grader("assign", path, "-o", course)
    assert result.returncode == ExitCode.TESTS_FAILED
    assert "`double` (line 7) is the reference's own" in result.stdout
    again = re.search(r"run `(grader assign [^`]+)` again", result.stdout).group(1)
    rerun = grader(*again.split()[1:])
    assert rerun.returncode == ExitCode.TESTS_FAILED and "wrote" not in rerun.stdout
    assert "8 file(s) unchanged" in rerun.stdout  # 7 files of the layout and the mistake


# --- grader new

@pytest.mark.parametrize("flag, suffix", [((), "ipynb"), (("--py",), "py")])
def test_new_writes_a_master_that_builds_a_valid_assignment(tmp_path, flag, suffix):
    course = tmp_path / "course"
    result = grader("new", "stats", "-o", course, *flag)
    assert result.returncode == ExitCode.OK, result.stdout + result.stderr
    path = course / "masters" / f"stats.{suffix}"
    assert f"wrote {path}: the master of stats" in result.stdout
    assert "stats: ok" in result.stdout and "stats: no findings" in result.stdout
    validated = grader("validate", "--course", course)
    assert validated.returncode == ExitCode.OK and "stats: ok" in validated.stdout
    hinted = re.search(r"edit it, then run `(grader assign [^`]+)`", result.stdout).group(1)
    again = grader(*hinted.split()[1:], "--no-checks")
    assert again.returncode == ExitCode.OK and "wrote" not in again.stdout
    refused = grader("new", "stats", "-o", course)
    assert refused.returncode == ExitCode.USAGE and "already exists" in refused.stderr


def test_new_refuses_a_name_that_is_not_an_identifier(tmp_path):
    for bad in ("my-stats", "Stats", "2stats"):
        result = grader("new", bad, "-o", tmp_path)
        assert result.returncode == ExitCode.USAGE and "use lowercase letters, digits and _" in result.stderr
    assert not (tmp_path / "masters").exists()


def test_the_shipped_master_notebooks_are_valid_nbformat():
    for path in (SOFTMAX_MASTER, KMEANS_MASTER):
        nbformat.validate(nbformat.read(str(path), as_version=4))
        assert json.loads(path.read_text())["nbformat"] == 4


# --- the docs' commands work as written

def _fenced_commands(text: str) -> list[str]:
    """The `grader ...` lines of the fenced code blocks of a Markdown text."""
    blocks = re.findall(r"^```[a-z]*\n(.*?)^```", text, flags=re.DOTALL | re.MULTILINE)
    return [line.split("#")[0].strip() for block in blocks for line in block.splitlines()
            if line.startswith("grader ")]


def test_every_grader_command_of_the_docs_exists_with_its_options():
    from test_ci import check_grader_command
    for doc in sorted((ROOT / "docs").glob("*.md")):
        commands = _fenced_commands(doc.read_text())
        assert not [p for line in commands for p in check_grader_command(line)], doc.name
    assert len(_fenced_commands((ROOT / "docs" / "authoring.md").read_text())) >= 5


def test_the_short_paths_of_the_readme_and_the_authoring_guide_run_as_written(tmp_path):
    from test_readme import _commands
    readme = _commands("Writing an assignment")
    guide = _fenced_commands((ROOT / "docs" / "authoring.md").read_text())[:3]
    assert readme[0].startswith("grader new") and guide[0].startswith("grader new")
    for commands, folder in ((readme, tmp_path / "readme"), (guide, tmp_path / "guide")):
        folder.mkdir()
        for line in commands:
            result = grader(*shlex.split(line)[1:], cwd=folder)
            assert result.returncode == ExitCode.OK, (line, result.stdout[-3000:], result.stderr[-2000:])


def test_name_given_on_the_command_line_names_every_file_and_must_agree_with_the_assignment_cell(tmp_path):
    path = _master(tmp_path, _CODE, _PROBES)
    assert min(master.build(path, "other").files) == "assignments/other/README.md"
    cell = '# %%\n# assignment\nname = "tiny"\n'
    with pytest.raises(master.MasterError, match="name = 'tiny' but --name other"):
        master.build(_master(tmp_path, _CODE, _PROBES, cell), "other")
    with pytest.raises(master.MasterError, match="must be lowercase letters"):
        master.build(_master(tmp_path, _CODE, _PROBES, name="Tiny"))


def test_the_probe_examples_of_the_authoring_guide_run_on_the_shipped_references(course):
    """Every @probe of docs/authoring.md runs on the reference of the assignment it calls,
    gives plain data, the same twice for a seed, and fails on the untouched template."""
    import numpy as np

    from grader import compare, protocol
    from grader.probe import load_module
    text = (ROOT / "docs" / "authoring.md").read_text()
    blocks = [b for b in re.findall(r"^```python\n(.*?)^```", text, flags=re.DOTALL | re.MULTILINE) if "@probe(" in b]
    namespace: dict = {"np": np}
    source = "from grader.probe import probe\n" + "\n".join(blocks)
    exec(compile(source, "authoring.md", "exec"), namespace)  # noqa: S102 - the guide's own examples
    probes = [value.__probe__ for value in namespace.values() if hasattr(value, "__probe__")]
    assert len(probes) >= 8
    for each in probes:
        found = next(c for c in course.values() if set(each.calls) <= set(dir(c.reference)))
        first, again = (protocol.to_plain(each.run(found.reference, 3)) for _ in range(2))
        assert compare.compare(again, first, 0.0, 0.0).ok, each.id
        template = load_module(found.template_paths[0], f"_doc_template_{found.name}")
        with pytest.raises(NotImplementedError):
            each.run(template, 3)

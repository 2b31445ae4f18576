"""The report's projections in the process a standalone run forks as it starts.

Each test runs in a fresh interpreter, as the CLI does: the projection process is forked before
anything else ran (no numba, no torch, no threads), as ``winnow_cli.run`` forks it.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from winnow_reporter import forking

pytestmark = pytest.mark.skipif(forking.usable_cpus() < 2, reason="needs 2 usable CPUs")

_SETUP = """
import json, os, signal, sys
import numpy as np
from winnow_reporter.analysis import embedding, projection_process

assert projection_process.start()
rng = np.random.default_rng(1)
x = np.concatenate([rng.normal(size=(150, 16)), rng.normal(size=(120, 16)) + 4.0])
"""

_SAME_NUMBERS = (
    _SETUP
    + """
warm = embedding.project_2d(x, max_points=200, seed=2)
made, parent_has_umap = projection_process.projections_made, "umap" in sys.modules
projection_process.stop()
here = embedding.project_2d(x, max_points=200, seed=2)  # in this process (and its workers)
print(json.dumps({
    "made": made,
    "parent_imported_umap": parent_has_umap,
    "keys": [list(warm.umap), list(here.umap)],
    "equal": {k: bool(np.array_equal(warm.umap[k], here.umap[k])) for k in here.umap},
    "indices": bool(np.array_equal(warm.indices, here.indices)),
    "pca": bool(np.array_equal(warm.pca, here.pca)),
    "notes": [warm.notes, here.notes],
}))
"""
)

_KILLED = (
    _SETUP
    + """
for pid in list(projection_process._process._processes):
    os.kill(pid, signal.SIGKILL)
projection = embedding.project_2d(x, max_points=200, seed=2)
print(json.dumps({
    "made": projection_process.projections_made,
    "stopped": projection_process._process is None,
    "keys": list(projection.umap),
}))
"""
)


_PREFETCHED = (
    _SETUP
    + """
submitted = []
real_submit = projection_process._process.submit
def submit(fn, *args, **kwargs):
    submitted.append(fn.__name__)
    return real_submit(fn, *args, **kwargs)
projection_process._process.submit = submit
# as the run hands over its embeddings: float32, then read back from the CSV as equal values
assert embedding.prefetch_2d(x.astype(np.float32), max_points=200, seed=2)
taken = embedding.project_2d(x.astype(np.float32).astype(np.float64), max_points=200, seed=2)
after_equal = list(submitted)
# other inputs than those prefetched: a projection of their own, never the prefetched one
assert embedding.prefetch_2d(x.astype(np.float32), max_points=200, seed=2)
other = embedding.project_2d(x[:200].astype(np.float32), max_points=200, seed=2)
after_other = list(submitted)
projection_process.stop()
here = embedding.project_2d(x.astype(np.float32), max_points=200, seed=2)
here_other = embedding.project_2d(x[:200].astype(np.float32), max_points=200, seed=2)
print(json.dumps({
    "after_equal": after_equal,
    "after_other": after_other,
    "taken_equal": {k: bool(np.array_equal(taken.umap[k], here.umap[k])) for k in here.umap},
    "other_equal": {k: bool(np.array_equal(other.umap[k], here_other.umap[k]))
                    for k in here_other.umap},
    "other_indices": bool(np.array_equal(other.indices, here_other.indices)),
}))
"""
)


def _run(code: str) -> dict[str, object]:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    result: dict[str, object] = json.loads(out.stdout.splitlines()[-1])
    return result


def test_projections_from_the_process_equal_those_computed_here() -> None:
    result = _run(_SAME_NUMBERS)
    assert result["made"] == 1  # project_2d used the projection process
    assert result["parent_imported_umap"] is False  # umap-learn was imported only there
    assert result["keys"] == [[5, 15, 50], [5, 15, 50]]
    assert result["equal"] == {"5": True, "15": True, "50": True}
    assert result["indices"] and result["pca"]
    assert result["notes"] == [[], []]


def test_a_killed_projection_process_leaves_the_projection_to_the_caller() -> None:
    result = _run(_KILLED)
    assert result == {"made": 0, "stopped": True, "keys": [5, 15, 50]}


def test_a_prefetched_projection_is_taken_only_for_equal_inputs() -> None:
    result = _run(_PREFETCHED)
    # equal values: the prefetched projection is the report's, nothing is submitted again
    assert result["after_equal"] == ["project_2d"]
    assert result["taken_equal"] == {"5": True, "15": True, "50": True}
    # other values: their own projection, equal to one computed here
    assert result["after_other"] == ["project_2d", "project_2d", "project_2d"]
    assert result["other_equal"] == {"5": True, "15": True, "50": True}
    assert result["other_indices"] is True

"""The pipeline imports without torch, and the model code is imported in a thread meanwhile.

Each test runs a fresh interpreter: in this one torch is imported already.
"""

from __future__ import annotations

import json
import subprocess
import sys

_BLOCKED = """
import importlib.abc, json, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.split(".")[0] in ("torch", "torchvision", "timm", "lightly"):
            raise ImportError(f"{name} imported while the pipeline was imported")
        return None
sys.meta_path.insert(0, Block())
import winnow_gpu_worker.pipeline
import winnow_gpu_worker.stages.checks
import winnow_gpu_worker.steps.checking
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in ("torch", "timm"))))
"""

_THREAD = """
import json, sys
from winnow_gpu_worker.background_imports import BackgroundImports, MODEL_MODULES
imports = BackgroundImports().start()
import winnow_gpu_worker.pipeline  # the run goes on meanwhile
imports.wait()
missing = BackgroundImports(("winnow_gpu_worker.no_such_module",)).start()
missing.wait()
print(json.dumps({
    "imported": [m in sys.modules for m in MODEL_MODULES],
    "torch": "torch" in sys.modules,
    # the default model needs neither timm nor torchvision (nor lightly)
    "not_imported": [m for m in ("timm", "torchvision", "lightly") if m in sys.modules],
    "failed": imports.failed,
    "missing": sorted(missing.failed),
}))
"""


def _run(code: str) -> object:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.splitlines()[-1])


def test_the_pipeline_and_the_check_import_without_torch() -> None:
    assert _run(_BLOCKED) == []


def test_the_model_modules_are_imported_in_the_thread_and_a_failure_is_kept() -> None:
    result = _run(_THREAD)
    assert result == {
        "imported": [True, True],
        "torch": True,
        "not_imported": [],
        "failed": {},
        "missing": ["winnow_gpu_worker.no_such_module"],
    }

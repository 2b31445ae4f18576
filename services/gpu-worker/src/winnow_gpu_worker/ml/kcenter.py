"""Farthest-point bookkeeping for DIVERSITY: each sample's distance to its nearest selected one.

The tracker is the hot loop of every diversity selection: one pass over the embedding matrix
per selected sample. On a CPU that pass is bound by the bytes it reads, so besides the plain
float32 path (``precision="float32"``, NumPy BLAS) the tracker can keep a compact screening
copy of the matrix (``"int8"``: one byte per value plus a per-row scale; ``"bfloat16"``: two
bytes per value) and stream only that copy on every step.

The screening copy never decides a distance. For every row it gives an approximate dot product
with the new point and a rigorous bound on that approximation's error (quantisation of the row
and of the point, the kernel's arithmetic and output rounding, and float32 rounding of the
reference formula). A row whose lower bound is not below its current nearest distance cannot
get closer; every other row (typically 0.5-3% of them once a few points are selected) is
recomputed from the float32 matrix with the reference formula. So the screened paths return
the float32 distances, up to the order in which float32 sums a row's dot product (recomputed
rows are summed alone, the float32 path sums the whole matrix with BLAS): a few ulps of
``||x||^2 + ||c||^2``. Selections can differ only where two candidates tie within that.

The screening copy, its kernels and their error bounds are in
:mod:`winnow_gpu_worker.ml.kcenter_screen`. On the host, the rest of a screened step (the
candidate test, the recompute, the min-update and the screen's bookkeeping) is one compiled
pass over the rows (:mod:`winnow_gpu_worker.ml.kcenter_fused`), with the same arithmetic.

The int8 kernels compute up to ``POINTS_PER_PASS`` points in one pass over the compact copy for
little more than the cost of one (the pass is bound by reading the matrix). So the pass for an
added row also computes the rows that are farthest from everything at that moment: greedy
k-center adds exactly those next unless the added row is near them, which it rarely is (they
are far from everything). When one of them is added, its approximation is ready and that step
reads no matrix at all: on a standard normal matrix about 7 steps share a pass. An
approximation does not depend on the current distances, so a wrong guess costs only kernel
time, and the guesses shrink to one per pass while they keep missing (DIVERSITY combined with
other strategies adds rows that are not the farthest).

Which path is faster depends on the machine (cache sizes, memory bandwidth, which int8 and
bfloat16 instructions the CPU has, whether there is a GPU) and on the matrix size, and no fixed
rule holds everywhere: the int8 screen was 0.64x the float32 read time on one 2-core VM and
1.33x on another. So ``"auto"`` measures: :mod:`winnow_gpu_worker.ml.kcenter_tune` runs a few
steps of every candidate kernel on the actual matrix, keeps the fastest and caches the choice
per machine and matrix size class in the user's cache directory.

Kernels (``precision``): ``"float32"`` (NumPy BLAS, the reference), ``"float32-torch"``
(``torch.mv``, float32, torch's threads), ``"int8"`` (int8 screen, quantized-linear kernel),
``"int8-pack"`` (int8 screen, ``_weight_int8pack_mm``), ``"bfloat16"`` (bfloat16 screen on a
torch device: the GPU when CUDA is available, else the CPU).
"""

from __future__ import annotations

import math
import operator
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from winnow_gpu_worker.ml.kcenter_screen import SCREEN_PRECISIONS, Screen

if TYPE_CHECKING:
    from winnow_gpu_worker.ml.kcenter_tune import KernelChoice

Precision = Literal["float32", "float32-torch", "bfloat16", "int8", "int8-pack", "auto"]
# Every kernel "auto" may choose, in the order it measures them.
KERNELS: tuple[str, ...] = ("float32", "float32-torch", "int8", "int8-pack", "bfloat16")
PRECISIONS: tuple[str, ...] = (*KERNELS, "auto")

# Below this matrix size "auto" takes float32 without measuring: such a matrix sits in the
# caches of any server CPU, a whole selection over it takes milliseconds, and measuring the
# other kernels would cost more than they could save.
AUTO_MIN_BYTES = 8 * 2**20
# Nor for a selection whose float32 passes read less than this in all (steps times the matrix):
# it takes a fraction of a second, less than measuring (or loading) another kernel would cost.
AUTO_MIN_WORK_BYTES = 4 * 2**30

# When more rows than this fraction are candidates (the first steps of a selection), one dense
# float32 pass is cheaper than gathering the candidate rows.
_DENSE_FRACTION = 0.25


def _sq_distances(
    x: np.ndarray, sq_norms: np.ndarray, c: np.ndarray, cc: Any, *, blas: bool = True
) -> np.ndarray:
    """The reference formula ``max(||x||^2 - 2 x.c + ||c||^2, 0)`` in float32.

    ``blas=False`` sums the dot products with ``np.einsum`` on one thread: for the few rows
    recomputed after screening, so that no BLAS threads are left spinning on the cores the int8
    kernel's threads need next.
    """
    dots = x @ c if blas else np.einsum("ij,j->i", x, c)
    return _finish_sq(dots, sq_norms, cc)


def _finish_sq(dots: np.ndarray, sq_norms: np.ndarray, cc: Any) -> np.ndarray:
    """``max(sq_norms - 2 dots + cc, 0)`` computed in place in ``dots`` (same rounding)."""
    dots *= np.float32(-2.0)  # exact
    dots += sq_norms
    dots += np.float32(cc)
    np.maximum(dots, np.float32(0.0), out=dots)
    return dots


class MinDistanceTracker:
    """Euclidean distance from every row of ``embeddings`` to the nearest added row.

    Before any ``add`` every distance is ``inf``. Distances of added rows become 0.

    ``precision`` chooses the kernel each step runs (see the module docstring): ``"float32"``
    is the reference; ``"float32-torch"`` computes the same formula with ``torch.mv``;
    ``"int8"``, ``"int8-pack"`` and ``"bfloat16"`` screen with a compact copy (needs torch) and
    recompute in float32 only the rows that may change, giving the float32 distances up to
    float32 rounding. ``"auto"`` (default) takes ``"float32"`` below ``AUTO_MIN_BYTES`` (or
    when ``expected_steps`` passes over the matrix read less than ``AUTO_MIN_WORK_BYTES``) and
    otherwise the kernel that ran fastest on this machine for a matrix of this size class
    (measured once, then cached; see ``kcenter_tune``), counting its build time against
    ``expected_steps`` steps (default ``kcenter_tune.EXPECTED_STEPS``). ``device`` places the
    bfloat16 screen (default: ``"cuda"`` when available, else the CPU). The chosen kernel is
    in ``.precision``, what "auto" measured in ``.choice``.
    """

    def __init__(
        self,
        embeddings: np.ndarray,
        *,
        precision: Precision = "auto",
        device: str | None = None,
        expected_steps: int | None = None,
    ) -> None:
        if precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {PRECISIONS}, got {precision!r}")
        x = np.ascontiguousarray(embeddings, dtype=np.float32)
        if x.ndim != 2:
            raise ValueError("embeddings must be a 2-D array")
        sq_norms = np.einsum("ij,ij->i", x, x)
        self.choice: KernelChoice | None = None
        small_work = expected_steps is not None and expected_steps * x.nbytes < AUTO_MIN_WORK_BYTES
        if precision != "auto" or x.nbytes < AUTO_MIN_BYTES or len(x) == 0 or small_work:
            self._setup(x, sq_norms, "float32" if precision == "auto" else precision, device, None)
            return
        from winnow_gpu_worker.ml import kcenter_tune

        kwargs = {} if expected_steps is None else {"expected_steps": expected_steps}
        self.choice = kcenter_tune.choose_kernel(x, sq_norms, device=device, **kwargs)
        try:
            screen = self.choice.take_screen()
            self._setup(x, sq_norms, self.choice.kernel, self.choice.device, screen)
        except Exception:  # a cached kernel that no longer builds: the reference still does
            self._setup(x, sq_norms, "float32", None, None)

    @classmethod
    def with_kernel(
        cls,
        x: np.ndarray,
        sq_norms: np.ndarray,
        precision: str,
        device: str | None = None,
        screen: Screen | None = None,
    ) -> MinDistanceTracker:
        """A tracker over a C-contiguous float32 ``x`` whose squared row norms are known.

        For ``kcenter_tune``, which builds one tracker per candidate kernel: no second copy
        of the matrix, no recomputed norms. ``screen`` reuses an already built screening copy.
        """
        if precision not in KERNELS:
            raise ValueError(f"precision must be one of {KERNELS}, got {precision!r}")
        self = cls.__new__(cls)
        self.choice = None
        self._setup(x, sq_norms, precision, device, screen)
        return self

    def _setup(
        self,
        x: np.ndarray,
        sq_norms: np.ndarray,
        precision: str,
        device: str | None,
        screen: Screen | None,
    ) -> None:
        self._x = x
        self._sq_norms = sq_norms
        # Added rows hold -inf internally so that ``farthest`` never returns them again; the
        # public distances clip that to 0.
        self._min_sq = np.full(len(x), np.inf, dtype=np.float32)
        self._n_updates = 0
        self.precision: str = precision
        if screen is None and precision in SCREEN_PRECISIONS and len(x) > 0:
            if precision == "bfloat16" and device is None:
                device = _default_device()
            screen = Screen(x, sq_norms, precision, device if precision == "bfloat16" else None)
        self._screen = screen
        # float32-torch: torch.mv over the same memory, into a reused output buffer
        self._xt: Any = None
        if precision == "float32-torch" and len(x) > 0:
            import torch

            self._xt = torch.from_numpy(x)
            self._dots_t = torch.empty(len(x), dtype=torch.float32)
        # Rows recomputed in float32 after screening, summed over all steps (for benchmarks).
        self.rows_recomputed = 0
        # Passes of the screening kernel over the matrix (several added rows may share one).
        self.passes = 0
        # Approximations computed ahead for rows likely to be added next, by row index.
        self._speculated: dict[int, Any] = {}
        self._speculation_hits = 0

    @property
    def kernel(self) -> str:
        """The kernel in words, e.g. ``"int8/qlinear"`` or ``"bfloat16/bf16mm@cuda"``."""
        if self._screen is None:
            return f"{self.precision}/{'mv' if self._xt is not None else 'blas'}"
        device = self._screen.device
        where = f"@{device.type}" if device is not None else ""
        return f"{self.precision}/{self._screen.kernel}{where}"

    def __len__(self) -> int:
        return len(self._x)

    def add(self, index: int) -> None:
        """Count row ``index`` as selected and update every row's nearest distance.

        With a screen that computes several points per pass over the matrix, the pass for
        ``index`` also computes the rows most likely to be added next (see ``_speculate``).
        """
        i = operator.index(index)
        if not -len(self._x) <= i < len(self._x):
            raise IndexError(f"index {index} is out of range for {len(self._x)} rows")
        i %= len(self._x)
        self._update(self._x[i], self._sq_norms[i], self._approx_for(i))
        self._min_sq[i] = -np.inf
        if self._screen is not None:
            self._screen.refresh(self._min_sq, np.array([i]))

    def _approx_for(self, i: int) -> Any:
        """The screen's approximation for row ``i``: from an earlier pass, or from a new pass
        that also computes the likeliest next rows; None where the screen is not used."""
        screen = self._screen
        if screen is None or self._n_updates == 0:
            return None
        cached = self._speculated.pop(i, None)
        if cached is not None:
            self._speculation_hits += 1
            return cached
        self.passes += 1
        # Fewer guesses after a pass none of whose guesses was used (e.g. when DIVERSITY is
        # one strategy of several and the next pick is not the farthest row). A pass's
        # approximations (4 bytes per row and point) stay below an eighth of the float32
        # matrix (4 D bytes per row): at most D / 8 points.
        most = min(screen.batch, self._x.shape[1] // 8) - 1
        width = min(most, self._speculation_hits + 1)
        self._speculation_hits = 0
        extra = self._speculate(i, width)
        rows = np.concatenate(([i], extra)).astype(np.int64)
        approxs = screen.approximate(self._x[rows])
        self._speculated = {}
        if approxs is None:
            return None
        self._speculated = dict(zip(extra.tolist(), approxs[1:], strict=True))
        return approxs[0]

    def _speculate(self, i: int, width: int) -> np.ndarray:
        """The ``width`` rows (other than ``i``) with the largest nearest distance now.

        Greedy k-center adds the farthest row next; adding ``i`` rarely changes which rows
        are farthest (they are far from everything, ``i`` included), so these are usually the
        next picks. A wrong guess costs a little kernel time, never a different selection:
        an approximation is valid whenever it is used (it does not depend on the distances).
        """
        m = self._min_sq
        if width <= 0 or len(m) <= width + 1:
            return np.empty(0, dtype=np.int64)
        top = np.argpartition(m, len(m) - width - 1)[-(width + 1) :]
        top = top[(top != i) & (m[top] > 0)]
        top = top[np.argsort(-m[top], kind="stable")][:width]
        return top.astype(np.int64)

    def add_points(self, points: np.ndarray) -> None:
        """Count external points (e.g. an earlier run's selection) as selected."""
        pts = np.ascontiguousarray(np.asarray(points, dtype=np.float32))
        pts = pts.reshape(-1, self._x.shape[1])
        screen = self._screen
        start = 0
        while start < len(pts):
            approxs = None
            if screen is not None and self._n_updates > 0:
                # The int8 kernels compute up to 4 points in one pass over the matrix.
                group = pts[start : start + screen.batch]
                approxs = screen.approximate(group)
            else:
                group = pts[start : start + 1]
            for j, p in enumerate(group):
                self._update(p, np.float32(float(p @ p)), None if approxs is None else approxs[j])
            start += len(group)

    def farthest(self) -> int | None:
        """Index of the row farthest from everything added, never an added row.

        Ties go to the lowest index. Returns ``None`` once every row has been added.
        """
        if len(self._x) == 0:
            return None
        i = int(np.argmax(self._min_sq))
        return None if self._min_sq[i] == -np.inf else i

    def distance(self, index: int) -> float:
        """Distance from row ``index`` to its nearest selected point (0 for a selected row)."""
        return math.sqrt(max(float(self._min_sq[index]), 0.0))

    @property
    def min_sq_distance(self) -> np.ndarray:
        """Squared distance from each row to its nearest selected point (a new array)."""
        out: np.ndarray = np.maximum(self._min_sq, np.float32(0.0))
        return out

    @property
    def min_distance(self) -> np.ndarray:
        """Distance (not squared) from each row to its nearest selected point."""
        out: np.ndarray = np.sqrt(self.min_sq_distance)
        return out

    def _update(self, c: np.ndarray, cc: np.float32, approx: Any = None) -> None:
        if len(self._x) == 0:
            return
        m = self._min_sq
        screen = self._screen
        # (a non-finite point goes the float32 way, whatever that makes of it)
        if screen is not None and self._n_updates > 0 and np.isfinite(cc):
            if approx is None:
                approxs = screen.approximate(c[None])
                approx = approxs[0] if approxs is not None else None
            if approx is not None:
                recomputed = screen.update_rows(cc, approx, c, self._x, self._sq_norms)
                if recomputed is not None:  # test, recompute and refresh in one pass
                    self._n_updates += 1
                    self.rows_recomputed += recomputed
                    return
                idx = screen.candidates(cc, approx)
                if len(idx) <= _DENSE_FRACTION * len(m):
                    self._n_updates += 1
                    self.rows_recomputed += len(idx)
                    if len(idx):
                        sq = _sq_distances(self._x[idx], self._sq_norms[idx], c, cc, blas=False)
                        m[idx] = np.minimum(m[idx], sq)
                        screen.refresh(m, idx)
                    return
        if self._xt is not None:
            import torch

            torch.mv(self._xt, torch.from_numpy(np.ascontiguousarray(c)), out=self._dots_t)
            sq = _finish_sq(self._dots_t.numpy(), self._sq_norms, cc)
        else:
            sq = _sq_distances(self._x, self._sq_norms, c, cc)
        np.minimum(m, sq, out=m)
        self._n_updates += 1
        if screen is not None:
            screen.refresh(m, None)


def _default_device() -> str | None:
    """Where the bfloat16 screen goes when no device is named: the GPU if torch sees one."""
    try:
        import torch
    except ImportError:  # pragma: no cover - torch is a dependency of the worker
        return None
    return "cuda" if torch.cuda.is_available() else None

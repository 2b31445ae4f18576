"""The compact screening copy of the embedding matrix used by ``kcenter.MinDistanceTracker``.

For a new selected point the screen computes every row's approximate dot product with it from a
compact copy (int8 with a per-row scale, or bfloat16) plus a rigorous bound on that
approximation's error, and returns the rows whose float32 distance may drop below their current
nearest one; the tracker recomputes only those rows in float32 (see the ``kcenter`` module).

The int8 screen uses torch's quantized dynamic linear (FBGEMM / oneDNN, float32 output) when it
passes a self-check at construction, else ``torch.ops.aten._weight_int8pack_mm``.
"""

from __future__ import annotations

import itertools
import math
import warnings
from concurrent.futures import ThreadPoolExecutor
from typing import Any, NamedTuple

import numpy as np

# Row blocks packed in parallel threads for the qlinear kernel (one kernel call each per step).
QLINEAR_BLOCKS = 2

# Rows processed at once while building the screening copy (bounds the temporary memory).
_BUILD_CHUNK = 32768

# Unit roundoff of bfloat16 (8 significant bits, round to nearest even) and of float32.
_BF16_U = 2.0**-8
_F32_U = 2.0**-24


def _round_bf16(v: np.ndarray) -> np.ndarray:
    """float32 -> nearest bfloat16 (ties to even), as uint32 bit patterns of float32 values."""
    u = v.view(np.uint32)
    return (u + (np.uint32(0x7FFF) + ((u >> np.uint32(16)) & np.uint32(1)))) & np.uint32(0xFFFF0000)


class KernelUnavailable(Exception):
    """The quantized kernel is missing here or did not compute what its bound assumes."""


class _Approx(NamedTuple):
    """Approximate dot products of every row with one point, and their error bound.

    ``|x_i . c - values_i| <= w1_i * e1 + w2_i * e2`` for the screen's per-row weights.
    """

    values: Any  # bfloat16 tensor (N,), or float32 tensors, one per row block
    e1: float
    e2: float


class Screen:
    """Compact copy of the matrix with a per-row bound on its dot-product error.

    For a new point c, row i may get closer only if
    ``approx_i + err_i - h_i > (1 - slack) ||c||^2 / 2`` where ``approx_i`` is the compact dot
    product, ``err_i`` bounds its error and ``h_i = ((1 - slack) ||x_i||^2 - m_i) / 2`` is kept
    up to date with the current nearest squared distance ``m_i`` (``refresh``). That is the
    float32 reference ``||x_i||^2 - 2 x_i.c + ||c||^2 < m_i`` with every error term, and the
    float32 rounding of both sides (``slack``), moved to the safe side.

    Kernels: ``qlinear`` (int8 rows with a per-row scale, the point quantised to 7 bits on a
    grid this class chooses, torch's quantized dynamic linear with FBGEMM/oneDNN, float32
    output), ``int8pack`` (same rows, the point in bfloat16, bfloat16 output; used where the
    first is missing or fails its self-check) and ``bf16mv`` (bfloat16 rows, ``torch.mv``).
    """

    def __init__(self, x: np.ndarray, sq_norms: np.ndarray, precision: str) -> None:
        import torch

        if precision not in ("int8", "bfloat16"):
            raise ValueError(f"no screening copy for precision {precision!r}")
        self._torch: Any = torch
        self.precision = precision
        n, d = x.shape
        self._dim = d
        # Per-row error weights (see _Approx); w2 only for qlinear.
        self._w1 = np.empty(n, dtype=np.float32)
        self._w2: np.ndarray | None = None
        self.kernel = "bf16mv"
        width = d
        if precision == "int8":
            try:
                width = self._init_qlinear(x)
                self.kernel = "qlinear"
            except KernelUnavailable:
                if not hasattr(torch.ops.aten, "_weight_int8pack_mm"):
                    raise RuntimeError(
                        "this torch build has no int8 matrix-vector kernel"
                    ) from None
                width = self._init_int8pack(x)
                self.kernel = "int8pack"
        else:
            self._xb = torch.empty((n, d), dtype=torch.bfloat16)
            for lo in range(0, n, _BUILD_CHUNK):
                chunk = torch.from_numpy(x[lo : lo + _BUILD_CHUNK]).to(torch.bfloat16)
                self._xb[lo : lo + len(chunk)] = chunk
                # ||x_b||: rounding each value to bfloat16 moves x by at most u ||x_b||.
                self._w1[lo : lo + len(chunk)] = chunk.float().pow_(2).sum(dim=1).sqrt_().numpy()
            self._init_bf16_point(d)
        # Relative slack for float32 rounding: a float32 dot product of length D errs by at
        # most about D u sum|x_j c_j| <= D u (||x||^2 + ||c||^2) / 2, plus a few roundings in
        # the formula and in this test; taken four times over.
        self._slack = float(4 * (width + 16) * _F32_U)
        self._sq_norms_low = (sq_norms * np.float32(1.0 - self._slack)).astype(np.float32)
        # Absolute slack for values near float32 underflow (subnormal products, or kernels that
        # flush them to zero): only matters for embeddings of magnitude ~1e-18 and below.
        self._abs_slack = float(4 * (width + 16) * 2.0**-126)
        self._h = np.empty(n, dtype=np.float32)
        self._mask = np.empty(n, dtype=bool)
        # torch views of the same memory for candidates()
        self._w1_t = torch.from_numpy(self._w1)
        self._w2_t = torch.from_numpy(self._w2) if self._w2 is not None else None
        self._h_t = torch.from_numpy(self._h)
        self._t_t = torch.empty(n, dtype=torch.float32)
        self._mask_t = torch.from_numpy(self._mask)

    # ----------------------------------------------------------------------------- building

    def _quantize_rows(self, x: np.ndarray, width: int) -> Any:
        """int8 rows (zero-padded to ``width`` columns) with a per-row scale in ``_w1``.

        Each scale is amax / 127 rounded up to 8 significant bits, so ``|x / s| <= 127`` and
        ``q * s`` is exact in float32; ``|x - q s| <= s / 2`` per value.
        """
        torch = self._torch
        n, d = x.shape
        q = torch.zeros((n, width), dtype=torch.int8)
        for lo in range(0, n, _BUILD_CHUNK):
            chunk = torch.from_numpy(x[lo : lo + _BUILD_CHUNK])
            s = (chunk.abs().amax(dim=1) * (1.0 + 2.0**-7) / 127.0).to(torch.bfloat16).float()
            s[s == 0] = 1.0  # all-zero rows
            q[lo : lo + len(chunk), :d] = torch.round(chunk / s[:, None]).clamp_(-127, 127)
            self._w1[lo : lo + len(chunk)] = s.numpy()
        return q

    def _init_int8pack(self, x: np.ndarray) -> int:
        torch = self._torch
        # The kernel reads 16 values at a time with aligned loads: pad rows with zero columns
        # (they add nothing to a dot product) to a multiple of 64.
        width = -(-int(x.shape[1]) // 64) * 64
        self._q = self._quantize_rows(x, width)
        self._scales = torch.from_numpy(self._w1).to(torch.bfloat16)  # exact: 8-bit scales
        self._init_bf16_point(width)
        return width

    def _init_bf16_point(self, width: int) -> None:
        torch = self._torch
        # The point in bfloat16, allocated by torch (64-byte aligned, as int8pack needs) and
        # written through a NumPy view of its bits.
        self.batch = 4 if self.kernel != "bf16mv" else 1
        self._c_t = torch.zeros((self.batch, width), dtype=torch.bfloat16)
        self._c_bits = self._c_t.view(torch.int16).numpy().view(np.uint16)

    def _init_qlinear(self, x: np.ndarray) -> int:
        torch = self._torch
        n, d = int(x.shape[0]), int(x.shape[1])
        ops = getattr(torch.ops, "quantized", None)
        if ops is None or not hasattr(torch, "_make_per_channel_quantized_tensor"):
            raise KernelUnavailable
        # Two spare zero columns carry the ends of the point's quantisation grid (see
        # _grid_points), so the kernel's own activation quantisation reproduces it exactly.
        width = d + 2
        q = self._quantize_rows(x, width)
        # Packing is single-threaded; packing row blocks in parallel threads (torch releases
        # the GIL) and running one kernel call per block keeps the build short.
        blocks = max(1, min(torch.get_num_threads(), n // 16384, QLINEAR_BLOCKS))
        bounds = [n * i // blocks for i in range(blocks + 1)]
        self._blocks = list(itertools.pairwise(bounds))
        scales = torch.from_numpy(self._w1).double()

        def pack(block: tuple[int, int]) -> Any:
            lo, hi = block
            qw = torch._make_per_channel_quantized_tensor(
                q[lo:hi], scales[lo:hi], torch.zeros(hi - lo, dtype=torch.long), 0
            )
            return ops.linear_prepack(qw, None)

        try:
            # Quantized tensor creation is deprecated in torch; once it goes, this raises and
            # the int8pack kernel is used instead. (The filter is process-wide while active, so
            # it is set here, not in the packing threads.)
            with warnings.catch_warnings(), ThreadPoolExecutor(len(self._blocks)) as pool:
                warnings.filterwarnings("ignore", message=".*quantize", category=UserWarning)
                self._packed = list(pool.map(pack, self._blocks))
            self._linear = ops.linear_dynamic
            self.batch = 4
            self._grid_rows = np.zeros((self.batch, width), dtype=np.float32)
            self._grid_rows_t = torch.from_numpy(self._grid_rows)
            # Self-check on a sample of rows: the kernel must return q s . c_hat up to float32
            # rounding, or the error bound would not hold.
            rng = np.random.default_rng(0)
            rows = np.sort(rng.choice(n, min(n, 256), replace=False))
            xhat = q[rows].double().numpy() * self._w1[rows, None]
            probe = np.stack([x[rows[0]], x[rows[-1]] * np.float32(-0.37), x[rows[1]]])
            grid, _ = self._grid_points(np.ascontiguousarray(probe, dtype=np.float32))
            got = np.concatenate(
                [self._linear(torch.from_numpy(grid), w, True).numpy() for w in self._packed],
                axis=1,
            )
        except Exception as exc:  # missing engine, unsupported op, ...
            raise KernelUnavailable from exc
        want = grid.astype(np.float64) @ xhat.T
        scale = 127.0 * self._w1[rows].astype(np.float64) * np.abs(grid).sum(axis=1)[:, None]
        if got.shape != (len(probe), n) or not np.all(np.abs(got[:, rows] - want) <= 1e-5 * scale):
            raise KernelUnavailable
        norms = np.empty(n, dtype=np.float32)
        for lo in range(0, n, _BUILD_CHUNK):
            qs = (
                q[lo : lo + _BUILD_CHUNK].float()
                * torch.from_numpy(self._w1[lo : lo + _BUILD_CHUNK])[:, None]
            )
            norms[lo : lo + len(qs)] = qs.pow_(2).sum(dim=1).sqrt_().numpy()
        self._w2 = norms
        return width

    def _grid_points(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Points on a 7-bit grid that dynamic quantisation keeps exactly, plus the grid's ends.

        Dynamic quantisation (reduce_range) maps [min, max] of its input (0 included) to 0..127.
        With the grid's ends in the two spare columns and every other value on the grid, its
        scale and zero point are the grid's own and quantising changes nothing; the rows'
        spare columns are 0, so the ends add nothing to the products.
        Returns rows of width D + 2 and ||c - c_hat|| per point (float64).
        """
        lo = min(float(points.min()), 0.0)
        hi = max(float(points.max()), 0.0)
        # 8 significant bits keep every (k - zp) * sc (k in 0..127) and 127 * sc / 127 exact
        # in float32; dividing the span by 126 leaves room for rounding the zero point up.
        sc = _round_up_8bits((hi - lo) / 126.0) if hi > lo else 1.0
        zp = min(max(math.ceil(-lo / sc), 0), 127)
        d = self._dim
        rows = self._grid_rows[: len(points)]
        grid = rows[:, :d]
        np.multiply(points, np.float32(1.0 / sc), out=grid)
        np.rint(grid, out=grid)
        np.clip(grid, -zp, 127 - zp, out=grid)
        grid *= np.float32(sc)  # (k - zp) * sc, exact
        rows[:, d] = -zp * sc
        rows[:, d + 1] = (127 - zp) * sc
        diff = points - grid
        err = np.sqrt(np.einsum("ij,ij->i", diff, diff).astype(np.float64)) * (1 + 1e-5)
        return rows, err

    def refresh(self, min_sq: np.ndarray, idx: np.ndarray | None) -> None:
        """Recompute h after ``min_sq`` changed at ``idx`` (None: everywhere)."""
        if idx is None:
            np.subtract(self._sq_norms_low, min_sq, out=self._h)
            self._h *= np.float32(0.5)
        else:
            self._h[idx] = (self._sq_norms_low[idx] - min_sq[idx]) * np.float32(0.5)

    def approximate(self, points: np.ndarray) -> list[_Approx] | None:
        """Approximate dot products of every row with each of at most ``batch`` points.

        None when the points' magnitudes are outside what the kernel's grid handles exactly
        (the caller then does a dense float32 pass).
        """
        torch = self._torch
        n = len(points)
        c1 = np.abs(points).sum(axis=1, dtype=np.float64)
        if self.kernel == "qlinear":
            span = float(points.max()) - float(points.min())
            if not 2.0**-90 < span < 2.0**90 and span != 0.0:
                return None
            _, c_err = self._grid_points(points)  # fills self._grid_rows
            grid_t = self._grid_rows_t[:n]
            parts = [self._linear(grid_t, w, True) for w in self._packed]
            # |x.c - out| <= s ||c||_1 / 2            quantisation of x, |x - q s| <= s/2
            #               + ||q s|| ||c - c_hat||  quantisation of c (Cauchy-Schwarz)
            #               + slack 127 s ||c_hat||_1   float32 output arithmetic,
            # with ||c_hat||_1 <= ||c||_1 + sqrt(D) ||c - c_hat||.
            c_hat1 = c1 + math.sqrt(self._dim) * c_err
            return [
                _Approx(
                    [part[j] for part in parts],
                    0.5 * c1[j] + 127.0 * self._slack * c_hat1[j],
                    c_err[j],
                )
                for j in range(n)
            ]
        bits = _round_bf16(points)
        self._c_bits[:n, : self._dim] = (bits >> np.uint32(16)).astype(np.uint16)
        dc = points - bits.view(np.float32)  # exact in float32
        if self.kernel == "int8pack":
            out = torch.ops.aten._weight_int8pack_mm(self._c_t[:n], self._q, self._scales)
            # |x.c - out| <= s (||c||_1 / 2            quantisation of x, |x - q s| <= s/2
            #                   + 127 ||c - c_b||_1    rounding c to bfloat16, |q s| <= 127 s
            #                   + 127 (u + slack) ||c_b||_1)  float32 sum, bfloat16 output
            # with ||c_b||_1 <= (1 + u) ||c||_1 as |c - c_b| <= u |c|.
            dc1 = np.abs(dc).sum(axis=1, dtype=np.float64)
            e1 = 0.5 * c1 + 127.0 * dc1 + 127.0 * (_BF16_U + self._slack) * (1 + _BF16_U) * c1
            return [_Approx(out[j], e1[j], 0.0) for j in range(n)]
        out = torch.mv(self._xb, self._c_t[0])
        # |x.c - out| <= ||x - x_b|| ||c|| + ||x_b|| ||c - c_b||
        #                + (u + slack) ||x_b|| ||c_b||, twice over for torch's kernel,
        # with ||x - x_b|| <= u ||x_b|| and ||c_b|| <= (1 + u) ||c||.
        c2 = float(np.sqrt(np.dot(points[0].astype(np.float64), points[0])))
        dc2 = float(np.sqrt(np.dot(dc[0].astype(np.float64), dc[0])))
        e1_bf = (_BF16_U * (1 + _BF16_U) + 2.0 * (_BF16_U + self._slack) * (1 + _BF16_U)) * c2
        return [_Approx(out, e1_bf + dc2, 0.0)]

    def candidates(self, cc: np.float32, approx: _Approx) -> np.ndarray:
        """Rows whose float32 distance to the point may be below their current nearest one."""
        torch = self._torch
        t = self._t_t
        # approx + w1 e1 + w2 e2 - h, with a 1% margin for the rounding of the bound itself;
        # torch's add with alpha is one fused pass (and uses both cores).
        if isinstance(approx.values, list):  # float32 row blocks
            for (lo, hi), part in zip(self._blocks, approx.values, strict=True):
                torch.add(part, self._w1_t[lo:hi], alpha=approx.e1 * 1.01 + 1e-30, out=t[lo:hi])
        else:  # bfloat16
            torch.add(approx.values, self._w1_t, alpha=approx.e1 * 1.01 + 1e-30, out=t)
        if self._w2_t is not None:
            t.add_(self._w2_t, alpha=approx.e2 * 1.01 + 1e-30)
        t.sub_(self._h_t)
        threshold = float(cc) * (1.0 - self._slack) * 0.5 - self._abs_slack
        torch.gt(t, threshold, out=self._mask_t)
        return np.flatnonzero(self._mask)


def _round_up_8bits(v: float) -> float:
    """The smallest float32 with at most 8 significant bits that is >= v (v > 0, finite)."""
    bits = _round_bf16(np.array([v], dtype=np.float32))
    r = float(bits.view(np.float32)[0])
    if r < v:
        r = float((bits + np.uint32(0x10000)).view(np.float32)[0])
    return r

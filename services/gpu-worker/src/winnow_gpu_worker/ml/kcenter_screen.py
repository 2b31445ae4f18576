"""The compact screening copy of the embedding matrix used by ``kcenter.MinDistanceTracker``.

For a new selected point the screen computes every row's approximate dot product with it from a
compact copy (int8 with a per-row scale, or bfloat16) plus a rigorous bound on that
approximation's error, and returns the rows whose float32 distance may drop below their current
nearest one; the tracker recomputes only those rows in float32 (see the ``kcenter`` module).

The int8 screen uses torch's quantized dynamic linear (FBGEMM / oneDNN, float32 output) when it
passes a self-check at construction, else ``torch.ops.aten._weight_int8pack_mm``
(``"int8-pack"`` asks for that one directly). The bfloat16 screen runs on any torch device
(``device="cuda"`` keeps the compact copy and the screening arithmetic on the GPU; ``"cpu"``
runs the very same code on the CPU, which is how the tests exercise it). Every screen checks its
error bound on a sample of rows at construction and raises ``KernelUnavailable`` if the kernel
does not keep it (for example a GPU reduction in reduced precision).
"""

from __future__ import annotations

import itertools
import math
import warnings
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from winnow_gpu_worker.ml import kcenter_fused
from winnow_gpu_worker.ml.kcenter_numbers import (
    BF16_U,
    F32_U,
    Approx,
    KernelUnavailable,
    round_bf16,
    round_up_8bits,
    torch_index,
)

# Row blocks packed in parallel threads for the qlinear kernel (one kernel call each per step).
QLINEAR_BLOCKS = 2
# Rows per packed weight block: FBGEMM's packed int8 weights crash the process (SIGSEGV) from
# about 2**22 rows per block (measured: 4.15M rows built, 4.25M crashed), so larger matrices
# are packed in more blocks.
MAX_BLOCK_ROWS = 1 << 21

# Points every screen computes in one pass over the matrix: the added row and the rows
# guessed to be added next (``MinDistanceTracker._speculate``), or external points.
POINTS_PER_PASS = 8

# Rows one call of the fused step handles: its scratch (13 bytes per row) stays at 13 MiB for
# any matrix, and a call still scans enough rows that its overhead does not show.
STEP_ROWS = 1 << 20

# What a screening copy can be: "int8-pack" is int8 with the int8pack kernel forced.
SCREEN_PRECISIONS = ("int8", "int8-pack", "bfloat16")

# Rows processed at once while building the screening copy (bounds the temporary memory).
_BUILD_CHUNK = 32768


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
    first is missing or fails its self-check) and ``bf16mm`` (bfloat16 rows, ``torch.mm`` of
    the rows with every point of a pass: AMX or tensor cores where present).
    """

    def __init__(
        self, x: np.ndarray, sq_norms: np.ndarray, precision: str, device: str | None = None
    ) -> None:
        import torch

        if precision not in SCREEN_PRECISIONS:
            raise ValueError(f"no screening copy for precision {precision!r}")
        if device is not None and precision != "bfloat16":
            raise ValueError("only the bfloat16 screen runs on a torch device")
        self._torch: Any = torch
        self.precision = precision
        n, d = x.shape
        self._dim = d
        # Per-row error weights (see Approx); w2 only for qlinear.
        self._w1 = np.empty(n, dtype=np.float32)
        self._w2: np.ndarray | None = None
        self.kernel = "bf16mm"
        # Where the bfloat16 screen's tensors live; None for the int8 screens, whose torch
        # tensors are views of the NumPy arrays.
        self.device: Any = None
        width = d
        if precision == "int8":
            try:
                width = self._init_qlinear(x)
                self.kernel = "qlinear"
            except KernelUnavailable:
                width = self._init_int8pack(x)
        elif precision == "int8-pack":
            width = self._init_int8pack(x)
        else:
            # No device: the host's arrays are the screen's (as for int8). A named device,
            # "cpu" included, keeps device-side copies: the GPU's code path, testable here.
            self.device = torch.device(device) if device is not None else None
            self._init_bf16(x)
        # Host arrays and the screening tensors share memory unless the screen has a device.
        self._mirrored = self.device is not None
        if not self._mirrored:
            # The CPU screens' fused step (kcenter_fused): its one-time compile / cache load (about
            # half a second) is part of the build time, which the kernel choice weighs.
            kcenter_fused.warm()
        # Relative slack for float32 rounding: a float32 dot product of length D errs by at
        # most about D u sum|x_j c_j| <= D u (||x||^2 + ||c||^2) / 2, plus a few roundings in
        # the formula and in this test; taken four times over.
        self._slack = float(4 * (width + 16) * F32_U)
        self._sq_norms_low = (sq_norms * np.float32(1.0 - self._slack)).astype(np.float32)
        # Absolute slack for values near float32 underflow (subnormal products, or kernels that
        # flush them to zero): only matters for embeddings of magnitude ~1e-18 and below.
        self._abs_slack = float(4 * (width + 16) * 2.0**-126)
        self._h = np.empty(n, dtype=np.float32)
        # g = h - w1 E1 - w2 E2 for reference error scales E >= this point's e (see
        # candidates): the whole test is then one subtraction and one comparison.
        self._g = np.empty(n, dtype=np.float32)
        self._e_ref = (0.0, 0.0)
        self._min_sq: np.ndarray | None = None  # the tracker's array, seen by refresh()
        self._mask = np.empty(n, dtype=bool)
        self._step_scratch: tuple[np.ndarray, ...] | None = None  # the fused step's
        if not self._mirrored:  # torch views of the same memory for candidates()
            self._w1_t = torch.from_numpy(self._w1)
            self._w2_t = torch.from_numpy(self._w2) if self._w2 is not None else None
            self._h_t = torch.from_numpy(self._h)
            self._g_t = torch.from_numpy(self._g)
            self._t_t = torch.empty(n, dtype=torch.float32)
            self._mask_t = torch.from_numpy(self._mask)
        else:  # copies on the device, kept in step with the host arrays by refresh()
            dev = self.device
            self._w1_t = torch.from_numpy(self._w1).to(dev, copy=True)
            self._w2_t = None
            self._h_t = torch.empty(n, dtype=torch.float32, device=dev)
            self._g_t = torch.empty(n, dtype=torch.float32, device=dev)
            self._t_t = torch.empty(n, dtype=torch.float32, device=dev)
            self._mask_t = torch.empty(n, dtype=torch.bool, device=dev)
        self._check_bound(x)

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

    def _init_bf16(self, x: np.ndarray) -> None:
        torch = self._torch
        n, d = x.shape
        self._xb = torch.empty((n, d), dtype=torch.bfloat16, device=self.device)
        for lo in range(0, n, _BUILD_CHUNK):
            chunk = torch.from_numpy(x[lo : lo + _BUILD_CHUNK]).to(torch.bfloat16)
            self._xb[lo : lo + len(chunk)] = chunk.to(self.device)
            # ||x_b||: rounding each value to bfloat16 moves x by at most u ||x_b||.
            self._w1[lo : lo + len(chunk)] = chunk.float().pow_(2).sum(dim=1).sqrt_().numpy()
        self._init_bf16_point(d)

    def _init_int8pack(self, x: np.ndarray) -> int:
        torch = self._torch
        if not hasattr(torch.ops.aten, "_weight_int8pack_mm"):
            raise KernelUnavailable("this torch build has no int8pack matrix-vector kernel")
        self.kernel = "int8pack"
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
        self.batch = POINTS_PER_PASS
        self._c_t = torch.zeros((self.batch, width), dtype=torch.bfloat16)
        self._c_bits = self._c_t.view(torch.int16).numpy().view(np.uint16)
        # the point as the device sees it (the same tensor on the CPU)
        self._c_dev = self._c_t.to(self.device) if self.device is not None else self._c_t

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
        threads = max(1, min(torch.get_num_threads(), n // 16384, QLINEAR_BLOCKS))
        blocks = max(threads, -(-n // MAX_BLOCK_ROWS))
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
            with warnings.catch_warnings(), ThreadPoolExecutor(threads) as pool:
                warnings.filterwarnings("ignore", message=".*quantize", category=UserWarning)
                self._packed = list(pool.map(pack, self._blocks))
            self._linear = ops.linear_dynamic
            self.batch = POINTS_PER_PASS
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
        sc = round_up_8bits((hi - lo) / 126.0) if hi > lo else 1.0
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
        """Recompute h and g after ``min_sq`` changed at ``idx`` (None: everywhere)."""
        torch = self._torch
        self._min_sq = min_sq
        e1, e2 = self._e_ref
        if idx is None:
            np.subtract(self._sq_norms_low, min_sq, out=self._h)
            self._h *= np.float32(0.5)
            g = self._h - self._w1 * np.float32(e1)
            if self._w2 is not None:
                g -= self._w2 * np.float32(e2)
            self._g[:] = g
            if self._mirrored:
                self._h_t.copy_(torch.from_numpy(self._h))
                self._g_t.copy_(torch.from_numpy(self._g))
        else:
            h = (self._sq_norms_low[idx] - min_sq[idx]) * np.float32(0.5)
            g = h - self._w1[idx] * np.float32(e1)
            if self._w2 is not None:
                g -= self._w2[idx] * np.float32(e2)
            self._h[idx] = h
            self._g[idx] = g
            if self._mirrored and len(idx):
                where = torch.from_numpy(np.asarray(idx, dtype=np.int64)).to(self.device)
                self._h_t[where] = torch.from_numpy(h).to(self.device)
                self._g_t[where] = torch.from_numpy(g).to(self.device)

    def approximate(self, points: np.ndarray) -> list[Approx] | None:
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
                Approx(
                    [part[j] for part in parts],
                    0.5 * c1[j] + 127.0 * self._slack * c_hat1[j],
                    c_err[j],
                )
                for j in range(n)
            ]
        bits = round_bf16(points)
        self._c_bits[:n, : self._dim] = (bits >> np.uint32(16)).astype(np.uint16)
        dc = points - bits.view(np.float32)  # exact in float32
        if self.kernel == "int8pack":
            out = torch.ops.aten._weight_int8pack_mm(self._c_t[:n], self._q, self._scales)
            # |x.c - out| <= s (||c||_1 / 2            quantisation of x, |x - q s| <= s/2
            #                   + 127 ||c - c_b||_1    rounding c to bfloat16, |q s| <= 127 s
            #                   + 127 (u + slack) ||c_b||_1)  float32 sum, bfloat16 output
            # with ||c_b||_1 <= (1 + u) ||c||_1 as |c - c_b| <= u |c|.
            dc1 = np.abs(dc).sum(axis=1, dtype=np.float64)
            e1 = 0.5 * c1 + 127.0 * dc1 + 127.0 * (BF16_U + self._slack) * (1 + BF16_U) * c1
            return [Approx(out[j], e1[j], 0.0) for j in range(n)]
        if self._c_dev is not self._c_t:
            self._c_dev.copy_(self._c_t)
        # One pass over the rows for all n points; row j of the result is point j's values,
        # contiguous for the candidate test (points x rows: transposing the result after the
        # product would cost twice the product).
        out = torch.mm(self._c_dev[:n], self._xb.t())
        # Per point, |x.c - out| <= ||x - x_b|| ||c|| + ||x_b|| ||c - c_b||
        #                + (u + slack) ||x_b|| ||c_b||, twice over for torch's kernel
        # (float32 sums of exact bfloat16 products, in any order; a bfloat16 result),
        # with ||x - x_b|| <= u ||x_b|| and ||c_b|| <= (1 + u) ||c||.
        c2 = np.sqrt(np.einsum("ij,ij->i", points.astype(np.float64), points))
        dc2 = np.sqrt(np.einsum("ij,ij->i", dc.astype(np.float64), dc))
        rel = BF16_U * (1 + BF16_U) + 2.0 * (BF16_U + self._slack) * (1 + BF16_U)
        return [Approx(out[j], rel * float(c2[j]) + float(dc2[j]), 0.0) for j in range(n)]

    def _test_form(self, cc: np.float32, approx: Approx) -> tuple[float, float, float, bool]:
        """The candidate test's threshold, this point's error scales and whether the usual
        form (``approx - g``) applies; raises the reference scales first where needed."""
        e1 = approx.e1 * 1.01 + 1e-30
        e2 = approx.e2 * 1.01 + 1e-30 if self._w2 is not None else 0.0
        r1, r2 = self._e_ref
        if (e1 > r1 or e2 > r2) and self._min_sq is not None:
            self._e_ref = (max(e1 * 1.25, r1), max(e2 * 1.25, r2))
            self.refresh(self._min_sq, None)
            r1, r2 = self._e_ref
        usual = e1 >= 0.25 * r1 and e2 >= 0.25 * r2 and self._min_sq is not None
        threshold = float(cc) * (1.0 - self._slack) * 0.5 - self._abs_slack
        return threshold, e1, e2, usual

    def _host_parts(self, approx: Approx) -> tuple[list[tuple[int, int]], list[Any]]:
        """The approximation's row blocks and their values (one block but for qlinear)."""
        if isinstance(approx.values, list):
            return self._blocks, approx.values
        return [(0, len(self._g))], [approx.values]

    def update_rows(
        self, cc: np.float32, approx: Approx, c: np.ndarray, x: np.ndarray, sq_norms: np.ndarray
    ) -> int | None:
        """The whole screened step in one compiled pass over the rows (``kcenter_fused``):
        every candidate row's float32 distance to ``c`` is recomputed and, where smaller,
        written into the tracker's ``min_sq`` (the array ``refresh`` last saw) along with its
        ``h`` and ``g``. Returns how many rows were recomputed, or None where it does not
        apply (device copies, the tighter four-pass form, no numba): the caller then uses
        ``candidates``.
        """
        step = kcenter_fused.kernel()
        m = self._min_sq
        if step is None or self._mirrored or m is None:
            return None
        blocks, parts = self._host_parts(approx)
        arrays = [kcenter_fused.as_array(part) for part in parts]
        if any(values is None for values in arrays):
            return None
        threshold, _, _, usual = self._test_form(cc, approx)
        if not usual:
            return None
        if self._step_scratch is None:
            self._step_scratch = kcenter_fused.scratch(min(len(m), STEP_ROWS))
        state = (
            self._g,
            self._h,
            m,
            sq_norms,
            self._sq_norms_low,
            self._w1,
            self._w2 if self._w2 is not None else np.empty(0, dtype=np.float32),
            np.float32(self._e_ref[0]),
            np.float32(self._e_ref[1]),
            *self._step_scratch,
        )
        limit = np.float32(threshold)
        return sum(
            step(values[start : start + STEP_ROWS], lo + start, state, x, c, cc, limit)
            for (lo, _), values in zip(blocks, arrays, strict=True)
            for start in range(0, len(values), STEP_ROWS)
        )

    def candidates(self, cc: np.float32, approx: Approx) -> np.ndarray:
        """Rows whose float32 distance to the point may be below their current nearest one.

        The test is ``approx + w1 e1 + w2 e2 - h > threshold`` (with a 1% margin on the
        error terms for the rounding of the bound itself). Its usual form reads
        ``approx - g`` with ``g = h - w1 E1 - w2 E2`` kept up to date by ``refresh`` for
        reference scales ``E >= e``: a larger error bound, so still every row that may get
        closer, in two passes over N instead of four. A point whose error scale exceeds the
        reference raises it (one full refresh); one far below it (a much smaller point) takes
        the four-pass form, whose bound is tighter.
        """
        torch = self._torch
        t = self._t_t
        threshold, e1, e2, usual = self._test_form(cc, approx)
        offset, weights = (self._g_t, ()) if usual else (self._h_t, ((self._w1_t, e1),))
        if isinstance(approx.values, list):  # float32 row blocks
            for (lo, hi), part in zip(self._blocks, approx.values, strict=True):
                torch.sub(part, offset[lo:hi], out=t[lo:hi])
        else:  # bfloat16
            torch.sub(approx.values, offset, out=t)
        if not usual and self._w2_t is not None:
            weights = (*weights, (self._w2_t, e2))
        for w, e in weights:
            t.add_(w, alpha=e)
        torch.gt(t, threshold, out=self._mask_t)
        if self._mirrored:
            return torch.nonzero(self._mask_t).flatten().cpu().numpy()  # type: ignore[no-any-return]
        return np.flatnonzero(self._mask)

    def _check_bound(self, x: np.ndarray) -> None:
        """Raise ``KernelUnavailable`` unless the kernel keeps its error bound on sample rows.

        Not a proof (that is the derivation in ``approximate``), but it catches a kernel that
        computes something other than what the bound assumes, e.g. a GPU library summing
        bfloat16 products in bfloat16.
        """
        n = len(x)
        rng = np.random.default_rng(1)
        rows = np.sort(rng.choice(n, min(n, 512), replace=False))
        probes = np.stack([x[rows[-1]], x[rows[0]] * np.float32(-0.61) + np.float32(0.01)])
        exact = x[rows].astype(np.float64) @ probes.astype(np.float64).T
        for j, probe in enumerate(np.ascontiguousarray(probes, dtype=np.float32)):
            approxs = self.approximate(probe[None])
            if approxs is None:
                continue
            a = approxs[0]
            if isinstance(a.values, list):
                vals = self._torch.cat(a.values)[torch_index(rows)]
            else:
                vals = a.values.float()[torch_index(rows, self.device)]
            got = vals.double().cpu().numpy()
            bound = self._w1[rows].astype(np.float64) * a.e1
            if self._w2 is not None:
                bound += self._w2[rows].astype(np.float64) * a.e2
            if not np.all(np.abs(got - exact[:, j]) <= bound * 1.01 + 1e-30):
                raise KernelUnavailable(f"the {self.kernel} kernel exceeds its error bound")

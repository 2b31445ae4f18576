from unittest import mock

import numpy as np
import pytest

from tests.gpu_worker.kcenter_greedy import greedy
from winnow_common.schemas.worker_config import SelectionEntry
from winnow_gpu_worker.ml import kcenter, kcenter_screen, kcenter_tune
from winnow_gpu_worker.ml.kcenter import MinDistanceTracker
from winnow_gpu_worker.ml.selection import ResolvedStrategy, select

# "int8pack" is "int8" with its fallback kernel forced (see _tracker); "int8-pack" asks for
# that kernel directly.
SCREENED = ["int8", "int8pack", "int8-pack", "bfloat16"]


def _fake_timings(monkeypatch: pytest.MonkeyPatch, tmp_path: object, fastest: str) -> None:
    """Make "auto" measure into a private cache and find ``fastest`` the fastest kernel."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    ms = {name: 5.0 + i for i, name in enumerate(kcenter.KERNELS)}
    ms[fastest] = 1.0
    monkeypatch.setattr(kcenter_tune, "median_step_time", lambda name, step: ms[name] / 1e3)


def _unavailable(self: object, x: np.ndarray) -> int:
    raise kcenter_screen.KernelUnavailable


def _tracker(x: np.ndarray, precision: str) -> MinDistanceTracker:
    if precision != "int8pack":
        return MinDistanceTracker(x, precision=precision)  # type: ignore[arg-type]
    with mock.patch.object(kcenter_screen.Screen, "_init_qlinear", _unavailable):
        t = MinDistanceTracker(x, precision="int8")
    assert t._screen is not None and t._screen.kernel == "int8pack"
    return t


def _greedy(x: np.ndarray, k: int, precision: str, first: int = 0) -> list[int]:
    return greedy(_tracker(x, precision), k, first)


def _brute_min_sq(x: np.ndarray, centres: np.ndarray, c_norms: np.ndarray) -> np.ndarray:
    """Every row against every centre with the float32 formula, one full pass per centre."""
    sq_norms = np.einsum("ij,ij->i", x, x)
    out = np.full(len(x), np.inf, dtype=np.float32)
    for c, cc in zip(centres, c_norms, strict=True):
        d = sq_norms - 2.0 * (x @ c) + cc
        out = np.minimum(out, np.maximum(d, 0.0))
    return out


def _assert_same_up_to_rounding(fast: MinDistanceTracker, ref: MinDistanceTracker) -> None:
    """Equal squared distances up to float32 rounding of ||x||^2 - 2 x.c + ||c||^2."""
    scale = float(np.einsum("ij,ij->i", ref._x, ref._x).max())
    np.testing.assert_allclose(
        fast.min_sq_distance, ref.min_sq_distance, rtol=0, atol=4e-6 * max(scale, 1e-30)
    )


def _clustered(n: int, d: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((20, d)).astype(np.float32) * 5
    x = centres[rng.integers(0, 20, n)] + rng.standard_normal((n, d)).astype(np.float32) * 0.3
    return x.astype(np.float32)


@pytest.mark.parametrize("precision", ["float32", "float32-torch", *SCREENED])
def test_equals_bruteforce_exactly_on_exact_data(precision: str) -> None:
    # Small integers: every float32 sum is exact, so any order of summation gives the true
    # squared distances and the comparison can be exact.
    rng = np.random.default_rng(0)
    x = rng.integers(-8, 9, (700, 24)).astype(np.float32)
    t = _tracker(x, precision)
    assert len(t) == 700
    assert np.all(np.isinf(t.min_distance))
    picks = [3, 77, 410, 3, 699]
    for i in picks:
        t.add(i)
    x64 = x.astype(np.float64)
    truth = ((x64[:, None, :] - x64[picks][None]) ** 2).sum(-1).min(axis=1)
    np.testing.assert_array_equal(t.min_sq_distance, truth.astype(np.float32))
    np.testing.assert_array_equal(t.min_distance, np.sqrt(truth).astype(np.float32))
    assert t.min_distance.dtype == np.float32
    assert t.min_distance[picks].max() == 0.0


def test_float32_matches_bruteforce_on_random_data() -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((500, 24)).astype(np.float32)
    t = MinDistanceTracker(x, precision="float32")
    picks = [3, 77, 410, 3]
    for i in picks:
        t.add(i)
    sq_norms = np.einsum("ij,ij->i", x, x)
    expected = _brute_min_sq(x, x[picks], sq_norms[picks])
    expected[picks] = 0.0
    np.testing.assert_array_equal(t.min_sq_distance, expected)
    np.testing.assert_array_equal(t.min_distance, np.sqrt(expected))
    x64 = x.astype(np.float64)
    truth = np.sqrt(((x64[:, None, :] - x64[picks][None]) ** 2).sum(-1).min(axis=1))
    np.testing.assert_allclose(t.min_distance, truth, rtol=1e-4, atol=1e-3)


@pytest.mark.parametrize("precision", ["float32", "float32-torch", *SCREENED])
def test_add_points_matches_bruteforce(precision: str) -> None:
    rng = np.random.default_rng(1)
    x = rng.standard_normal((3000, 40)).astype(np.float32)
    points = rng.standard_normal((7, 40)).astype(np.float32)
    t = _tracker(x, precision)
    t.add_points(points[:3])
    t.add_points(points[3:].ravel())  # flat input is reshaped to rows
    p_norms = np.array([np.float32(float(p @ p)) for p in points])
    expected = _brute_min_sq(x, points, p_norms)
    if precision == "float32":
        np.testing.assert_array_equal(t.min_sq_distance, expected)
    np.testing.assert_allclose(t.min_sq_distance, expected, rtol=0, atol=1e-4)
    t.add(5)
    assert t.min_distance[5] == 0.0
    assert t.farthest() != 5


@pytest.mark.parametrize("precision", ["float32-torch", *SCREENED])
@pytest.mark.parametrize("data", ["gaussian", "clusters", "scaled"])
def test_screened_paths_equal_float32_reference(precision: str, data: str) -> None:
    rng = np.random.default_rng(2)
    if data == "gaussian":
        x = rng.standard_normal((6000, 64)).astype(np.float32)
    elif data == "clusters":
        x = _clustered(6000, 48, 3)
    else:  # rows of very different magnitude, D not a multiple of 16
        x = rng.standard_normal((6000, 37)).astype(np.float32)
        x *= rng.lognormal(0, 2, (6000, 1)).astype(np.float32)
        x[10] = 0.0
    k = 150
    ref = MinDistanceTracker(x, precision="float32")
    fast = _tracker(x, precision)
    assert fast.precision == precision.replace("int8pack", "int8")
    tol = 4e-6 * float(np.einsum("ij,ij->i", x, x).max())
    # Same picks for both: same distances up to float32 rounding, and the fast path's farthest
    # row is the reference's farthest up to that rounding.
    pick = 0
    for _ in range(k):
        ref.add(pick)
        fast.add(pick)
        _assert_same_up_to_rounding(fast, ref)
        pick, fast_pick = ref.farthest(), fast.farthest()  # type: ignore[assignment]
        assert fast_pick is not None
        assert ref.min_sq_distance[fast_pick] >= ref.min_sq_distance[pick] - tol
    # the screen skipped most rows once a few points were selected
    assert fast.rows_recomputed < 0.2 * len(x) * k
    # Independent greedy runs: the selections agree (exactly on isotropic data, where float32
    # near-ties are rare; clustered data with large norms has ties at rounding level).
    sel_ref, sel_fast = _greedy(x, k, "float32"), _greedy(x, k, precision)
    assert len(set(sel_fast) & set(sel_ref)) >= 0.99 * k
    if data == "gaussian":
        assert sel_fast == sel_ref


@pytest.mark.parametrize("precision", SCREENED)
@pytest.mark.parametrize("data", ["near-duplicates", "offset", "mixed-scale"])
def test_screen_never_skips_a_row_that_changes(precision: str, data: str) -> None:
    # The screen's promise, checked directly: every row whose float32 distance to the new
    # point (summed either way) is below its current nearest distance is a candidate.
    rng = np.random.default_rng(4)
    base = rng.standard_normal((300, 32)).astype(np.float32)
    if data == "near-duplicates":  # rows right at the decision boundary
        noise = rng.standard_normal((2, 300, 32)).astype(np.float32)
        x = np.concatenate([base, base + 1e-3 * noise[0], base + 1e-5 * noise[1], base])
    elif data == "offset":  # heavy cancellation in ||x||^2 - 2 x.c + ||c||^2
        x = np.concatenate([base, base + 0.01]) + 50.0
    else:
        x = base * rng.lognormal(0, 2, (300, 1))
    x = np.ascontiguousarray(x, dtype=np.float32)
    t = _tracker(x, precision)
    screen = t._screen
    assert screen is not None
    sq_norms = np.einsum("ij,ij->i", x, x)
    for i in rng.choice(len(x), 40, replace=False):
        t.add(int(i))
        for c in (x[rng.integers(len(x))], x[rng.integers(len(x))] + 1e-4):
            c = np.ascontiguousarray(c, dtype=np.float32)
            cc = np.float32(float(c @ c))
            approx = screen.approximate(c[None])
            assert approx is not None
            idx = set(screen.candidates(cc, approx[0]).tolist())
            for dots in (x @ c, np.einsum("ij,j->i", x, c)):
                d = np.maximum(sq_norms - 2.0 * dots + cc, 0.0)
                closer = np.flatnonzero(d < t._min_sq)
                assert set(closer.tolist()) <= idx


def test_farthest_skips_added_rows_and_breaks_ties_low() -> None:
    x = np.zeros((4, 2), dtype=np.float32)
    t = MinDistanceTracker(x, precision="float32")
    assert t.farthest() == 0  # everything is inf
    t.add(0)
    assert t.farthest() == 1  # all at distance 0, the lowest unselected index
    for i in (1, 2, 3):
        t.add(i)
    assert t.farthest() is None
    assert np.array_equal(t.min_distance, np.zeros(4, dtype=np.float32))


def test_auto_precision_and_errors(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    small = np.zeros((10, 4), dtype=np.float32)
    assert MinDistanceTracker(small).precision == "float32"
    assert MinDistanceTracker(small).choice is None  # nothing measured below AUTO_MIN_BYTES
    assert kcenter.AUTO_MIN_BYTES >= 8 * 2**20  # cache-sized matrices stay on BLAS float32
    monkeypatch.setattr(kcenter, "AUTO_MIN_BYTES", 100)
    _fake_timings(monkeypatch, tmp_path, "int8")
    auto = MinDistanceTracker(small)
    assert auto.precision == "int8"
    assert auto.choice is not None and auto.choice.kernel == "int8"
    with pytest.raises(ValueError):
        MinDistanceTracker(small, precision="float16")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        MinDistanceTracker(np.zeros(3, dtype=np.float32))
    with pytest.raises(IndexError):
        MinDistanceTracker(small).add(10)
    empty = MinDistanceTracker(np.zeros((0, 4), dtype=np.float32), precision="int8")
    assert len(empty) == 0 and empty.farthest() is None


def test_diversity_selection_uses_fast_path_with_same_result(
    monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    x = np.random.default_rng(5).standard_normal((5000, 32)).astype(np.float32)
    expected = _greedy(x, 80, "float32")
    monkeypatch.setattr(kcenter, "AUTO_MIN_BYTES", 0)  # make "auto" screen this small input
    _fake_timings(monkeypatch, tmp_path, "int8")  # ... and measure int8 as the fastest
    assert MinDistanceTracker(x).precision == "int8"
    diversity = SelectionEntry.model_validate(
        {"input": {"type": "EMBEDDINGS"}, "strategy": {"type": "DIVERSITY"}}
    )
    assert select([ResolvedStrategy(diversity, x)], 80).indices == expected


def test_int8_uses_the_quantized_linear_kernel_where_available() -> None:
    torch = pytest.importorskip("torch")
    if not {"fbgemm", "x86"} & set(torch.backends.quantized.supported_engines):
        pytest.skip("no FBGEMM / x86 quantized engine")
    x = np.random.default_rng(6).standard_normal((40000, 24)).astype(np.float32)
    t = MinDistanceTracker(x, precision="int8")
    assert t._screen is not None and t._screen.kernel == "qlinear"
    # several row blocks when the matrix is large enough
    assert len(t._screen._blocks) == min(torch.get_num_threads(), kcenter_screen.QLINEAR_BLOCKS)
    ref = MinDistanceTracker(x, precision="float32")
    for i in (0, 5, 39999):
        t.add(i)
        ref.add(i)
    t.add_points(x[10:16] + 0.5)  # batches of 4 points per kernel call
    ref.add_points(x[10:16] + 0.5)
    _assert_same_up_to_rounding(t, ref)
    assert t.farthest() == ref.farthest()


def test_quantized_kernel_self_check_failure_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    x = np.random.default_rng(7).standard_normal((3000, 16)).astype(np.float32)
    # A grid the kernel would not reproduce exactly must fail the self-check, not be used.
    real = kcenter_screen.Screen._grid_points

    def off_grid(self: kcenter_screen.Screen, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        rows, err = real(self, points)
        rows[:, 0] += np.float32(1e-3)
        return rows, err

    monkeypatch.setattr(kcenter_screen.Screen, "_grid_points", off_grid)
    t = MinDistanceTracker(x, precision="int8")
    assert t._screen is not None and t._screen.kernel == "int8pack"


def test_int8_rows_are_packed_in_blocks_of_at_most_max_block_rows(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """FBGEMM crashes on packed blocks of about 2**22 rows, so big matrices get more blocks;
    the picks stay those of float32 (shown here with a small block limit)."""
    monkeypatch.setattr(kcenter_screen, "MAX_BLOCK_ROWS", 1000)
    x = np.random.default_rng(3).standard_normal((5500, 16), dtype=np.float32)
    tracker = MinDistanceTracker(x, precision="int8")
    screen = getattr(tracker, "_screen", None)
    if screen is None or getattr(screen, "kernel", "") != "qlinear":
        pytest.skip("this torch build has no quantized linear kernel")
    assert len(screen._blocks) == 6 and all(hi - lo <= 1000 for lo, hi in screen._blocks)
    reference = MinDistanceTracker(x, precision="float32")
    picks, expected = [0], [0]
    tracker.add(0)
    reference.add(0)
    for _ in range(20):
        picks.append(tracker.farthest())
        tracker.add(picks[-1])
        expected.append(reference.farthest())
        reference.add(expected[-1])
    assert picks == expected


@pytest.mark.parametrize("precision", ["int8", "int8pack", "int8-pack", "bfloat16"])
def test_one_pass_over_the_matrix_serves_several_greedy_steps(precision: str) -> None:
    # The pass for an added row also computes the rows farthest from everything so far; greedy
    # k-center adds those next, so most steps need no pass of their own. Same picks.
    x = np.random.default_rng(5).standard_normal((6000, 64)).astype(np.float32)
    k = 200
    t = _tracker(x, precision)
    assert greedy(t, k) == _greedy(x, k, "float32")
    assert t._screen is not None and t._screen.batch == kcenter_screen.POINTS_PER_PASS
    assert t.passes < k / 3  # measured: about 7 steps per pass at 8 points per pass


def test_guesses_that_are_not_added_next_change_nothing_and_shrink() -> None:
    # DIVERSITY combined with other strategies adds rows that are not the farthest: the
    # guessed rows' approximations go unused, the distances stay the reference's, and the
    # passes stop computing more than one guess.
    rng = np.random.default_rng(6)
    x = rng.standard_normal((5000, 48)).astype(np.float32)
    ref = MinDistanceTracker(x, precision="float32")
    fast = MinDistanceTracker(x, precision="int8")
    screen = fast._screen
    assert screen is not None
    widths: list[int] = []
    original = screen.approximate

    def counting(points: np.ndarray) -> object:
        widths.append(len(points))
        return original(points)

    screen.approximate = counting  # type: ignore[method-assign]
    for i in rng.choice(len(x), 60, replace=False):
        ref.add(int(i))
        fast.add(int(i))
        _assert_same_up_to_rounding(fast, ref)
    assert fast.passes == len(widths) >= 55  # (almost) every added row needed its own pass
    assert max(widths[5:]) <= 2  # one guess per pass once guesses stopped being used


@pytest.mark.parametrize("precision", SCREENED)
def test_the_fused_step_does_what_the_candidate_test_and_numpy_do(
    precision: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One compiled pass (kcenter_fused) against the step it replaces: torch's candidate test,
    then NumPy's recompute, min-update and refresh of h and g at the candidate rows."""
    from winnow_gpu_worker.ml import kcenter_fused

    assert kcenter_fused.warm()  # numba is a dependency of the worker
    rng = np.random.default_rng(8)
    x = rng.standard_normal((7000, 40)).astype(np.float32)
    x[:50] = x[50:100] + 1e-4 * rng.standard_normal((50, 40)).astype(np.float32)  # near ties
    fused, plain = _tracker(x, precision), _tracker(x, precision)
    found: list[int] = []  # rows the candidate test returned, per plain step
    recomputed: list[int | None] = []  # rows the fused step recomputed (None: not used)
    real_update, real_candidates = (
        kcenter_screen.Screen.update_rows,
        kcenter_screen.Screen.candidates,
    )

    def update_rows(self: kcenter_screen.Screen, *args: object) -> int | None:
        out = real_update(self, *args)  # type: ignore[arg-type]
        recomputed.append(out)
        return out

    def candidates(self: kcenter_screen.Screen, *args: object) -> np.ndarray:
        out = real_candidates(self, *args)  # type: ignore[arg-type]
        found.append(len(out))
        return out

    monkeypatch.setattr(kcenter_screen.Screen, "update_rows", update_rows)
    monkeypatch.setattr(kcenter_screen.Screen, "candidates", candidates)
    fused_steps = 0
    for step, i in enumerate(rng.choice(len(x), 40, replace=False)):
        fused.add(int(i))
        by_fused = list(recomputed)
        with monkeypatch.context() as m:
            m.setattr(kcenter_fused, "kernel", lambda: None)  # as without numba
            plain.add(int(i))
        # the fused step ran (from the second step on: the first is one dense pass), and
        # recomputed the rows the test returned (unless that many made the plain path do a
        # dense pass); the same distances up to the order of the dot products' float32 sums;
        # h and g exactly as refresh() computes them from the distances
        assert len(by_fused) == (step > 0) and None not in by_fused
        fused_steps += len(by_fused)
        if found and found[-1] <= kcenter._DENSE_FRACTION * len(x):
            assert by_fused == [found[-1]]
        _assert_same_up_to_rounding(fused, plain)
        assert fused.farthest() == plain.farthest()
        screen = fused._screen
        assert screen is not None
        h, g = screen._h.copy(), screen._g.copy()
        screen.refresh(fused._min_sq, None)
        np.testing.assert_array_equal(h, screen._h)
        np.testing.assert_array_equal(g, screen._g)
        found.clear()
        recomputed.clear()
    assert fused_steps == 39 and fused.rows_recomputed > 0


@pytest.mark.parametrize("precision", ["int8", "bfloat16"])
def test_the_fused_step_goes_over_long_blocks_in_parts(
    precision: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its scratch covers STEP_ROWS rows whatever the matrix size (10M rows would otherwise
    need 130 MB of it); row blocks longer than that are stepped in parts, same picks."""
    monkeypatch.setattr(kcenter_screen, "STEP_ROWS", 1000)
    x = np.random.default_rng(9).standard_normal((5500, 16)).astype(np.float32)
    t = _tracker(x, precision)
    assert greedy(t, 60) == _greedy(x, 60, "float32")
    assert t._screen is not None and t._screen._step_scratch is not None
    assert all(len(a) == 1000 for a in t._screen._step_scratch) and t.rows_recomputed > 0


def test_the_host_bfloat16_screen_shares_the_trackers_arrays() -> None:
    """Without a device the bfloat16 screen works on the host arrays (no device-side copies)
    and uses the fused step (kcenter_fused), like the int8 screens; a named device, "cpu"
    included, keeps copies (the GPU's path, tested in test_kcenter_tune)."""
    x = np.random.default_rng(8).standard_normal((3000, 32)).astype(np.float32)
    t = MinDistanceTracker(x, precision="bfloat16")
    screen = t._screen
    assert screen is not None and screen.device is None and t.kernel == "bfloat16/bf16mm"
    assert screen._g_t.data_ptr() == screen._g.ctypes.data
    assert greedy(t, 60) == _greedy(x, 60, "float32")
    assert screen._step_scratch is not None  # the fused step ran

import hashlib
import inspect
import io
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from winnow_common.errors import StorageError, StorageUnavailable
from winnow_common.storage.datasource import LocalStore
from winnow_gpu_worker.ml.metadata import LIGHTLY_METADATA_KEYS, compute_image_metadata
from winnow_gpu_worker.ml.pixels import image_file_pixels
from winnow_gpu_worker.stages import checks
from winnow_gpu_worker.stages.checks import READ_THREADS, CheckResult, check_files


def _image(fmt: str, size: tuple[int, int] = (48, 32), seed: int = 0) -> bytes:
    rng = np.random.default_rng(seed)
    grid = rng.integers(20, 236, (3, 3, 3)).astype(np.uint8)
    pixels = np.asarray(Image.fromarray(grid).resize(size, Image.Resampling.BILINEAR))
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, format=fmt)
    return buf.getvalue()


GOOD_JPG = _image("JPEG", seed=1)
GOOD_PNG = _image("PNG", seed=2)
PNG_BYTES = _image("PNG", seed=3)
BIG_JPG = _image("JPEG", (256, 192), seed=4)

FILES: dict[str, bytes] = {
    "a_good.jpg": GOOD_JPG,
    "b_dup.jpg": GOOD_JPG,  # byte-identical to a_good.jpg
    "c_good.png": GOOD_PNG,
    "d_truncated.jpg": BIG_JPG[: len(BIG_JPG) * 2 // 3],  # header intact, scan cut
    "e_png_named.jpg": PNG_BYTES,  # content does not match the extension
    "f_empty.png": b"",
    "g_text.jpg": b"not an image at all\n" * 20,
    "sub/h_good.jpg": _image("JPEG", (64, 64), seed=5),
}
MISSING = "i_missing.jpg"
NAMES = [*FILES, MISSING]
CORRUPT = {"d_truncated.jpg", "e_png_named.jpg", "f_empty.png", "g_text.jpg", MISSING}
CLEAN = [n for n in NAMES if n not in CORRUPT]


@pytest.fixture
def store(tmp_path: Path) -> LocalStore:
    for name, data in FILES.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return LocalStore(tmp_path)


class Progress:
    def __init__(self) -> None:
        self.calls: list[tuple[int, int, str]] = []

    def __call__(self, done: int, total: int, note: str) -> None:
        self.calls.append((done, total, note))


def _run(
    store: LocalStore,
    names: list[str] = NAMES,
    progress_to: Progress | None = None,
    **kwargs: Any,
) -> CheckResult:
    kwargs.setdefault("check_corruptness", True)
    kwargs.setdefault("hash_content", True)
    return check_files(store, names, progress=progress_to or Progress(), **kwargs)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_signature_is_the_agreed_one() -> None:
    sig = inspect.signature(check_files)
    params = sig.parameters
    assert list(params) == [
        "store",
        "names",
        "check_corruptness",
        "hash_content",
        "compute_metadata",
        "threads",
        "processes",
        "model_input_size",
        "progress",
    ]
    kw_only = inspect.Parameter.KEYWORD_ONLY
    assert [p.kind for p in params.values()][2:] == [kw_only] * 7
    assert params["compute_metadata"].default is True
    assert params["threads"].default is None
    assert params["processes"].default is None
    assert params["model_input_size"].default is None
    assert params["check_corruptness"].default is inspect.Parameter.empty
    assert params["hash_content"].default is inspect.Parameter.empty
    assert params["progress"].default is inspect.Parameter.empty


@pytest.mark.parametrize(
    ("threads", "processes"), [(None, None), (1, 0), (3, 0), (1, 2), (3, 2), (None, 1)]
)
def test_every_field_of_the_result(
    store: LocalStore, threads: int | None, processes: int | None
) -> None:
    progress = Progress()
    result = check_files(
        store,
        NAMES,
        check_corruptness=True,
        hash_content=True,
        compute_metadata=True,
        threads=threads,
        processes=processes,
        progress=progress,
    )
    # corrupt: exactly the bad files, in names order, each with its reason.
    assert list(result.corrupt) == [n for n in NAMES if n in CORRUPT]
    assert result.corrupt["d_truncated.jpg"].startswith("truncated or corrupt image data")
    assert result.corrupt["e_png_named.jpg"] == (
        "content is PNG but the extension '.jpg' expects JPEG"
    )
    assert result.corrupt["f_empty.png"] == "empty file"
    assert result.corrupt["g_text.jpg"] == "cannot be identified as an image"
    assert result.corrupt[MISSING].startswith("file is missing or not readable: ")
    # hashes: every clean file (duplicates included), SHA-256 of the bytes.
    assert result.hashes == {n: _sha(FILES[n]) for n in CLEAN}
    assert result.hashes["a_good.jpg"] == result.hashes["b_dup.jpg"]
    # metadata: every clean file, identical to decoding the file on its own.
    assert result.metadata == {n: compute_image_metadata(FILES[n]) for n in CLEAN}
    assert all(tuple(m) == LIGHTLY_METADATA_KEYS for m in result.metadata.values())
    assert result.metadata["c_good.png"]["shape"] == [32, 48, 3]
    assert result.metadata["sub/h_good.jpg"]["sizeInBytes"] == len(FILES["sub/h_good.jpg"])
    # progress: once per file, in order, with the running corrupt count.
    total = len(NAMES)
    assert [(d, t) for d, t, _ in progress.calls] == [(i, total) for i in range(1, total + 1)]
    assert progress.calls[-1][2] == f"{len(CORRUPT)} corrupt"


def test_positional_store_and_names_keyword_flags(store: LocalStore) -> None:
    result = check_files(
        store, ["a_good.jpg"], check_corruptness=True, hash_content=False, progress=Progress()
    )
    assert result.corrupt == {}
    assert result.hashes == {}
    assert result.metadata == {"a_good.jpg": compute_image_metadata(GOOD_JPG)}


def test_no_metadata_when_not_asked(store: LocalStore) -> None:
    result = _run(store, compute_metadata=False)
    assert set(result.corrupt) == CORRUPT
    assert result.hashes == {n: _sha(FILES[n]) for n in CLEAN}
    assert result.metadata == {}


def test_without_hashing(store: LocalStore) -> None:
    result = _run(store, hash_content=False)
    assert set(result.corrupt) == CORRUPT
    assert result.hashes == {}
    assert set(result.metadata) == set(CLEAN)


def test_check_off_reports_only_unreadable_files(store: LocalStore) -> None:
    result = _run(store, check_corruptness=False, threads=2)
    assert list(result.corrupt) == [MISSING]
    readable = [n for n in NAMES if n != MISSING]
    assert result.hashes == {n: _sha(FILES[n]) for n in readable}
    # Undecodable files get no metadata (and are not lost); the PNG named .jpg still decodes.
    decodable = [*CLEAN, "e_png_named.jpg"]
    assert result.metadata == {n: compute_image_metadata(FILES[n]) for n in decodable}


def test_everything_off_still_reads_every_file(store: LocalStore) -> None:
    result = _run(store, check_corruptness=False, hash_content=False, compute_metadata=False)
    assert result == CheckResult(corrupt={MISSING: result.corrupt[MISSING]})


def test_metadata_failure_never_loses_the_file(
    store: LocalStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(data: bytes, image: Image.Image | None = None) -> dict[str, Any]:
        if data == GOOD_PNG:
            raise RuntimeError("metadata bug")
        return compute_image_metadata(data, image)

    monkeypatch.setattr(checks, "compute_image_metadata", broken)
    result = _run(store)
    assert set(result.corrupt) == CORRUPT
    assert result.hashes == {n: _sha(FILES[n]) for n in CLEAN}
    assert set(result.metadata) == set(CLEAN) - {"c_good.png"}


def test_metadata_reuses_the_checked_image(
    store: LocalStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[int, int] | None] = []

    def spy(data: bytes, image: Image.Image | None = None) -> dict[str, Any]:
        seen.append(None if image is None else image.size)
        return compute_image_metadata(data, image)

    monkeypatch.setattr(checks, "compute_image_metadata", spy)
    _run(store, threads=1, processes=0)  # in this process, where the spy can see the calls
    # A decoded full-resolution image is handed over for every clean file (never a draft).
    assert seen == [(48, 32), (48, 32), (48, 32), (64, 64)]


def test_store_errors_are_recorded_not_raised(tmp_path: Path) -> None:
    class FlakyStore(LocalStore):
        def read(self, key: str) -> bytes:
            if key == "boom.jpg":
                raise ConnectionError("reset by peer")
            if key == "denied.jpg":
                raise StorageError("access denied")
            return super().read(key)

    (tmp_path / "ok.jpg").write_bytes(GOOD_JPG)
    result = _run(FlakyStore(tmp_path), ["boom.jpg", "ok.jpg", "denied.jpg"])
    assert result.corrupt == {
        "boom.jpg": "file is missing or not readable: ConnectionError: reset by peer",
        "denied.jpg": "file is missing or not readable: access denied",
    }
    assert list(result.hashes) == ["ok.jpg"]
    assert list(result.metadata) == ["ok.jpg"]


def test_a_crashing_check_is_recorded_not_raised(
    store: LocalStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(name: str, data: bytes) -> tuple[str | None, Image.Image | None]:
        raise RuntimeError("check bug")

    monkeypatch.setattr(checks, "check_and_decode", crash)
    result = _run(store, ["a_good.jpg"])
    assert result.corrupt == {"a_good.jpg": "could not be inspected (RuntimeError: check bug)"}
    assert result.hashes == {} and result.metadata == {}


def test_empty_name_list(store: LocalStore) -> None:
    progress = Progress()
    result = check_files(store, [], check_corruptness=True, hash_content=True, progress=progress)
    assert result == CheckResult()
    assert progress.calls == []


def test_threads_must_be_positive(store: LocalStore) -> None:
    with pytest.raises(ValueError, match="threads"):
        _run(store, threads=0)
    assert READ_THREADS >= 1


def _many_files(tmp_path: Path, count: int) -> list[str]:
    """``count`` files, good and broken in turn (broken ones of every kind in FILES)."""
    kinds = list(FILES.items())
    names = []
    for i in range(count):
        base, data = kinds[i % len(kinds)]
        name = f"{i:03d}_{base.replace('/', '_')}"
        if i % len(kinds) == 0:
            data = _image("JPEG", (40 + i, 30), seed=100 + i)  # distinct good files too
        (tmp_path / name).write_bytes(data)
        names.append(name)
    return names


def test_decode_processes_give_the_threads_results_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Several windows (read ahead while the previous one is inspected) and several tasks per
    window: the same corrupt files, hashes, metadata and progress as the in-process check."""
    names = [*_many_files(tmp_path, 45), "zz_missing.jpg"]
    monkeypatch.setattr(checks, "WINDOW_FILES", 16)
    monkeypatch.setattr(checks, "FILES_PER_TASK", 3)
    store = LocalStore(tmp_path)
    in_process, by_processes = Progress(), Progress()
    expected = _run(store, names, threads=1, processes=0, progress_to=in_process)
    found = _run(store, names, threads=4, processes=2, progress_to=by_processes)
    assert list(found.corrupt.items()) == list(expected.corrupt.items())
    assert list(found.hashes.items()) == list(expected.hashes.items())
    assert list(found.metadata.items()) == list(expected.metadata.items())
    assert by_processes.calls == in_process.calls
    broken = sum(1 for i in range(45) if list(FILES)[i % len(FILES)] in CORRUPT)
    assert len(expected.corrupt) == broken + 1 and len(expected.metadata) == 45 - broken


def test_an_outage_stops_the_check_with_decode_processes(tmp_path: Path) -> None:
    """A store outage is not a bad file: it propagates (the attempt waits or stops)."""
    names = _many_files(tmp_path, 30)

    class FailingStore(LocalStore):
        def read(self, key: str) -> bytes:
            if key == names[20]:
                raise StorageUnavailable("the store is down")
            return super().read(key)

    with pytest.raises(StorageUnavailable):
        _run(FailingStore(tmp_path), names, threads=2, processes=2)


@pytest.mark.parametrize(("threads", "processes"), [(1, 0), (3, 2)])
def test_model_pixels_are_the_embedding_stages_decode(
    store: LocalStore, threads: int, processes: int
) -> None:
    """Asked for, every clean file also gets its model pixels, exactly as EMBEDDING decodes it
    (so it need not read and decode the file again); corrupt files get none."""
    result = _run(store, threads=threads, processes=processes, model_input_size=24)
    assert list(result.pixels) == CLEAN
    for name in CLEAN:
        assert result.pixels[name].dtype == np.uint8 and result.pixels[name].shape == (24, 24, 3)
        assert np.array_equal(result.pixels[name], image_file_pixels(FILES[name], 24)), name
    assert _run(store).pixels == {}  # not asked for: nothing kept


@pytest.mark.skipif(checks.inspect_processes() == 0, reason="needs 2 usable CPUs")
def test_decode_processes_forked_ahead_are_the_ones_the_check_uses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A standalone run forks the decoders before its import thread starts; the check then
    forks nothing itself, gives the same results, and the processes end with the block."""
    names = [*_many_files(tmp_path, 30), "zz_missing.jpg"]
    store = LocalStore(tmp_path)
    expected = _run(store, names, threads=1, processes=0)
    with checks.inspectors_forked_now() as forked:
        assert forked
        pool = checks._preforked
        assert pool is not None
        pids = set(pool._processes)  # type: ignore[attr-defined]

        def no_fork(*_args: object, **_kwargs: object) -> None:
            raise AssertionError("the check forked although its processes were forked ahead")

        with monkeypatch.context() as patched:
            patched.setattr(checks, "fork_pool", no_fork)
            found = _run(store, names, threads=4, processes=2)
        assert checks._preforked is None  # taken by the check
    assert list(found.corrupt.items()) == list(expected.corrupt.items())
    assert list(found.hashes.items()) == list(expected.hashes.items())
    assert list(found.metadata.items()) == list(expected.metadata.items())
    assert len(pids) == checks.inspect_processes()
    # an unused pool ends with the block
    with checks.inspectors_forked_now():
        left = checks._preforked
        assert left is not None
    assert checks._preforked is None
    with pytest.raises(RuntimeError):
        left.submit(int)


def _oriented(fmt: str, mode: str, orientation: int | None) -> bytes:
    rng = np.random.default_rng(len(fmt) + len(mode))
    image = Image.fromarray(rng.integers(0, 256, (37, 53, 3), dtype=np.uint8)).convert(mode)
    buf = io.BytesIO()
    options: dict[str, Any] = {}
    if orientation is not None:
        exif = Image.Exif()
        exif[0x0112] = orientation  # rotated: the model sees it upright
        options["exif"] = exif
    image.save(buf, format=fmt, **options)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("name", "fmt", "mode", "orientation"),
    [
        ("rgb.png", "PNG", "RGB", None),
        ("rotated.png", "PNG", "RGB", 6),
        ("palette.png", "PNG", "P", None),
        ("grey.png", "PNG", "L", None),
        ("alpha.png", "PNG", "RGBA", 3),
        ("frame.gif", "GIF", "P", None),
        ("plain.bmp", "BMP", "RGB", None),
        ("photo.webp", "WEBP", "RGB", 8),
        ("scan.tiff", "TIFF", "RGB", None),
        ("rotated.jpg", "JPEG", "RGB", 6),
    ],
)
def test_model_pixels_from_the_checks_decode_equal_the_embedding_stages(
    tmp_path: Path, name: str, fmt: str, mode: str, orientation: int | None
) -> None:
    """Formats decoded at full size reuse the check's decode; the pixels are the same."""
    data = _oriented(fmt, mode, orientation)
    (tmp_path / name).write_bytes(data)
    result = _run(LocalStore(tmp_path), [name], threads=1, processes=0, model_input_size=16)
    assert result.corrupt == {}
    assert np.array_equal(result.pixels[name], image_file_pixels(data, 16))

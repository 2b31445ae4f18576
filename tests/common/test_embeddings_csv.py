import numpy as np
import pytest

from winnow_common.embeddings_csv import read_embeddings_csv, write_embeddings_csv


def test_header_and_default_labels() -> None:
    data = write_embeddings_csv(["a.jpg", "b.jpg"], np.array([[1.0, 0.5], [0.0, -2.0]]))
    lines = data.decode().splitlines()
    assert lines[0] == "filenames,embedding_0,embedding_1,labels"
    assert lines[1] == "a.jpg,1,0.5,0"
    assert lines[2] == "b.jpg,0,-2,0"


def test_round_trip_is_exact_with_awkward_filenames() -> None:
    rng = np.random.default_rng(0)
    emb = rng.normal(size=(7, 7)).astype(np.float32)
    emb[0, 0] = np.float32(1e-38)
    emb[0, 1] = np.float32(3.4028235e38)
    emb[0, 2] = np.float32(1.0) + np.finfo(np.float32).eps
    emb[0, 3] = np.float32(1e-45)  # smallest subnormal
    emb[1] = np.nextafter(emb[1], np.float32(np.inf))
    names = [
        "a,b.jpg",
        'quote"d.png',
        "plain.jpg",
        "new\nline.jpg",
        "ünïcode/ø.jpg",
        "cr\rin name",
        " padded ",
    ]
    labels = [0, 1, 2, 3, -4, 5, 6]
    names_back, emb_back, labels_back = read_embeddings_csv(
        write_embeddings_csv(names, emb, labels)
    )
    assert names_back == names
    assert labels_back == labels
    assert emb_back.dtype == np.float32
    assert emb_back.shape == emb.shape
    assert np.array_equal(emb_back.view(np.uint32), emb.view(np.uint32))


def test_empty_embeddings_round_trip() -> None:
    names, emb, labels = read_embeddings_csv(write_embeddings_csv([], np.zeros((0, 3))))
    assert names == [] and labels == []
    assert emb.shape == (0, 3)


def test_reads_crlf_and_bom() -> None:
    data = "\ufefffilenames,embedding_0,labels\r\nx.jpg,1.5,0\r\n".encode()
    names, emb, labels = read_embeddings_csv(data)
    assert names == ["x.jpg"] and labels == [0]
    assert emb.tolist() == [[1.5]]


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"name,embedding_0,labels\nx,1,0\n",
        b"filenames,embedding_1,labels\nx,1,0\n",
        b"filenames,embedding_0,labels\nx,1\n",
        b"filenames,embedding_0,labels\nx,abc,0\n",
    ],
)
def test_malformed_csv_raises(data: bytes) -> None:
    with pytest.raises(ValueError):
        read_embeddings_csv(data)


def test_write_validates_lengths() -> None:
    with pytest.raises(ValueError):
        write_embeddings_csv(["a"], np.zeros((2, 3)))
    with pytest.raises(ValueError):
        write_embeddings_csv(["a"], np.zeros((1, 3)), labels=[1, 2])
    with pytest.raises(ValueError):
        write_embeddings_csv(["a"], np.zeros(3))


def _both_paths(
    data: bytes, monkeypatch: pytest.MonkeyPatch
) -> tuple[tuple[list[str], np.ndarray, list[int]], tuple[list[str], np.ndarray, list[int]]]:
    """The file read by the block parser and by the csv module (the fast path turned off)."""
    from winnow_common import embeddings_csv

    fast = embeddings_csv._read_plain(data)
    assert fast is not None, "the block parser should take this file"
    with monkeypatch.context() as patched:
        patched.setattr(embeddings_csv, "_read_plain", lambda _data: None)
        slow = read_embeddings_csv(data)
    return fast, slow


@pytest.mark.parametrize("rows", [0, 3, 4096, 9000])  # one block, exactly one, several
def test_the_block_parser_reads_what_the_csv_module_reads(
    rows: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = np.random.default_rng(rows)
    emb = rng.normal(size=(rows, 5)).astype(np.float32)
    if rows:
        emb[0] = [np.nan, np.inf, -np.inf, np.float32(1e-45), np.float32(-0.0)]
    names = [f"dir/img_{i}.jpg" for i in range(rows)]
    labels = [int(v) for v in rng.integers(-3, 9, size=rows)]
    data = write_embeddings_csv(names, emb, labels)
    data = b"\xef\xbb\xbf" + data.replace(b"\n", b"\n\n", 1)  # a BOM and a blank line
    fast, slow = _both_paths(data, monkeypatch)
    assert fast[0] == slow[0] == names
    assert fast[2] == slow[2] == labels
    assert fast[1].dtype == np.float32
    assert np.array_equal(fast[1].view(np.uint32), slow[1].view(np.uint32))
    assert np.array_equal(fast[1].view(np.uint32), emb.view(np.uint32))


def test_no_embedding_columns_read_the_same_way(monkeypatch: pytest.MonkeyPatch) -> None:
    fast, slow = _both_paths(b"filenames,labels\na.jpg,1\nb.jpg,2\n", monkeypatch)
    assert fast[0] == slow[0] == ["a.jpg", "b.jpg"] and fast[2] == slow[2] == [1, 2]
    assert fast[1].shape == slow[1].shape == (2, 0)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (b"x.jpg,1.0,0", "expected 4 fields, got 3"),
        (b"x.jpg,1.0,abc,0", "could not convert"),
        (b"x.jpg,1.0,2.0,zero", "invalid literal"),
        (b"x.jpg,1.0,,0", "could not convert"),
    ],
)
def test_a_bad_row_is_named_by_the_csv_path(row: bytes, message: str) -> None:
    from winnow_common import embeddings_csv

    data = b"filenames,embedding_0,embedding_1,labels\nok.jpg,1,2,0\n" + row + b"\n"
    assert embeddings_csv._read_plain(data) is None  # the block parser hands it over
    with pytest.raises(ValueError, match=f"line 3: .*{message}"):
        read_embeddings_csv(data)

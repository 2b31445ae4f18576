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

import hashlib

from winnow_gpu_worker.ml.duplicates import content_hash, find_exact_duplicates


def test_content_hash_is_sha256_hex() -> None:
    assert content_hash(b"abc") == hashlib.sha256(b"abc").hexdigest()
    assert len(content_hash(b"")) == 64


def test_duplicates_keep_first_sorted_name() -> None:
    hashes = {
        "c.jpg": "h1",
        "a.jpg": "h1",
        "b.jpg": "h2",
        "z/a.jpg": "h1",
        "d.jpg": "h2",
        "e.jpg": "h3",
    }
    assert find_exact_duplicates(hashes) == {"c.jpg": "a.jpg", "z/a.jpg": "a.jpg", "d.jpg": "b.jpg"}


def test_no_duplicates() -> None:
    assert find_exact_duplicates({"a": "1", "b": "2"}) == {}
    assert find_exact_duplicates({}) == {}

"""Read and write lightly's embeddings CSV format.

Header ``filenames,embedding_0,...,embedding_{D-1},labels``, then one row per sample. Values
are written with 9 significant digits, which is enough to round-trip every float32 exactly.
"""

from __future__ import annotations

import csv
import io
import warnings
from collections.abc import Iterator, Sequence

import numpy as np

_FILENAMES = "filenames"
_LABELS = "labels"
# Rows parsed per NumPy call on the fast path (bounds the text held at once).
_BLOCK_ROWS = 4096


def _header(dim: int) -> list[str]:
    """The header row of ``dim``-d embeddings."""
    return [_FILENAMES, *(f"embedding_{i}" for i in range(dim)), _LABELS]


def write_embeddings_csv(
    filenames: Sequence[str], embeddings: np.ndarray, labels: Sequence[int] | None = None
) -> bytes:
    """Serialise embeddings to UTF-8 CSV bytes in lightly's format (labels default to 0).

    Filenames are quoted by the csv module where needed, so commas, quotes and newlines in
    names survive a round trip through :func:`read_embeddings_csv`.
    """
    emb = np.asarray(embeddings, dtype=np.float32)
    if emb.ndim != 2:
        raise ValueError(f"embeddings must be 2-D (N, D), got shape {emb.shape}")
    names = list(filenames)
    if len(names) != emb.shape[0]:
        raise ValueError(f"{len(names)} filenames but {emb.shape[0]} embedding rows")
    label_list = [0] * len(names) if labels is None else [int(v) for v in labels]
    if len(label_list) != len(names):
        raise ValueError(f"{len(label_list)} labels but {len(names)} filenames")

    dim = emb.shape[1]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(_header(dim))
    # One %-format per row runs in C; formatting values individually is several times slower
    # on million-row exports, and numbers never need csv quoting.
    row_format = ",".join(["%.9g"] * dim)
    quote_buf = io.StringIO()
    # The terminator must be "\r\n" (stripped below): QUOTE_MINIMAL decides whether a CR or LF
    # in a filename needs quoting by looking at the terminator's characters.
    quoter = csv.writer(quote_buf, lineterminator="\r\n")
    for name, row, label in zip(names, emb, label_list, strict=True):
        quote_buf.seek(0)
        quote_buf.truncate()
        quoter.writerow([name])
        values = row_format % tuple(row.tolist()) if dim else ""
        sep = "," if dim else ""
        buf.write(f"{quote_buf.getvalue()[:-2]}{sep}{values},{label}\n")
    return buf.getvalue().encode("utf-8")


def read_embeddings_csv(data: bytes) -> tuple[list[str], np.ndarray, list[int]]:
    """Parse lightly-format embeddings CSV bytes into ``(filenames, float32 (N, D), labels)``.

    Rows are decoded as a stream straight into a preallocated float32 array, so memory stays
    near the size of the result (a million 32-d rows: about 0.13 GB plus the filenames).
    Raises ``ValueError`` if the header or a row does not follow the format.

    Files without quoting (no filename needs it) are parsed a block of rows per NumPy call
    (:func:`_read_plain`, about twice as fast); anything else, and any file that path cannot
    parse, goes through the ``csv`` module row by row, which also names the bad line.
    """
    plain = _read_plain(data)
    if plain is not None:
        return plain
    stream = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline="")
    reader = csv.reader(stream)
    header = next(reader, None)
    if header is None:
        raise ValueError("embeddings CSV is empty (no header)")
    if len(header) < 2 or header[0] != _FILENAMES or header[-1] != _LABELS:
        raise ValueError(
            f"embeddings CSV header must be '{_FILENAMES},embedding_0,...,{_LABELS}', "
            f"got {header[:3]}...{header[-1:]}"
        )
    dim = len(header) - 2
    for i, col in enumerate(header[1:-1]):
        if col != f"embedding_{i}":
            raise ValueError(
                f"embeddings CSV column {i + 1} should be 'embedding_{i}', got {col!r}"
            )

    # Every row ends with a newline (or is the last line): this bounds the row count.
    embeddings = np.empty((data.count(b"\n") + 1, dim), dtype=np.float32)
    filenames: list[str] = []
    labels: list[int] = []
    for row in reader:
        line_no = reader.line_num
        if not row:
            continue
        if len(row) != dim + 2:
            raise ValueError(f"line {line_no}: expected {dim + 2} fields, got {len(row)}")
        try:
            embeddings[len(filenames)] = [float(v) for v in row[1:-1]]
            label = int(row[-1])
        except ValueError as exc:
            raise ValueError(f"line {line_no}: {exc}") from exc
        filenames.append(row[0])
        labels.append(label)
    return filenames, embeddings[: len(filenames)].copy(), labels


def _read_plain(data: bytes) -> tuple[list[str], np.ndarray, list[int]] | None:
    """The file as :func:`read_embeddings_csv` reads it, or None where this path does not
    apply (quotes or carriage returns, a header or row it cannot take as it is).

    The values go through NumPy's text parser as float64 (the same correctly rounded parse
    as Python's ``float``), then to float32 as the row-by-row path stores them.
    """
    if b'"' in data or b"\r" in data:
        return None
    lines = (line for line in io.BytesIO(data.removeprefix(b"\xef\xbb\xbf")) if line.strip())
    header = next(lines, b"").rstrip(b"\n").split(b",")
    dim = len(header) - 2
    if dim < 0 or header != [name.encode() for name in _header(dim)]:
        return None
    embeddings = np.empty((data.count(b"\n") + 1, dim), dtype=np.float32)
    filenames: list[str] = []
    labels: list[int] = []
    for block in _blocks(lines):
        rows = _plain_rows(block, dim)
        if rows is None:
            return None
        names, values, block_labels = rows
        embeddings[len(filenames) : len(filenames) + len(names)] = values
        filenames += names
        labels += block_labels
    return filenames, embeddings[: len(filenames)].copy(), labels


def _blocks(lines: Iterator[bytes]) -> Iterator[list[bytes]]:
    block: list[bytes] = []
    for line in lines:
        block.append(line)
        if len(block) == _BLOCK_ROWS:
            yield block
            block = []
    if block:
        yield block


def _plain_rows(block: list[bytes], dim: int) -> tuple[list[str], np.ndarray, list[int]] | None:
    """A block's filenames, (rows, dim) values and labels; None if a row does not parse."""
    names: list[str] = []
    values: list[bytes] = []
    labels: list[int] = []
    try:
        for line in block:
            name, rest = line.rstrip(b"\n").split(b",", 1)
            row, label = rest.rsplit(b",", 1) if dim else (b"", rest)
            names.append(name.decode("utf-8"))
            values.append(row)
            labels.append(int(label))
        if not dim:
            return names, np.zeros((len(names), 0), dtype=np.float32), labels
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # NumPy warns (not raises) on some bad text
            parsed = np.fromstring(b",".join(values), dtype=np.float64, sep=",")
    except (ValueError, UnicodeDecodeError, DeprecationWarning):
        return None
    if parsed.size != len(names) * dim:
        return None
    return names, parsed.reshape(len(names), dim), labels

"""The worker config's ``relevant_filenames_file``: which input files a run considers.

Format (Lightly Worker docs, "Specifying Relevant Files", ``first_steps.rst``): a UTF-8 text file
in the LIGHTLY datasource under ``.lightly/``, one entry per line, paths relative to the INPUT
datasource root without ``./`` or ``../``. Each line is independent and a file is relevant if
*any* line includes it:

* A line without ``*`` is one exact filename (the whole stripped line, so names may contain
  spaces): ``subdir/image_2.png``.
* A line with ``*`` is a *prefix* line: everything before the first ``*`` is the prefix
  (``subdir/*`` includes the whole folder, ``*`` everything). After the ``*`` come optional
  whitespace-separated gitignore patterns (https://git-scm.com/docs/gitignore) matched against
  the full relative path; a matching pattern EXCLUDES the file again and ``!pattern`` re-includes
  it, the last matching pattern wins::

      image_1.png
      subdir/* subdir/image_4* !subdir/image_41.png !subdir/image_42.png

  considers ``image_1.png`` and every file under ``subdir/`` except ``subdir/image_4*``, but keeps
  ``subdir/image_41.png`` and ``subdir/image_42.png``.

Decisions where the docs are silent: blank lines are ignored and lines are stripped (so CRLF
files work); ``#`` has no comment meaning (it may start a filename); the first ``*`` must end its
token (``subdir/*.png`` is rejected with a hint, since only a prefix may precede it: write
``subdir/* * !*.png`` instead); gitignore patterns may be anchored with a leading ``/``, but like
paths they may not contain ``.`` or ``..`` segments. Matching uses :class:`pathspec.GitIgnoreSpec`.

One rule for the GPU worker (which input files a run considers) and the API's datasource listings
(``relevantFilenamesFileName`` / ``relevantFilenamesRunId`` + ``relevantFilenamesArtifactId``):
a metadata or prediction file ``<stem>.json`` is relevant when its sample is
(:meth:`RelevantFiles.matches_stem`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from pathspec import GitIgnoreSpec

#: The folder of the LIGHTLY datasource the file must live in (Lightly docs: "must always be
#: located in a subdirectory called `.lightly`").
LIGHTLY_DIR = ".lightly/"


@dataclass(frozen=True)
class RelevantLine:
    """One parsed line: either an exact filename or a prefix with exclusion patterns."""

    line_number: int
    text: str
    exact: str | None = None
    prefix: str | None = None
    patterns: tuple[str, ...] = ()
    spec: GitIgnoreSpec | None = field(default=None, compare=False, repr=False)

    def matches(self, name: str) -> bool:
        """True if this line includes ``name`` (a '/'-separated path relative to the root)."""
        if self.exact is not None:
            return name == self.exact
        if self.prefix is None or not name.startswith(self.prefix):
            return False
        return self.spec is None or not self.spec.match_file(name)


@dataclass(frozen=True)
class RelevantFiles:
    """A parsed relevant-filenames file; see the module docstring for the semantics."""

    lines: tuple[RelevantLine, ...]
    _exact: frozenset[str] = field(default=frozenset(), compare=False, repr=False)
    _prefixed: tuple[RelevantLine, ...] = field(default=(), compare=False, repr=False)
    _exact_stems: frozenset[str] = field(default=frozenset(), compare=False, repr=False)

    def __post_init__(self) -> None:
        # Exact names are looked up in a set, so files with 100k listed names stay O(1) each.
        exact = frozenset(line.exact for line in self.lines if line.exact is not None)
        prefixed = tuple(line for line in self.lines if line.prefix is not None)
        object.__setattr__(self, "_exact", exact)
        object.__setattr__(self, "_prefixed", prefixed)
        object.__setattr__(self, "_exact_stems", frozenset(_stem(name) for name in exact))

    @property
    def is_empty(self) -> bool:
        """True if the file lists nothing, so no file is relevant."""
        return not self.lines

    def matches(self, name: str) -> bool:
        """True if any line includes ``name`` (a '/'-separated path relative to the root)."""
        if name in self._exact:
            return True
        return any(line.matches(name) for line in self._prefixed)

    def filter(self, filenames: Iterable[str]) -> list[str]:
        """The relevant ``filenames``, in their given order."""
        return [name for name in filenames if self.matches(name)]

    def matches_stem(self, stem: str, extensions: Iterable[str]) -> bool:
        """True if the sample a per-sample file ``<stem>.json`` belongs to is relevant: an exact
        line naming ``stem`` with any extension, or ``stem`` plus one of ``extensions`` (with the
        dot; tried as given and upper-case) matching any line. A metadata or prediction file
        does not say its sample's extension, so a prefix line's patterns see each candidate."""
        if stem in self._exact_stems:
            return True
        return any(self.matches(stem + ext) for base in extensions for ext in {base, base.upper()})


def _stem(name: str) -> str:
    """``name`` without the extension of its last path component (``a/b.png`` -> ``a/b``)."""
    slash = name.rfind("/")
    dot = name.rfind(".")
    return name[:dot] if dot > slash + 1 else name


def _bad_segment(segments: Iterable[str]) -> str | None:
    for segment in segments:
        if segment in (".", ".."):
            return f"contains a '{segment}/' path segment"
        if segment == "":
            return "contains an empty path segment ('//')"
    return None


def _check_path(text: str, *, partial_last: bool) -> str | None:
    """Why ``text`` is not a clean relative path, or None. ``partial_last``: a name prefix."""
    if text.startswith("/"):
        return "is an absolute path"
    if text.startswith("\\") or (text[:1].isalpha() and text[1:3] in (":/", ":\\")):
        return "is an absolute path"
    segments = text.split("/")
    if partial_last:
        # 'subdir/' and 'image_' are prefixes: only segments followed by '/' are complete.
        segments = segments[:-1]
    return _bad_segment(segments)


def _check_pattern(pattern: str) -> str | None:
    body = pattern[1:] if pattern.startswith("!") else pattern
    body = body[1:] if body.startswith("/") else body  # anchoring is valid gitignore syntax
    if not body:
        return "is an empty pattern"
    segments = body.rstrip("/").split("/")
    return _bad_segment(segments)


def _parse_line(line_number: int, text: str) -> RelevantLine:
    star = text.find("*")
    if star < 0:
        problem = _check_path(text, partial_last=False)
        if problem:
            raise ValueError(
                f"relevant filenames line {line_number}: {text!r} {problem}; paths must be "
                "relative to the input datasource root without './' or '../'"
            )
        return RelevantLine(line_number=line_number, text=text, exact=text)

    prefix, rest = text[:star], text[star + 1 :]
    if rest and not rest[0].isspace():
        suffix = rest.split()[0]
        raise ValueError(
            f"relevant filenames line {line_number}: {text!r}: everything up to the first '*' is "
            f"the prefix, so the '*' must end its token (found {suffix!r} after it); filter "
            f"with gitignore patterns after the prefix instead, e.g. '{prefix}* * !*{suffix}' "
            f"keeps only the files under {prefix!r} whose names end in {suffix!r}"
        )
    problem = _check_path(prefix, partial_last=True)
    if problem:
        raise ValueError(
            f"relevant filenames line {line_number}: prefix {prefix!r} {problem}; paths must be "
            "relative to the input datasource root without './' or '../'"
        )
    patterns = tuple(rest.split())
    for pattern in patterns:
        problem = _check_pattern(pattern)
        if problem:
            raise ValueError(
                f"relevant filenames line {line_number}: gitignore pattern {pattern!r} {problem}"
            )
    try:
        spec = GitIgnoreSpec.from_lines(patterns) if patterns else None
    except Exception as exc:  # pathspec raises its own error types for malformed patterns
        raise ValueError(
            f"relevant filenames line {line_number}: invalid gitignore pattern ({exc})"
        ) from exc
    return RelevantLine(
        line_number=line_number, text=text, prefix=prefix, patterns=patterns, spec=spec
    )


def parse_relevant_filenames(text: str) -> RelevantFiles:
    """Parse the content of a relevant-filenames file.

    Raises ``ValueError`` naming the (1-based) line and the reason for absolute paths, paths
    with ``./`` or ``../`` (or ``//``) segments, text glued to the prefix's ``*`` and invalid
    gitignore patterns.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = []
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if stripped:
            lines.append(_parse_line(number, stripped))
    return RelevantFiles(lines=tuple(lines))


def load_relevant_filenames(read: Callable[[str], bytes], key: str) -> RelevantFiles:
    """Read and parse the relevant-filenames file ``key`` of the LIGHTLY datasource.

    ``key`` is relative to the LIGHTLY datasource root and must lie under ``.lightly/`` (as the
    Lightly docs require); ``read`` is the datasource's reader (its errors propagate). Raises
    ``ValueError`` for a key outside ``.lightly/``, non-UTF-8 content or an invalid line.
    """
    if not key.startswith(LIGHTLY_DIR) or ".." in key.split("/"):
        raise ValueError(
            f"relevant_filenames_file {key!r} must be a path in the LIGHTLY datasource under "
            f"'{LIGHTLY_DIR}', e.g. '.lightly/relevant_filenames.txt'"
        )
    data = read(key)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"relevant_filenames_file {key!r} is not UTF-8 text ({exc})") from exc
    return parse_relevant_filenames(text)

import pytest

from winnow_gpu_worker.ml.relevant_files import (
    RelevantFiles,
    load_relevant_filenames,
    parse_relevant_filenames,
)

DOC_FILES = [
    "image_1.png",
    "subdir/image_2.png",
    "subdir/image_3.png",
    "subdir/image_40.png",
    "subdir/image_41.png",
    "subdir/image_42.png",
]


def test_documented_example_with_prefix_and_gitignore_patterns() -> None:
    text = "image_1.png\nsubdir/* subdir/image_4* !subdir/image_41.png !subdir/image_42.png\n"
    relevant = parse_relevant_filenames(text)
    assert relevant.filter(DOC_FILES) == [
        "image_1.png",
        "subdir/image_2.png",
        "subdir/image_3.png",
        "subdir/image_41.png",
        "subdir/image_42.png",
    ]
    assert not relevant.matches("subdir/image_40.png")


def test_documented_exact_list_and_folder_prefix() -> None:
    exact = parse_relevant_filenames("image_1.png\nsubdir/image_2.png\nsubdir/image_3.png\n")
    assert exact.filter(DOC_FILES) == ["image_1.png", "subdir/image_2.png", "subdir/image_3.png"]
    folder = parse_relevant_filenames("image_1.png\nsubdir/*\n")
    assert folder.filter(DOC_FILES) == DOC_FILES


def test_exact_lines_match_whole_names_only() -> None:
    relevant = parse_relevant_filenames("image_1.png\n")
    assert relevant.matches("image_1.png")
    assert not relevant.matches("image_1.png.bak")
    assert not relevant.matches("sub/image_1.png")


def test_lines_are_independent_and_any_line_includes() -> None:
    # The second line's exclusion must not remove what the first line includes.
    relevant = parse_relevant_filenames("subdir/image_40.png\nsubdir/* subdir/image_4*\n")
    assert relevant.filter(DOC_FILES) == [
        "subdir/image_2.png",
        "subdir/image_3.png",
        "subdir/image_40.png",
    ]


def test_prefix_is_plain_string_prefix_and_star_alone_is_everything() -> None:
    assert parse_relevant_filenames("subdir/image_4*").filter(DOC_FILES) == DOC_FILES[3:]
    assert parse_relevant_filenames("*").filter(DOC_FILES) == DOC_FILES
    assert parse_relevant_filenames("* *.png !image_1.png").filter(DOC_FILES) == ["image_1.png"]


def test_last_matching_pattern_wins_and_nested_paths() -> None:
    relevant = parse_relevant_filenames("data/* * !*.png data/skip/*.png")
    files = ["data/a.png", "data/b.jpg", "data/deep/c.png", "data/skip/d.png", "other/e.png"]
    assert relevant.filter(files) == ["data/a.png", "data/deep/c.png"]
    # A directory pattern excludes everything below it.
    relevant = parse_relevant_filenames("data/* data/deep/")
    assert relevant.filter(files) == ["data/a.png", "data/b.jpg", "data/skip/d.png"]


def test_blank_lines_crlf_bom_and_spaces_in_names() -> None:
    relevant = parse_relevant_filenames("\ufeffimage_1.png\r\n\r\n   \nmy dir/my file.png\r\n")
    assert [line.line_number for line in relevant.lines] == [1, 4]
    assert relevant.filter(["image_1.png", "my dir/my file.png", "x.png"]) == [
        "image_1.png",
        "my dir/my file.png",
    ]


def test_empty_file_matches_nothing() -> None:
    relevant = parse_relevant_filenames("\n\n")
    assert isinstance(relevant, RelevantFiles)
    assert relevant.is_empty
    assert relevant.filter(DOC_FILES) == []


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("./image_1.png", "'./'"),
        ("../image_1.png", "'../'"),
        ("subdir/../image_1.png", "'../'"),
        ("/abs/image_1.png", "absolute"),
        ("./subdir/*", "'./'"),
        ("../*", "'../'"),
        ("subdir//image.png", "empty path segment"),
        ("subdir/* ../other", "'../'"),
        ("subdir/* !./x.png", "'./'"),
        ("subdir/*.png", "must end its token"),
    ],
)
def test_invalid_lines_name_line_number_and_reason(line: str, reason: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_relevant_filenames(f"image_1.png\n\n{line}\n")
    message = str(info.value)
    assert "line 3" in message
    assert reason in message


def test_dot_prefixes_of_names_are_allowed() -> None:
    # '.*' is the prefix '.' (hidden files), not a './' segment; anchored patterns are fine.
    relevant = parse_relevant_filenames(".*\nsub/* /sub/x.png\n..weird.png")
    assert relevant.filter([".hidden.png", "a.png", "sub/x.png", "sub/y.png", "..weird.png"]) == [
        ".hidden.png",
        "sub/y.png",
        "..weird.png",
    ]


def test_load_reads_through_the_reader_and_requires_lightly_dir() -> None:
    store = {".lightly/relevant_filenames.txt": b"image_1.png\nsubdir/*\n"}
    relevant = load_relevant_filenames(store.__getitem__, ".lightly/relevant_filenames.txt")
    assert relevant.filter(DOC_FILES) == DOC_FILES
    with pytest.raises(ValueError, match=r"\.lightly/"):
        load_relevant_filenames(store.__getitem__, "relevant_filenames.txt")
    store[".lightly/bad.txt"] = b"\xff\xfe\x00"
    with pytest.raises(ValueError, match="UTF-8"):
        load_relevant_filenames(store.__getitem__, ".lightly/bad.txt")

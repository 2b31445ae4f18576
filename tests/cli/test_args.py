"""``winnow-worker``'s legacy count: ``stopping_condition.n_samples=1.0`` is 100 % (seed 002's
"Removing Exact Duplicates" recipe), an integer is a count, with or without ``selection.*``."""

from __future__ import annotations

import pytest

from winnow_cli.args import parse_overrides

DIRS = ["input_dir=/tmp/in", "output_dir=/tmp/out"]


@pytest.mark.parametrize(
    ("value", "count", "proportion"),
    [("1.0", None, 1.0), ("0.3", None, 0.3), ("1", 1, None), ("20", 20, None)],
)
@pytest.mark.parametrize("with_selection", [False, True], ids=["legacy", "with-selection"])
def test_legacy_n_samples(
    value: str, count: int | None, proportion: float | None, with_selection: bool
) -> None:
    extra = ["selection.strategies=[{input: {type: RANDOM}, strategy: {type: WEIGHTS}}]"]
    argv = [*DIRS, f"stopping_condition.n_samples={value}", *(extra if with_selection else [])]
    _, config = parse_overrides(argv)
    assert config.selection is not None
    assert (config.selection.n_samples, config.selection.proportion_samples) == (count, proportion)

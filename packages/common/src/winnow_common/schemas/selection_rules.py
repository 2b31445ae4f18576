"""Which selection inputs go with which strategies, and what each needs (Lightly's rules).

Source: Lightly docs "Input and Strategy Combinations" (see shared/reference/lightly-semantics.md
§1.9). Checked when a config is created, so a bad combination is a 422 before anything runs.
"""

from __future__ import annotations

from winnow_common.enums import SelectionInputType as In
from winnow_common.enums import SelectionStrategyType as St

ALLOWED_COMBINATIONS: dict[tuple[In, str | None], frozenset[St]] = {
    (In.EMBEDDINGS, None): frozenset({St.DIVERSITY, St.SIMILARITY, St.TYPICALITY}),
    (In.METADATA, None): frozenset({St.WEIGHTS, St.THRESHOLD, St.BALANCE}),
    (In.PREDICTIONS, "CATEGORY_COUNT"): frozenset({St.WEIGHTS, St.THRESHOLD}),
    (In.PREDICTIONS, "CLASS_DISTRIBUTION"): frozenset({St.BALANCE}),
    (In.RANDOM, None): frozenset({St.WEIGHTS, St.THRESHOLD}),
    (In.SCORES, None): frozenset({St.WEIGHTS, St.THRESHOLD}),
}


def describe_allowed() -> str:
    """All allowed combinations, for error messages."""
    parts = []
    for (input_type, name), strategies in ALLOWED_COMBINATIONS.items():
        label = f"{input_type.value}" + (f"+{name}" if name else "")
        parts.append(f"{label} -> {'/'.join(sorted(s.value for s in strategies))}")
    return "; ".join(parts)


def combination_problems(
    index: int,
    input_type: In,
    strategy_type: St,
    *,
    task: str | None,
    score: str | None,
    key: str | None,
    name: str | None,
    dataset_id: str | None,
    tag_name: str | None,
    threshold: float | None,
    operation: str | None,
    distribution: str | None,
    target: dict[str, float] | None,
) -> list[str]:
    """What is wrong with strategy ``index`` (empty when it is valid)."""
    where = f"'selection.strategies[{index}]'"
    problems: list[str] = []
    group = (input_type, name if input_type == In.PREDICTIONS else None)
    allowed = ALLOWED_COMBINATIONS.get(group)
    if input_type == In.PREDICTIONS and name is None:
        problems.append(
            f"{where}: PREDICTIONS input needs 'name' (CLASS_DISTRIBUTION or CATEGORY_COUNT)"
        )
    elif allowed is None or strategy_type not in allowed:
        label = input_type.value + (f"+{name}" if group[1] else "")
        problems.append(
            f"{where}: {label} input with {strategy_type.value} strategy is not allowed; "
            f"allowed: {describe_allowed()}"
        )
    needs = {
        In.SCORES: {"task": task, "score": score},
        In.METADATA: {"key": key},
        In.PREDICTIONS: {"task": task},
    }.get(input_type, {})
    problems += [
        f"{where}: {input_type.value} input needs '{k}'" for k, v in needs.items() if not v
    ]
    if strategy_type == St.THRESHOLD and (threshold is None or operation is None):
        problems.append(f"{where}: THRESHOLD needs 'threshold' and 'operation'")
    if strategy_type == St.BALANCE and (distribution or "TARGET") == "TARGET" and not target:
        problems.append(f"{where}: BALANCE with distribution TARGET needs 'target'")
    if strategy_type == St.SIMILARITY and not (dataset_id and tag_name):
        problems.append(
            f"{where}: SIMILARITY needs the query set as input 'datasetId' and 'tagName'"
        )
    return problems

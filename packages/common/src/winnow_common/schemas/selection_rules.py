"""Which selection input may feed which strategy, and which fields each needs (Lightly's rules).

The one place these rules live: ``worker_config.parse_worker_config`` uses them when a config is
created (HTTP 422 before anything runs) and the worker's selection engine re-checks each entry
with the same functions. Source: Lightly docs "Input and Strategy Combinations" (see
shared/reference/lightly-semantics.md §1.9).

Messages are shown to API users, so they use the wire spelling of each key and always list the
allowed combinations when a pair is refused.

The models come from ``selection_config``; ``worker_config`` imports this module (and not the
other way round).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

from pydantic import BaseModel

from winnow_common.enums import SelectionInputType, SelectionStrategyType
from winnow_common.schemas.selection_config import (
    SelectionEntry,
    SelectionInput,
    SelectionStrategy,
)

_I = SelectionInputType
_S = SelectionStrategyType

PREDICTION_NAMES = ("CLASS_DISTRIBUTION", "CATEGORY_COUNT")

# (input type, PREDICTIONS name or None) -> allowed strategies. Docs "Input and Strategy
# Combinations"; PREDICTIONS depends on which prediction-derived value is asked for.
ALLOWED_COMBINATIONS: Mapping[tuple[SelectionInputType, str | None], tuple[_S, ...]] = {
    (_I.EMBEDDINGS, None): (_S.DIVERSITY, _S.SIMILARITY, _S.TYPICALITY),
    (_I.METADATA, None): (_S.WEIGHTS, _S.THRESHOLD, _S.BALANCE),
    (_I.PREDICTIONS, "CATEGORY_COUNT"): (_S.WEIGHTS, _S.THRESHOLD),
    (_I.PREDICTIONS, "CLASS_DISTRIBUTION"): (_S.BALANCE,),
    (_I.RANDOM, None): (_S.WEIGHTS, _S.THRESHOLD),
    (_I.SCORES, None): (_S.WEIGHTS, _S.THRESHOLD),
}


def _describe_key(input_type: SelectionInputType, name: str | None) -> str:
    return f"{input_type.value} (name {name})" if name else input_type.value


# e.g. "EMBEDDINGS -> DIVERSITY, SIMILARITY, TYPICALITY; ...; PREDICTIONS (name
# CLASS_DISTRIBUTION) -> BALANCE; ..."
ALLOWED_COMBINATIONS_TEXT = "; ".join(
    f"{_describe_key(i, name)} -> {', '.join(s.value for s in strategies)}"
    for (i, name), strategies in ALLOWED_COMBINATIONS.items()
)

# Input fields each input type may carry (besides ``type``). EMBEDDINGS' dataset/tag only make
# sense as a SIMILARITY query set, which is checked separately.
_INPUT_FIELDS: Mapping[SelectionInputType, frozenset[str]] = {
    _I.EMBEDDINGS: frozenset({"task", "dataset_id", "tag_name"}),
    _I.SCORES: frozenset({"task", "score"}),
    _I.METADATA: frozenset({"key"}),
    _I.PREDICTIONS: frozenset({"task", "name", "categories"}),
    _I.RANDOM: frozenset({"random_seed"}),
}

# Strategy options that have an effect on each strategy; any other option set is refused rather
# than silently ignored (a misplaced stopping condition would otherwise go unnoticed).
_STRATEGY_FIELDS: Mapping[SelectionStrategyType, frozenset[str]] = {
    _S.DIVERSITY: frozenset({"strength", "stopping_condition_minimum_distance"}),
    _S.WEIGHTS: frozenset({"strength", "stopping_condition_max_sum", "target_range"}),
    _S.THRESHOLD: frozenset({"threshold", "operation"}),
    _S.BALANCE: frozenset({"strength", "target", "distribution"}),
    _S.SIMILARITY: frozenset({"strength"}),
    _S.TYPICALITY: frozenset(
        {"strength", "num_nearest_neighbors", "stopping_condition_minimum_typicality"}
    ),
}

# ``targetRange`` is a free dict in the config model; the lightly client sends camelCase keys.
TARGET_RANGE_KEYS = {
    "min_sum": "min_sum",
    "minSum": "min_sum",
    "max_sum": "max_sum",
    "maxSum": "max_sum",
}


def _wire(model: BaseModel, name: str) -> str:
    """The key as users write it (camelCase alias, or the name where the alias is the name)."""
    alias = type(model).model_fields[name].alias
    return alias or name


def _set_fields(model: BaseModel) -> set[str]:
    return {name for name in type(model).model_fields if getattr(model, name) is not None}


def parse_target_range(target_range: Mapping[str, float]) -> tuple[float | None, float | None]:
    """``(min_sum, max_sum)`` from a ``targetRange`` dict (camelCase or snake_case keys).

    Raises ``ValueError`` for unknown keys; call ``validate_combination`` for the full checks.
    """
    out: dict[str, float] = {}
    for key, value in target_range.items():
        if key not in TARGET_RANGE_KEYS:
            raise ValueError(f"unknown key {key!r} in 'targetRange' (allowed: minSum, maxSum)")
        out[TARGET_RANGE_KEYS[key]] = float(value)
    return out.get("min_sum"), out.get("max_sum")


def _input_problems(inp: SelectionInput, strategy: SelectionStrategyType) -> list[str]:
    problems: list[str] = []
    t = inp.type
    given = _set_fields(inp) - {"type"}
    for name in sorted(given - _INPUT_FIELDS[t]):
        problems.append(f"input key '{_wire(inp, name)}' is not used by {t.value} input")
    if t is _I.SCORES and (inp.task is None or inp.score is None):
        problems.append("SCORES input needs 'task' and 'score'")
    if t is _I.METADATA and not inp.key:
        problems.append("METADATA input needs 'key' (e.g. 'lightly.sharpness')")
    if t is _I.PREDICTIONS:
        if inp.task is None or inp.name is None:
            problems.append(
                "PREDICTIONS input needs 'task' and 'name' (CLASS_DISTRIBUTION or CATEGORY_COUNT)"
            )
        elif inp.name not in PREDICTION_NAMES:
            problems.append(
                f"PREDICTIONS input 'name' must be CLASS_DISTRIBUTION or CATEGORY_COUNT, "
                f"got {inp.name!r}"
            )
    if t is _I.EMBEDDINGS:
        has_query = inp.dataset_id is not None or inp.tag_name is not None
        if strategy is _S.SIMILARITY and (inp.dataset_id is None or inp.tag_name is None):
            problems.append(
                "SIMILARITY needs the query set: EMBEDDINGS input with 'datasetId' and 'tagName'"
            )
        elif strategy is not _S.SIMILARITY and has_query:
            problems.append(
                "EMBEDDINGS input 'datasetId'/'tagName' (a query set) is only used by SIMILARITY"
            )
    return problems


def _strategy_problems(st: SelectionStrategy) -> list[str]:
    problems: list[str] = []
    t = st.type
    given = _set_fields(st) - {"type"}
    for name in sorted(given - _STRATEGY_FIELDS[t]):
        problems.append(f"strategy option '{_wire(st, name)}' has no effect on {t.value}")
    if st.strength is not None and not math.isfinite(st.strength):
        problems.append("'strength' must be a finite number")
    if t is _S.THRESHOLD:
        if st.threshold is None or st.operation is None:
            problems.append(
                "THRESHOLD needs 'threshold' and 'operation' "
                "(SMALLER, SMALLER_EQUAL, BIGGER or BIGGER_EQUAL)"
            )
        elif not math.isfinite(st.threshold):
            problems.append("THRESHOLD 'threshold' must be a finite number")
    if t is _S.DIVERSITY and st.stopping_condition_minimum_distance is not None:
        d = st.stopping_condition_minimum_distance
        if not (math.isfinite(d) and d >= 0):
            problems.append("'stopping_condition_minimum_distance' must be a number >= 0")
    typicality = st.stopping_condition_minimum_typicality
    if t is _S.TYPICALITY and typicality is not None and not typicality <= 1:
        problems.append("'stoppingConditionMinimumTypicality' must be in (0, 1]")
    if t is _S.WEIGHTS:
        problems += _target_range_problems(st.target_range)
    if t is _S.BALANCE:
        problems += _balance_problems(st)
    return problems


def _target_range_problems(target_range: Mapping[str, float] | None) -> list[str]:
    if target_range is None:
        return []
    try:
        lo, hi = parse_target_range(target_range)
    except ValueError as exc:
        return [str(exc)]
    if lo is None and hi is None:
        return ["'targetRange' needs 'minSum' and/or 'maxSum'"]
    bounds = [b for b in (lo, hi) if b is not None]
    if any(not math.isfinite(b) or b < 0 for b in bounds):
        return ["'targetRange' bounds must be finite numbers >= 0"]
    if lo is not None and hi is not None and lo > hi:
        return [f"'targetRange' minSum ({lo:g}) must be <= maxSum ({hi:g})"]
    return []


def _balance_problems(st: SelectionStrategy) -> list[str]:
    dist = st.distribution
    if dist is None and st.target is None:
        return ["BALANCE needs 'distribution' (TARGET with 'target', UNIFORM or INPUT)"]
    if dist in ("UNIFORM", "INPUT") and st.target is not None:
        return [f"BALANCE 'target' has no effect with distribution {dist}"]
    if dist == "TARGET" and st.target is None:
        return ["BALANCE distribution TARGET needs 'target' ({class name: fraction})"]
    if st.target is not None:
        if not st.target:
            return ["BALANCE 'target' must name at least one class"]
        fractions = list(st.target.values())
        if any(not (math.isfinite(f) and 0 <= f <= 1) for f in fractions):
            return ["BALANCE 'target' fractions must be within [0, 1]"]
        if math.fsum(fractions) > 1 + 1e-6:
            return [f"BALANCE 'target' fractions sum to {math.fsum(fractions):g}; must be <= 1"]
    return []


def combination_problems(entry: SelectionEntry) -> list[str]:
    """Everything wrong with one ``{input, strategy}`` entry (empty when it is valid).

    A refused input/strategy pair names the allowed combinations.
    """
    inp, st = entry.input, entry.strategy
    name = inp.name if inp.type is _I.PREDICTIONS else None
    problems: list[str] = []
    allowed = ALLOWED_COMBINATIONS.get((inp.type, name))
    if allowed is not None and st.type not in allowed:
        problems.append(
            f"{_describe_key(inp.type, name)} input with {st.type.value} strategy is not "
            f"allowed; allowed combinations: {ALLOWED_COMBINATIONS_TEXT}"
        )
    problems += _input_problems(inp, st.type)
    problems += _strategy_problems(st)
    return problems


def _entry_message(problems: list[str], index: int | None) -> str:
    where = f"selection.strategies[{index}]" if index is not None else "selection strategy"
    return f"{where}: " + "; ".join(problems)


def selection_problems(entries: Iterable[SelectionEntry]) -> list[str]:
    """One message per invalid entry of ``selection.strategies``, each naming its index."""
    messages: list[str] = []
    for i, entry in enumerate(entries):
        problems = combination_problems(entry)
        if problems:
            messages.append(_entry_message(problems, i))
    return messages


def validate_combination(entry: SelectionEntry, *, index: int | None = None) -> None:
    """Check one ``{input, strategy}`` entry; raise ``ValueError`` listing every problem.

    ``index`` (the entry's position in ``selection.strategies``) only improves the message.
    A refused input/strategy pair names the allowed combinations.
    """
    problems = combination_problems(entry)
    if problems:
        raise ValueError(_entry_message(problems, index))


def validate_entries(entries: Iterable[SelectionEntry]) -> None:
    """``validate_combination`` for a whole ``selection.strategies`` list, all problems at once."""
    messages = selection_problems(entries)
    if messages:
        raise ValueError(" | ".join(messages))

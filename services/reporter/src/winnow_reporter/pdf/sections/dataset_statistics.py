"""Dataset statistics: the sample counts, and the distance metrics before and after."""

from __future__ import annotations

from reportlab.lib.units import cm
from reportlab.platypus import Flowable, Spacer

from winnow_reporter.pdf.format import fmt_int, fmt_number, pct
from winnow_reporter.pdf.story import Story
from winnow_reporter.pdf.styles import CONTENT_W
from winnow_reporter.pdf.tables import grid_table
from winnow_reporter.report.model import DatasetSizes, Report, SetName

__all__ = ["SET_HEADERS", "statistics_section"]

#: Column headers of the sets.
SET_HEADERS: dict[SetName, str] = {
    "input": "Input",
    "selected": "Selected",
    "random": "Random",
    "selectedWithDatapool": "With datapool",
}


def _counts(s: Story, sizes: DatasetSizes) -> None:
    n_in = sizes.n_input
    # (label, count, whether the share of the input means something)
    counts = (
        ("Input files", sizes.n_input, True),
        ("Corrupt", sizes.n_corrupt, True),
        ("Exact duplicates", sizes.n_duplicate, True),
        ("Removed by selection", sizes.n_removed, True),
        ("Selected", sizes.n_selected, True),
        ("Preselected datapool", sizes.n_preselected_datapool, False),
        ("Selected incl. datapool", sizes.n_selected_with_datapool, False),
    )
    rows: list[list[Flowable | str]] = [
        [label, fmt_int(value), pct(value, n_in) if share else ""] for label, value, share in counts
    ]
    s.add(
        grid_table(
            ["Samples", "Count", "Share of input"],
            rows,
            [6.5 * cm, 3.0 * cm, 3.5 * cm],
            align_right_cols=(1, 2),
        )
    )
    s.add(Spacer(1, 4))
    s.p(
        f"Corrupt files and exact duplicates are removed before embedding, which leaves "
        f"{fmt_int(sizes.n_removed + sizes.n_selected)} clean samples; the selection keeps "
        f"{fmt_int(sizes.n_selected)} of them. Preselected datapool samples come from "
        "earlier runs on the same dataset and count towards the diversity of the selection.",
        "small",
    )


def _before_and_after(s: Story, report: Report) -> None:
    sizes = report.general_information.dataset_information.dataset_sizes
    emb = report.dataset_analysis.embedding_information
    nn, cover = emb.distance_to_nearest_neighbor_in_set, emb.distance_to_cover_input
    s.h3("Before and after selection")
    sets: list[SetName] = ["input", "selected", "random"]
    if nn.selected_with_datapool is not None:
        sets.append("selectedWithDatapool")
    counts: dict[SetName, int] = {
        "input": sizes.n_removed + sizes.n_selected,
        "selected": sizes.n_selected,
        "random": sizes.n_selected,
        "selectedWithDatapool": sizes.n_selected_with_datapool,
    }
    rows: list[list[Flowable | str]] = [["Samples", *(fmt_int(counts[x]) for x in sets)]]
    for label, metric in (("mean", "mean"), ("median", "median"), ("min", "min")):
        rows.append([f"NN distance, {label}", *(fmt_number(nn.metric(x, metric)) for x in sets)])
    for label, metric in (("mean", "mean"), ("max", "max")):
        rows.append(
            [
                f"Distance to cover input, {label}",
                *("0.000" if x == "input" else fmt_number(cover.metric(x, metric)) for x in sets),
            ]
        )
    col = (CONTENT_W - 6.2 * cm) / len(sets)
    s.add(
        grid_table(
            ["", *(SET_HEADERS[x] for x in sets)],
            rows,
            [6.2 * cm, *([col] * len(sets))],
            align_right_cols=tuple(range(1, len(sets) + 1)),
        )
    )
    s.add(Spacer(1, 4))
    s.p(
        "NN distance: each member's distance to its nearest other member of the same set "
        "(larger = more diverse). Distance to cover input: each input sample's distance to the "
        "nearest member of the set (smaller = the set represents the input better). Random is a "
        "seeded uniform sample of the input of the selection's size.",
        "small",
    )


def statistics_section(s: Story, report: Report) -> None:
    """How many samples each step kept, and the distance metrics of every set."""
    s.h2("Dataset statistics")
    _counts(s, report.general_information.dataset_information.dataset_sizes)
    _before_and_after(s, report)

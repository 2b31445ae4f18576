"""Embedding analysis: nearest-neighbour distances, coverage and the 2-D views."""

from __future__ import annotations

from xml.sax.saxutils import escape

from reportlab.platypus import Paragraph, Spacer

from winnow_reporter.pdf.format import fmt_int, fmt_number
from winnow_reporter.pdf.story import Story
from winnow_reporter.plots import PlotNames
from winnow_reporter.report.model import NumericDistributionPerSet, Report, SetName

__all__ = ["READING_AID", "embedding_section"]

READING_AID = (
    "How to read the distance histograms: for every sample of a set they count the Euclidean "
    "distance between its embedding and the embedding of its nearest neighbour in the same "
    "set (log-scaled y axis; all sets share the same bins). A symmetric, bell-shaped histogram "
    "of pairwise or nearest-neighbour distances means the samples are spread evenly over the "
    "embedding space. A heavy tail at small distances means dense regions of near-identical "
    "samples (redundant data); a heavy tail at large distances means outliers or a dense "
    "region outside the main cluster. A good diversity selection moves mass away from the "
    "small distances: the selected samples' histogram should sit further right than the "
    "input's, and further right than the random baseline of the same size (dashed grey)."
)
_COVERAGE = (
    "How well does the selection represent the input? For every input sample the "
    "plot shows the distance to the closest selected sample. Mass at small "
    "distances means every region of the input has a selected sample nearby; "
    "compare with the random baseline, which over-samples dense regions and leaves "
    "sparse ones uncovered."
)


def _nn_caption(nn: NumericDistributionPerSet, label: str, set_name: SetName) -> str:
    return (
        f"{label}: distance to the nearest neighbour, median "
        f"{fmt_number(nn.metric(set_name, 'median'))}, mean "
        f"{fmt_number(nn.metric(set_name, 'mean'))}."
    )


def _change(selected: float | None, random: float | None) -> float | None:
    """How much ``selected`` differs from ``random``, as a fraction of ``random``."""
    if selected is None or random is None or random <= 0:
        return None
    return (selected - random) / random


def coverage_advantage(report: Report) -> str | None:
    """In plain words: the selection against a random subset of the same size (or None)."""
    emb = report.dataset_analysis.embedding_information
    nn, cover = emb.distance_to_nearest_neighbor_in_set, emb.distance_to_cover_input
    closer = _change(cover.metric("selected", "median"), cover.metric("random", "median"))
    worst = _change(cover.metric("selected", "max"), cover.metric("random", "max"))
    apart = _change(nn.metric("selected", "median"), nn.metric("random", "median"))
    if closer is None or apart is None:
        return None
    verdict = "better" if closer < 0 else "not better"
    parts = [
        f"Compared with a random subset of the same size, this selection covers the input "
        f"{verdict}: the typical input sample is {abs(closer):.0%} "
        f"{'closer to' if closer < 0 else 'further from'} its nearest selected sample"
    ]
    if worst is not None:
        parts.append(
            f", the least covered one {abs(worst):.0%} {'closer' if worst < 0 else 'further away'}"
        )
    parts.append(
        f"; and the selected samples are {abs(apart):.0%} "
        f"{'further apart from' if apart > 0 else 'closer to'} each other (less redundancy "
        "when further apart)."
    )
    return "".join(parts)


def _distances(s: Story, report: Report, names: PlotNames) -> None:
    emb = report.dataset_analysis.embedding_information
    nn, cover = emb.distance_to_nearest_neighbor_in_set, emb.distance_to_cover_input
    s.h3("Nearest-neighbour distances")
    advantage = coverage_advantage(report)
    if advantage is not None:
        s.p(f"<b>{escape(advantage)}</b>")
    s.p(escape(READING_AID))
    s.add(Spacer(1, 4))
    s.figure(names.distance_before, _nn_caption(nn, "Before selection (input)", "input"))
    s.figure(
        names.distance_after,
        _nn_caption(nn, "After selection (selected)", "selected")
        + f" Random baseline median {fmt_number(nn.metric('random', 'median'))}.",
    )
    s.figure(
        names.distance_to_cover,
        "Distance from each input sample to the nearest selected sample, median "
        f"{fmt_number(cover.metric('selected', 'median'))} (random baseline "
        f"{fmt_number(cover.metric('random', 'median'))}).",
        lead=[
            Paragraph("Coverage of the input", s.st["h3"]),
            Paragraph(_COVERAGE, s.st["body"]),
            Spacer(1, 4),
        ],
    )


def _views(s: Story, report: Report, names: PlotNames) -> None:
    scatter = report.dataset_analysis.embedding_information.scatter_plot_data
    s.h3("2-D views of the embeddings")
    n_points, n_total = scatter.n_points, scatter.n_total
    sample = (
        f"{fmt_int(n_points)} of {fmt_int(n_total)} samples (a seeded random sample)"
        if n_points < n_total
        else f"all {fmt_int(n_points)} samples"
    )
    s.p(
        f"PCA and UMAP projections of the embeddings of {escape(sample)}: each dot is a "
        "sample; the left plot marks the selected samples in orange, the right one shows the "
        "input alone. Circled points are example images with their file names. A good "
        "selection spreads over every cluster instead of piling up in one.",
    )
    s.add(Spacer(1, 4))
    if not names.scatter:
        s.note("No 2-D views in this report (see Notes).")
    for view in names.scatter:
        s.figure_pair(
            (view.overlay, view.no_overlay),
            f"{view.title}: with (left) and without (right) the selected samples.",
            lead=[Paragraph(escape(view.title), s.st["h3"])],
        )
    if not any(view.key != "pca" for view in names.scatter):
        s.note("No UMAP views in this report: too few samples or UMAP failed (see Notes).")


def embedding_section(s: Story, report: Report, names: PlotNames) -> None:
    """Distance histograms with a reading aid, the coverage plot and the 2-D views."""
    s.h2("Embedding analysis")
    _distances(s, report, names)
    _views(s, report, names)

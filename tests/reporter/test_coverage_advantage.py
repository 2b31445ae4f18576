"""The embedding analysis says in plain words how the selection compares with random."""

from __future__ import annotations

from tests.reporter.report_fixtures import full_report, minimal_report
from winnow_reporter.pdf.sections.embedding_analysis import coverage_advantage


def test_the_advantage_over_random_is_put_in_words() -> None:
    report = full_report()
    emb = report.dataset_analysis.embedding_information
    cover, nn = emb.distance_to_cover_input, emb.distance_to_nearest_neighbor_in_set
    text = coverage_advantage(report)
    assert text is not None and text.startswith("Compared with a random subset of the same size")
    closer = cover.metric("selected", "median") / cover.metric("random", "median") - 1
    apart = nn.metric("selected", "median") / nn.metric("random", "median") - 1
    assert f"{abs(closer):.0%}" in text and f"{abs(apart):.0%}" in text
    assert ("covers the input better" in text) == (closer < 0)


def test_no_sentence_without_embedding_distances() -> None:
    assert coverage_advantage(minimal_report()) is None

"""The refresh's one line says when citizens' comment texts were purged, and only then."""

from __future__ import annotations

from govsocial.analyze.pipeline import RefreshReport


def test_the_summary_says_how_many_texts_the_retention_period_purged() -> None:
    report = RefreshReport("hk", "c060bfe269b8", ("week",))
    assert "purged" not in report.summary()
    report.purged = 13_841
    assert report.summary().endswith("; 13,841 comment text(s) purged (retention period)")
    assert report.as_dict()["purged"] == 13_841

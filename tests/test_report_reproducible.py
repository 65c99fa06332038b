"""Identical inputs give identical report files, whatever the day: the printed date comes from
``SOURCE_DATE_EPOCH``, else the manifest's ``date``, else today; nothing else of the clock or of
the machine (timings, temporary or cache paths) reaches a file."""
from __future__ import annotations

import shutil
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from analysis import datasets
from analysis.intake.manifest import ManifestError, read_manifest
from analysis.report.document import report_date
from analysis.report.runner import internal_folder, run

pytestmark = pytest.mark.xdist_group("reports")

DEMO = Path(datasets.path("demo"))


def dated_copy(folder: Path, date: str) -> Path:
    shutil.copytree(DEMO, folder)
    manifest = folder / "manifest.yaml"
    manifest.write_text(f"date: {date}\n" + manifest.read_text(encoding="utf-8"), encoding="utf-8")
    return folder


def test_report_date_from_epoch_then_manifest_then_today(tmp_path, monkeypatch):
    import datetime as dt
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    dated = SimpleNamespace(manifest=read_manifest(dated_copy(tmp_path / "study", "2025-06-30")))
    undated = SimpleNamespace(manifest=read_manifest(DEMO))
    assert dated.manifest.date == dt.date(2025, 6, 30) and undated.manifest.date is None
    assert report_date(dated) == dt.date(2025, 6, 30)
    assert report_date(undated) == report_date() == dt.date.today()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")                # 2026-01-01 00:00 UTC
    assert report_date(dated) == report_date(undated) == dt.date(2026, 1, 1)


@pytest.mark.parametrize("value", ["30.6.2025", "2025-13-01", "soon"])
def test_manifest_date_must_be_a_date(tmp_path, value):
    folder = dated_copy(tmp_path / "study", f"'{value}'")
    with pytest.raises(ManifestError, match="date: .* is not a date written YYYY-MM-DD"):
        read_manifest(folder)


def test_two_runs_at_different_times_give_the_same_bytes(tmp_path, monkeypatch):
    """Two runs a second apart into other folders (the manifest dates the data): every file of
    the published and the internal folder, executed notebooks included, is the same."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    data = dated_copy(tmp_path / "study", "2025-06-30")
    first, second = tmp_path / "first", tmp_path / "second"
    run(data, first, only=["07"], workers=1)
    time.sleep(1.1)
    run(data, second, only=["07"], workers=1)
    compared = 0
    for a, b in ((first, second), (internal_folder(first), internal_folder(second))):
        names = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
        assert names == sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
        differ = [str(n) for n in names if (a / n).read_bytes() != (b / n).read_bytes()]
        assert not differ
        compared += len(names)
    assert compared > 10 and (internal_folder(first) / "notebooks" / "07_half_yearly_indicators.ipynb").is_file()
    assert "2025-06-30" in (first / "07_half_yearly_indicators.html").read_text(encoding="utf-8")

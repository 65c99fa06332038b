"""A study's data folder: the files listed in its ``manifest.yaml``, loaded, checked and scored.

The notebooks read their data only through :func:`load_folder`, so a researcher runs a report
on their own files by pointing ``DATA_DIR`` at a folder with the same layout as ``data/demo``:
CSV/xlsx/sav files in the data-dictionary format and a ``manifest.yaml`` such as::

    files:
      - {path: cohort_3x10d.csv, dataset: 3x10d, instrument: 3x10d}
      - {path: cohort_background.csv, dataset: background}

Files are loaded in reject-rows mode: valid rows are used, invalid rows are kept in
:attr:`DataFolder.rejected` with their reasons, and :meth:`DataFolder.intake` shows that
accepted + rejected = rows read for every file.

Examples
--------
>>> folder = load_folder("data/demo")                       # doctest: +SKIP
>>> folder.scores("cohort_3x10d")[["respondent_id", "domain_mean"]].head()  # doctest: +SKIP
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from analysis.intake.readers import LoadResult, load_responses, load_table
from analysis.intake.scoring import score


@dataclass(frozen=True)
class DataFolder:
    """Loaded files of one data folder, keyed by file stem (``cohort_3x10d``)."""

    path: Path
    entries: dict[str, dict]
    loaded: dict[str, LoadResult]
    scored: dict[str, pd.DataFrame]
    synthetic: bool

    def data(self, name: str) -> pd.DataFrame:
        """Accepted rows of a file as loaded (items or table columns)."""
        return self._get(self.loaded, name).data

    def scores(self, name: str) -> pd.DataFrame:
        """Scores of an instrument file (one row per accepted row)."""
        return self._get(self.scored, name)

    def _get(self, store: dict, name: str):
        if name not in store:
            raise KeyError(f"{self.path}/manifest.yaml lists no file {name!r} "
                           f"(files: {', '.join(self.entries)})")
        return store[name]

    @property
    def rejected(self) -> pd.DataFrame:
        """Every rejected cell of every file, with file, row, column, value and reason."""
        frames = [r.rejected for r in self.loaded.values() if len(r.rejected)]
        if not frames:
            return pd.DataFrame(columns=["file", "row", "respondent_id", "column", "value", "reason"])
        return pd.concat(frames, ignore_index=True)

    def intake(self) -> pd.DataFrame:
        """One row per file: dataset, instrument, rows read, accepted and rejected."""
        rows = [{"file": self.entries[k]["path"], "dataset": self.entries[k]["dataset"],
                 "instrument": self.entries[k].get("instrument", ""), "n_read": r.n_read,
                 "n_accepted": r.n_accepted, "n_rejected": r.n_rejected}
                for k, r in self.loaded.items()]
        return pd.DataFrame(rows)


def load_folder(data_dir: str | Path) -> DataFolder:
    """Load, check and score every file listed in ``<data_dir>/manifest.yaml``."""
    data_dir = Path(data_dir)
    path = data_dir / "manifest.yaml"
    if not path.exists():
        raise FileNotFoundError(f"{path} not found: a data folder lists its files in manifest.yaml "
                                "(see data/demo/manifest.yaml)")
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    entries, loaded, scored = {}, {}, {}
    for entry in spec["files"]:
        name = Path(entry["path"]).stem
        source = data_dir / entry["path"]
        if entry.get("instrument"):
            result = load_responses(source, entry["instrument"], on_invalid="reject-rows")
            scored[name] = score(result.data, entry["instrument"])
        else:
            result = load_table(source, entry["dataset"], on_invalid="reject-rows")
        if result.n_accepted + result.n_rejected != result.n_read:
            raise RuntimeError(f"{source}: rows read {result.n_read} ≠ accepted {result.n_accepted} "
                               f"+ rejected {result.n_rejected}")
        entries[name], loaded[name] = entry, result
    return DataFolder(data_dir, entries, loaded, scored, bool(spec.get("synthetic", False)))

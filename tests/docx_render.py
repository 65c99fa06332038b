"""Print Word documents the way a reader sees them, for tests: LibreOffice converts them to PDF
(``soffice --headless --convert-to pdf``, with a private profile so that parallel runs do not
share one), poppler reads each page's text (``pdftotext -layout``) and size (``pdfinfo``).

A test that needs this calls :func:`require` first: it is skipped where LibreOffice or poppler
is not installed, and where the table font (Arial, or the metric-compatible Liberation Sans)
is missing, since the printed widths would then be another font's.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Sequence

import pytest

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOTEXT, PDFINFO, FC_MATCH = shutil.which("pdftotext"), shutil.which("pdfinfo"), shutil.which("fc-match")


def require() -> None:
    """Skip the calling test unless LibreOffice, poppler and the table font are installed."""
    if not SOFFICE:
        pytest.skip("LibreOffice (soffice) is not installed")
    if not (PDFTOTEXT and PDFINFO):
        pytest.skip("poppler (pdftotext, pdfinfo) is not installed")
    if FC_MATCH:
        family = subprocess.run([FC_MATCH, "-f", "%{family}", "Arial"], capture_output=True, text=True).stdout
        if "Arial" not in family and "Liberation Sans" not in family:
            pytest.skip(f"no Arial or Liberation Sans to print the tables with (Arial is {family!r})")


def to_pdf(paths: Sequence[Path], out_dir: Path) -> list[Path]:
    """Convert Word documents to PDF in ``out_dir`` with one LibreOffice run; returns the PDFs."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        subprocess.run([SOFFICE, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--norestore",
                        "--convert-to", "pdf", "--outdir", str(out_dir), *map(str, paths)],
                       check=True, capture_output=True, timeout=180)
    pdfs = [out_dir / (Path(p).stem + ".pdf") for p in paths]
    missing = [p for p in pdfs if not p.is_file()]
    assert not missing, f"LibreOffice wrote no {missing}"
    return pdfs


def page_texts(pdf: Path) -> list[str]:
    """The text of each page, laid out as printed (``pdftotext -layout``); no-break and thin
    spaces read as spaces."""
    text = subprocess.run([PDFTOTEXT, "-layout", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout
    text = re.sub("[\u00a0\u202f\u2009]", " ", text)
    return text.split("\f")[: page_count(pdf)]


def page_count(pdf: Path) -> int:
    info = subprocess.run([PDFINFO, str(pdf)], check=True, capture_output=True, text=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def page_sizes(pdf: Path) -> list[tuple[float, float]]:
    """Width and height (points) of each page."""
    info = subprocess.run([PDFINFO, "-f", "1", "-l", str(page_count(pdf)), str(pdf)], check=True,
                          capture_output=True, text=True).stdout
    return [(float(w), float(h)) for w, h in re.findall(r"^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info, re.M)]


def line_with(lines: Sequence[str], cells: Sequence[str]) -> str | None:
    """The first line holding ``cells`` in this order, each whole (not part of a longer number
    or word), or ``None``."""
    parts = [rf"(?<![\w.,]){re.escape(c)}(?![\w,])" for c in cells]
    pattern = re.compile(r".*?".join(parts))
    return next((line for line in lines if pattern.search(line)), None)

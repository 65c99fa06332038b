"""Run every benchmark module (``benchmarks/bench_*.py``) and write ``benchmarks/RESULTS.md``.

``python benchmarks/run.py wlsmv sem`` runs only ``bench_wlsmv.py`` and ``bench_sem.py``:
their rows replace the rows of the same task and n in RESULTS.md, the other rows are kept
(the header then names the modules re-run and the date).

Each module exposes ``run() -> list[dict]`` with keys ``task``, ``n``, ``python_s``, ``r_s``
(None when Rscript is absent) and ``note``; a module timing another peer than R gives ``peer``
(its name) and ``peer_s`` instead of ``r_s``, and may give peak memory as ``python_mem`` and
``peer_mem`` (text, MiB). Timings are wall-clock seconds on this machine;
the machine description is written above the table.
"""
from __future__ import annotations

import importlib.util
import os
import platform
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    r = "not installed"
    if shutil.which("Rscript"):
        r = subprocess.run(["Rscript", "-e", "cat(R.version.string, 'lavaan', "
                            "as.character(packageVersion('lavaan')), 'psych', "
                            "as.character(packageVersion('psych')))"],
                           capture_output=True, text=True).stdout.strip()
    import numpy
    import pandas
    import scipy
    load = f"1-min load average {os.getloadavg()[0]:.1f} when written"  # other jobs slow timings
    return (f"{platform.platform()}; {cpu}; {os.cpu_count()} cores; {mem:.0f} GiB RAM; {load}; "
            f"Python {platform.python_version()}, numpy {numpy.__version__}, "
            f"pandas {pandas.__version__}, scipy {scipy.__version__}; R: {r}")


HEADER = ["| task | n | Python (s) | peer | peer (s) | ratio | peak MiB Python / peer | note |",
          "|---|---:|---:|---|---:|---:|---|---|"]


def table_row(r: dict) -> str:
    peer, peer_s = r.get("peer", "R" if "r_s" in r else "–"), r.get("peer_s", r.get("r_s"))
    ratio = f"{r['python_s'] / peer_s:.2f}" if peer_s else "–"
    mem = f"{r['python_mem']} / {r['peer_mem']}" if "python_mem" in r else "–"
    return (f"| {r['task']} | {r['n']:,} | {r['python_s']:.3f} | {peer} | "
            f"{f'{peer_s:.3f}' if peer_s else '–'} | {ratio} | {mem} | {r.get('note', '')} |")


def kept_rows(text: str, replaced: set[tuple[str, str]]) -> list[str]:
    """Table rows of an earlier RESULTS.md not re-measured now, in the current columns
    (rows of the older six-column table, task | n | Python | R | ratio | note, get peer R)."""
    out = []
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not line.startswith("| ") or cells[0] == "task" or (cells[0], cells[1]) in replaced:
            continue
        if len(cells) == 6:
            cells = cells[:3] + ["R"] + cells[3:5] + ["–", cells[5]]
        out.append("| " + " | ".join(cells) + " |")
    return out


def main(names: list[str]) -> int:
    paths = [HERE / f"bench_{n}.py" for n in names] or sorted(HERE.glob("bench_*.py"))
    rows = []
    for path in paths:
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        print(f"running {path.name} …", file=sys.stderr)
        rows += module.run()
    lines = [table_row(r) for r in rows]
    out = HERE / "RESULTS.md"
    title = f"# Benchmark results ({date.today().isoformat()})"
    notes: list[str] = []
    if names and out.exists():
        new = {(r["task"], f"{r['n']:,}") for r in rows}
        old = out.read_text(encoding="utf-8")
        lines = kept_rows(old, new) + lines
        title += f" — {', '.join(p.name for p in paths)} re-run; other rows from earlier runs"
        if "\n## " in old:               # notes under the table (profiles) stay; edit them by hand
            notes = ["", "## " + old.split("\n## ", 1)[1].rstrip("\n")]
    text = [title, "", f"Machine: {machine()}", "",
            "Wall-clock seconds; `ratio` = Python time / peer time (below 1 = faster than the "
            "peer). Peak memory: resident MiB of the process that ran the case, where measured.",
            "", *HEADER, *lines, *notes]
    out.write_text("\n".join(text) + "\n", encoding="utf-8")
    print("\n".join(text))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

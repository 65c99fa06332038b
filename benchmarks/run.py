"""Run every benchmark module (``benchmarks/bench_*.py``) and write ``benchmarks/RESULTS.md``.

Each module exposes ``run() -> list[dict]`` with keys ``task``, ``n``, ``python_s``, ``r_s``
(None when Rscript is absent) and ``note``. Rows measured against a Python peer instead of R
(the intake benchmarks) carry ``peer``, ``peer_s`` and peak memory ``peak_mib``/``peer_peak_mib``
and go into a second table. Timings are wall-clock seconds on this machine; the machine
description is written above the tables.
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
    return (f"{platform.platform()}; {cpu}; {os.cpu_count()} cores; {mem:.0f} GiB RAM; "
            f"Python {platform.python_version()}, numpy {numpy.__version__}, "
            f"pandas {pandas.__version__}, scipy {scipy.__version__}; R: {r}")


def main() -> int:
    rows = []
    for path in sorted(HERE.glob("bench_*.py")):
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        print(f"running {path.name} …", file=sys.stderr)
        rows += module.run()
    lines = [f"# Benchmark results ({date.today().isoformat()})", "", f"Machine: {machine()}", "",
             "Wall-clock seconds; `ratio` = Python time / R time (below 1 = faster than R).", "",
             "| task | n | Python (s) | R (s) | ratio | note |", "|---|---:|---:|---:|---:|---|"]
    for r in (r for r in rows if "peak_mib" not in r):
        r_s = r.get("r_s")
        ratio = f"{r['python_s'] / r_s:.2f}" if r_s else "–"
        lines.append(f"| {r['task']} | {r['n']:,} | {r['python_s']:.3f} | "
                     f"{f'{r_s:.3f}' if r_s else '–'} | {ratio} | {r.get('note', '')} |")
    peers = [r for r in rows if "peak_mib" in r]
    if peers:
        lines += ["", "Against a Python peer (same file, one run, fresh process each, fastest of alternating "
                  "runs; peak = the process's VmHWM):", "",
                  "| task | peer | n | ours (s) | peer (s) | time ratio | ours peak (MiB) | peer peak (MiB) | "
                  "memory ratio | note |", "|---|---|---:|---:|---:|---:|---:|---:|---:|---|"]
        for r in peers:
            peer = r.get("peer")
            ratio = f"{r['python_s'] / r['peer_s']:.2f}" if peer else "–"
            mem = f"{r['peak_mib'] / r['peer_peak_mib']:.2f}" if peer else "–"
            lines.append(f"| {r['task']} | {peer or '–'} | {r['n']:,} | {r['python_s']:.2f} | "
                         f"{r['peer_s']:.2f} | {ratio} | {r['peak_mib']:.0f} | {r['peer_peak_mib']:.0f} | {mem} | "
                         f"{r.get('note', '')} |" if peer else
                         f"| {r['task']} | – | {r['n']:,} | {r['python_s']:.2f} | – | – | {r['peak_mib']:.0f} | – | "
                         f"– | {r.get('note', '')} |")
    (HERE / "RESULTS.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Peak memory of importing a large policy file with the real command, as an operator runs it:
`huifang policies import` (and `campaign import`) in a child process, its peak resident set
read from the kernel (getrusage of the children), for CSV and XLSX.

    .venv/bin/python bench/import_memory.py --rows 100000
    .venv/bin/python bench/import_memory.py --rows 100000 --formats csv --commands campaign

Each run imports into a fresh SQLite database, then imports the same file again (every row
unchanged). The baseline is the same command on a one-row file: what Python and the libraries
take before any row is read.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from openpyxl import Workbook
from storage_import import write_policies  # bench/, the script's own folder

ROOT = Path(__file__).parents[1]


def write_xlsx(csv_path: Path, xlsx_path: Path) -> None:
    """The CSV's rows as a workbook, written in streaming mode."""
    import csv

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    with csv_path.open(encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle):
            sheet.append(row)
    book.save(xlsx_path)


def run_import(command: str, path: Path, url: str) -> tuple[float, float]:
    """Seconds and peak RSS (MB) of one import in a child process of its own."""
    began = time.perf_counter()
    # A fresh interpreter per run, so getrusage's peak of the children is this run's alone.
    probe = (
        "import resource, subprocess, sys; "
        "status = subprocess.run(sys.argv[1:]).returncode; "
        "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss; "
        "print(peak, status)"
    )
    argv = [sys.executable, "-m", "huifang", command, "import", str(path), "--db-url", url]
    done = subprocess.run(
        [sys.executable, "-c", probe, *argv], cwd=ROOT, capture_output=True, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    seconds = time.perf_counter() - began
    peak_kb, status = done.stdout.split()[-2:]
    if int(status) != 0:
        raise SystemExit(f"{command} import failed: {done.stderr[-2000:]}")
    return seconds, int(peak_kb) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--formats", default="csv,xlsx")
    parser.add_argument("--commands", default="policies,campaign")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        files = {"csv": base / "policies.csv"}
        write_policies(files["csv"], args.rows)
        write_policies(base / "one.csv", 1)
        if "xlsx" in args.formats:
            files["xlsx"] = base / "policies.xlsx"
            write_xlsx(files["csv"], files["xlsx"])
        for command in args.commands.split(","):
            _, baseline = run_import(command, base / "one.csv", f"sqlite:///{base}/one-{command}.db")
            for fmt in args.formats.split(","):
                url = f"sqlite:///{base}/{command}-{fmt}.db"
                first_s, first_mb = run_import(command, files[fmt], url)
                again_s, again_mb = run_import(command, files[fmt], url)
                print(json.dumps({
                    "command": f"{command} import", "format": fmt, "rows": args.rows,
                    "import_s": round(first_s, 1), "peak_mb": round(first_mb),
                    "reimport_s": round(again_s, 1), "reimport_peak_mb": round(again_mb),
                    "baseline_peak_mb": round(baseline), "load": os.getloadavg()[0],
                }))  # fmt: skip


if __name__ == "__main__":
    main()

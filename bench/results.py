"""Shared output for the benchmarks: print a table and append a dated row to RESULTS.md."""

from __future__ import annotations

import platform
import subprocess
from collections.abc import Sequence
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "RESULTS.md"
HEADER = "| date | machine | commit | benchmark | figures |\n|---|---|---|---|---|\n"


def commit() -> str:
    """The short commit the benchmark ran on (with '+' when the tree has changes)."""
    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no", "--", ".", ":!bench/RESULTS.md"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    ).stdout.strip()
    return f"{head}+" if dirty else head or "unknown"


def machine() -> str:
    """A short machine description: host, architecture, CPU count."""
    import os

    return f"{platform.node()} {platform.machine()} {os.cpu_count()} cpu"


def print_table(rows: Sequence[Sequence[str]], header: Sequence[str]) -> None:
    """Print rows as an aligned plain-text table."""
    table = [tuple(header), *(tuple(row) for row in rows)]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for n, row in enumerate(table):
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
        if n == 0:
            print("  ".join("-" * width for width in widths))


def record(benchmark: str, figures: str) -> None:
    """Append one dated row (machine, commit) to bench/RESULTS.md."""
    if not RESULTS.exists():
        RESULTS.write_text(HEADER, encoding="utf-8")
    line = f"| {date.today()} | {machine()} | {commit()} | {benchmark} | {figures} |\n"
    with RESULTS.open("a", encoding="utf-8") as out:
        out.write(line)
    print(f"\nrecorded in {RESULTS.relative_to(ROOT)}: {line.strip()}")

"""`quizbot try` played to the end of a question from a script, through its stdin."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BANK = """\
questions:
  - id: attn
    kind: open
    question: 自注意力怎么计算？
    answer: Q 与 K 点积，缩放，softmax 后对 V 加权求和。
    key_points:
      - point: 点积
      - point: 缩放
      - point: softmax
"""


def play(tmp_path: Path, script: str) -> subprocess.CompletedProcess[str]:
    bank = tmp_path / "bank.yaml"
    bank.write_text(BANK, encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "bot", "try", "--bank", str(bank), "--db", str(tmp_path / "t.db")],
        input=script,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )


def test_a_question_is_asked_answered_over_two_lines_and_graded(tmp_path: Path) -> None:
    result = play(tmp_path, "先做点积\n再 softmax\n\n/answer\n/score\n/quit\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "自注意力怎么计算？" in out
    assert "coverage 67%, 7/10" in out
    assert "covered: 点积、softmax" in out and "missing: 缩放" in out
    assert "Q 与 K 点积" in out  # the reference answer after /answer
    assert "7 points · 1 answered" in out
    assert out.rstrip().endswith("Bye!")


def test_an_invalid_bank_is_reported_without_a_traceback(tmp_path: Path) -> None:
    bank = tmp_path / "bank.yaml"
    bank.write_text("questions:\n  - id: x\n    kind: essay\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "bot", "try", "--bank", str(bank), "--db", str(tmp_path / "t.db")],
        input="",
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    assert f"{bank}:3: [x]" in result.stderr and "Traceback" not in result.stderr

"""`quizbot try` played to the end of a question from a script, through its stdin."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
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


SHORTS = "questions:\n" + "".join(
    f"  - id: s{i}\n    kind: short\n    question: 第{i}题？\n    answer: 答{i}\n    accept: [答{i}]\n"
    for i in range(1, 4)
)
CHOICE = """\
questions:
  - id: adam
    kind: choice
    question: Adam 的 β1 默认值是多少？
    answer: "0.9"
    choices: ["0.5", "0.9", "0.999"]
    correct: 1
"""


def run_try(tmp_path: Path, bank_text: str, script: bytes) -> subprocess.CompletedProcess[bytes]:
    bank = tmp_path / "bank.yaml"
    bank.write_text(bank_text, encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "bot", "try", "--bank", str(bank), "--db", str(tmp_path / "t.db")],
        input=script,
        capture_output=True,
        cwd=ROOT,
        # As in a UTF-8 terminal's locale: stdin decodes strictly (C locales escape bad bytes).
        env={**os.environ, "PYTHONIOENCODING": "utf-8:strict"},
        timeout=120,
        check=False,
    )


def test_quit_right_after_a_verdict_quits(tmp_path: Path) -> None:
    result = play(tmp_path, "先做点积\n\n/quit\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("自注意力怎么计算？") == 1
    assert result.stdout.rstrip().endswith("Bye!")


def test_skip_does_not_ask_the_skipped_question_again(tmp_path: Path) -> None:
    result = run_try(tmp_path, SHORTS, b"/skip\n/skip\n/quit\n")
    out = result.stdout.decode()
    asked = [line for line in out.splitlines() if line.startswith("[new")]
    assert len(asked) == 3 and len(set(asked)) == 3, out


def test_free_text_on_a_choice_question_says_what_to_type_and_reveals_nothing(
    tmp_path: Path,
) -> None:
    result = run_try(tmp_path, CHOICE, b"adam\nB\n\n/quit\n")
    out = result.stdout.decode()
    assert "Type the letter of an option, A to C" in out
    assert "the answer is" not in out and "✅ Right!" in out


def test_invalid_utf8_on_stdin_is_no_traceback(tmp_path: Path) -> None:
    result = run_try(tmp_path, SHORTS, b"\xff\xfe\x80\n\n/quit\n")
    assert result.returncode == 0, result.stderr.decode()
    assert b"Traceback" not in result.stderr and b"Bye!" in result.stdout


def test_the_first_ctrl_c_ends_the_session_without_a_traceback(tmp_path: Path) -> None:
    bank = tmp_path / "bank.yaml"
    bank.write_text(SHORTS, encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "try", "--bank", str(bank), "--db", str(tmp_path / "t.db")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    assert process.stdout is not None
    shown = b""
    deadline = time.monotonic() + 60
    while not shown.endswith(b"> ") and time.monotonic() < deadline:
        if select.select([process.stdout], [], [], 0.5)[0]:
            shown += os.read(process.stdout.fileno(), 4096)
    assert shown.endswith(b"> "), shown
    process.send_signal(signal.SIGINT)
    try:
        out, err = process.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise AssertionError("the first Ctrl-C did not end the session") from None
    assert b"Traceback" not in err, err.decode()
    assert b"Bye!" in out

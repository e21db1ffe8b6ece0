"""Importing Markdown Q&A notes into bank entries."""

from __future__ import annotations

import errno
import subprocess
import sys
from pathlib import Path

import pytest

from bot.quiz.bank.loader import load_bank
from bot.quiz.importer import import_notes, render_yaml, stable_id

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT.parent / "shared" / "seed" / "000_7a3e52b117d8218b.txt"


def test_the_seed_gives_three_questions_and_two_drafts_that_pass_the_checker(
    tmp_path: Path,
) -> None:
    out = tmp_path / "imported.yaml"
    result = subprocess.run(
        [sys.executable, "-m", "bot", "import-markdown", str(SEED), "--out", str(out)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    assert "3 question(s) ready to ask and 2 draft(s)" in result.stderr
    assert "#4" in result.stderr and "cut off" in result.stderr
    assert "#5" in result.stderr and "only a link" in result.stderr
    bank = load_bank(out)
    assert len(bank.ready()) == 3 and len(bank) == 5
    first = bank.ready()[0]
    assert first.question == "位置编码有哪些？"
    assert first.answer.startswith("固定位置编码：\n正弦和余弦函数：在变换器模型中")
    assert "正弦和余弦函数" in [kp.point for kp in first.key_points]
    drafts = [q for q in bank.questions if not q.is_ready]
    assert drafts[0].source == "https://zhouyifan.net/2023/07/07/20230330-diffusion-model/"
    assert drafts[1].source == "https://zhuanlan.zhihu.com/p/643560888"


def test_ids_are_stable_and_ignore_answer_edits() -> None:
    one = import_notes("- 1. 什么是 Dropout？\n```\n随机丢弃神经元：防止过拟合。\n```\n")
    two = import_notes("- 7. 什么是 Dropout？\n```\n改写后的答案：也可以。\n```\n")
    assert stable_id(one.entries[0].question) == stable_id(two.entries[0].question)
    assert stable_id("什么是 Dropout？").startswith("dropout-")


ANSWER = "名称：解释这个概念的一句话。\n另一个：第二个概念的解释。"


@pytest.mark.parametrize(
    "notes",
    [
        f"- 1.问题一？\n```\n{ANSWER}\n```\n- 2. 问题二？\n```\n{ANSWER}\n```\n",
        f"1、问题一？\n```\n{ANSWER}\n```\n2、问题二？\n```\n{ANSWER}\n```\n",
        f"### 1. 问题一？\n```\n{ANSWER}\n```\n### 2. 问题二？\n```\n{ANSWER}\n```\n",
        f"- 1.问题一？\r\n```\r\n{ANSWER}\r\n```\r\n- 2. 问题二？\r\n```\r\n{ANSWER}\r\n```\r\n",
        f"- 1.问题一？\n```\n{ANSWER}\n- 2. 问题二？\n```\n{ANSWER}\n```\n",
        f"- 1.问题一？\n{ANSWER}\n\n- 2. 问题二？\n{ANSWER}\n",
    ],
    ids=["dash-dot", "chinese-comma", "heading", "crlf", "missing-closing-fence", "no-fence"],
)
def test_variants_people_write_are_understood(notes: str, tmp_path: Path) -> None:
    result = import_notes(notes)
    assert [e.question for e in result.entries] == ["问题一？", "问题二？"]
    assert all(e.answer == ANSWER for e in result.entries)
    assert all(e.key_points == ["名称", "另一个"] for e in result.entries)
    path = tmp_path / "bank.yaml"
    path.write_text(render_yaml(result), encoding="utf-8")
    assert len(load_bank(path).ready()) == 2


NOTES = f"- 1. 问题一？\n```\n{ANSWER}\n```\n"


def import_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "import-markdown", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
        timeout=60,
        check=False,
    )


def assert_refused(result: subprocess.CompletedProcess[str], *expected: str) -> None:
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().count("\n") == 0 and "Traceback" not in result.stderr, (
        result.stderr
    )
    for text in expected:
        assert text in result.stderr, result.stderr


def test_out_equal_to_the_notes_is_refused_and_the_notes_are_kept(tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text(NOTES, encoding="utf-8")
    (tmp_path / "link.md").symlink_to(notes)
    for out in ("notes.md", "./notes.md", str(notes), "link.md"):
        result = import_cli("notes.md", "--out", out, "--force", cwd=tmp_path)
        assert_refused(result, Path(out).name, "notes being imported")
    assert notes.read_text(encoding="utf-8") == NOTES
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.md", "notes.md"]


def test_an_existing_out_file_is_replaced_only_with_force(tmp_path: Path) -> None:
    (tmp_path / "notes.md").write_text(NOTES, encoding="utf-8")
    out = tmp_path / "bank.yaml"
    out.write_text("questions: []  # reviewed by hand\n", encoding="utf-8")
    assert_refused(import_cli("notes.md", "--out", "bank.yaml", cwd=tmp_path), "--force")
    assert "reviewed by hand" in out.read_text(encoding="utf-8")
    result = import_cli("notes.md", "--out", "bank.yaml", "--force", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert len(load_bank(out).ready()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bank.yaml", "notes.md"]


@pytest.mark.parametrize(
    ("out", "message"),
    [
        ("absent/bank.yaml", "does not exist"),
        (".", "is a folder"),
        ("/proc/quizbot-bank.yaml", "cannot write /proc/quizbot-bank.yaml"),
    ],
    ids=["missing-folder", "folder", "unwritable"],
)
def test_an_out_that_cannot_be_written_is_one_line(out: str, message: str, tmp_path: Path) -> None:
    (tmp_path / "notes.md").write_text(NOTES, encoding="utf-8")
    assert_refused(import_cli("notes.md", "--out", out, cwd=tmp_path), message)


def test_a_full_disk_is_one_line_and_leaves_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.__main__ import main

    def full(_: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    (tmp_path / "notes.md").write_text(NOTES, encoding="utf-8")
    out = tmp_path / "bank.yaml"
    out.write_text("old\n", encoding="utf-8")
    monkeypatch.setattr("bot.output.os.fsync", full)
    code = main(["import-markdown", str(tmp_path / "notes.md"), "--out", str(out), "--force"])
    err = capsys.readouterr().err
    assert code == 2 and "No space left on device" in err and str(out) in err
    assert out.read_text(encoding="utf-8") == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bank.yaml", "notes.md"]


def test_repeated_questions_get_distinct_ids_and_a_warning(tmp_path: Path) -> None:
    notes = NOTES + f"- 2. 问题二？\n```\n{ANSWER}\n```\n- 3. 问题一？\n```\n{ANSWER}\n```\n"
    result = import_notes(notes)
    ids = [e.id for e in result.entries]
    assert len(set(ids)) == 3 and ids[2] == ids[0] + "-2"
    warnings = [line for line in result.report() if "warning" in line]
    assert len(warnings) == 1 and "#3" in warnings[0] and "#1" in warnings[0]
    path = tmp_path / "bank.yaml"
    path.write_text(render_yaml(result), encoding="utf-8")
    assert len(load_bank(path).ready()) == 3


def test_an_imported_file_can_be_included_in_a_bank(tmp_path: Path) -> None:
    (tmp_path / "imported.yaml").write_text(render_yaml(import_notes(NOTES)), encoding="utf-8")
    entry = tmp_path / "questions.yaml"
    entry.write_text(
        "meta:\n  title: t\ninclude:\n  - imported.yaml\nquestions:\n"
        "  - id: own\n    kind: short\n    question: 一加一？\n    answer: 二\n    accept: [二]\n",
        encoding="utf-8",
    )
    assert len(load_bank(entry).ready()) == 2

"""Importing Markdown Q&A notes into bank entries."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.quiz.bank import load_bank
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

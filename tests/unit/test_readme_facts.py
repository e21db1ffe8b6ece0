"""What the README states about the bank and the health command is what the code does."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bot.quiz.bank import questions
from bot.quiz.bank.loader import load_bank
from bot.quiz.bank.summary import summarize
from bot.quiz.model import Kind, Question
from bot.quiz.selection import eligible

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_limits_the_readme_states_are_the_checker_s() -> None:
    from bot.quiz.limits import ALL, limits_table

    assert limits_table() in README
    assert (ALL.options_max, ALL.option_chars) == (
        questions.POLL_OPTIONS_MAX,
        questions.POLL_OPTION_MAX,
    )


def test_a_question_without_tags_has_the_topic_general(tmp_path: Path) -> None:
    path = tmp_path / "bank.yaml"
    path.write_text(
        "questions:\n  - id: plain\n    kind: short\n    question: 一加一？\n    answer: 二\n"
        "    accept: [二]\n",
        encoding="utf-8",
    )
    loaded = load_bank(path)
    [question] = loaded.ready()
    assert question.topic == "general" and question.difficulty == 2
    assert summarize(loaded).by_topic == {"general": 1}
    assert eligible(loaded.questions, topics=("general",)) == [question]
    assert "`general` when it has no tags" in " ".join(README.split())


def test_a_tagged_question_s_topic_is_its_first_tag() -> None:
    question = Question("q", Kind.SHORT, "?", "a", tags=("attention", "transformer"))
    assert question.topic == "attention"


def test_the_health_command_s_exit_codes_are_documented() -> None:
    text = " ".join(README.split())
    assert "exits 0 (healthy) or 1" in text and "exits 2" in text


def test_health_without_an_endpoint_exits_2_as_documented(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "health"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
        timeout=60,
        check=False,
    )
    assert result.returncode == 2 and "QUIZBOT_HEALTH_PORT" in result.stderr

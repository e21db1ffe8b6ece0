"""Service results as text, shared by every adapter: each brings its catalogue and its escape."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from bot.quiz.model import Kind, Question
from bot.quiz.records import Chat, PostSummary
from bot.quiz.schedule import WEEKDAY_NAMES
from bot.quiz.scoring import Standing
from bot.quiz.service import AttemptResult, Leaderboard, ScoreCard

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWX"
MEDALS = "🥇🥈🥉"


class Catalogue(Protocol):
    """A platform's `text(language, key, **values)`: the catalogue in its markup."""

    def __call__(self, language: str, key: str, **values: object) -> str: ...


def percent(value: float) -> str:
    """0.666 -> '67%'."""
    return f"{round(value * 100)}%"


def reference_body(question: Question, language: str, text: Catalogue) -> str:
    """The reference answer as raw text: a choice's letter and explanation, the editor's note."""
    body = question.answer
    if question.kind is Kind.CHOICE and question.correct is not None:
        body = f"{LETTERS[question.correct]}. {question.choices[question.correct]}\n\n{body}"
        if question.explanation:
            body += f"\n\n{question.explanation}"
    if question.note:
        body += "\n\n" + text(language, "note", note=question.note)
    return body


@dataclass(frozen=True, slots=True)
class Presenter:
    """Verdicts, scores, leaderboards, summaries and settings in one platform's markup."""

    text: Catalogue
    escape: Callable[[str], str]

    def verdict(self, result: AttemptResult, language: str, *, detailed: bool = True) -> str:
        """Feedback on an answer: points, then key points hit, missed and contradicted."""
        text, escape = self.text, self.escape
        verdict = result.verdict
        extra = ""
        if result.after_reveal:
            extra += text(language, "after_reveal")
        elif result.peeked:
            extra += text(language, "peeked")
        elif result.repeat:
            extra += text(language, "repeat")
        if result.counted and result.streak > 1:
            extra += text(language, "streak", streak=result.streak)
        if result.question.kind is Kind.CHOICE:
            if verdict.passed:
                return text(language, "choice_right") + extra
            letter = LETTERS[result.question.correct or 0]
            return text(language, "choice_wrong", letter=letter) + extra
        lines = [
            text(
                language,
                "verdict",
                mark="🎉" if verdict.passed else "📝",
                coverage=percent(verdict.coverage),
                points=result.points if result.counted else verdict.points,
                extra=extra,
            )
        ]
        if detailed and result.question.kind is Kind.OPEN:
            if verdict.hit:
                lines.append(text(language, "hit", items="、".join(escape(p) for p in verdict.hit)))
            missed = [p for p in verdict.missed if p not in verdict.contradicted]
            if missed:
                lines.append(text(language, "missed", items="、".join(escape(p) for p in missed)))
            if verdict.contradicted:
                items = "、".join(escape(p) for p in verdict.contradicted)
                lines.append(text(language, "contradicted", items=items))
        return "\n".join(lines)

    def summary(self, summary: PostSummary, language: str) -> str:
        """Who answered a post and who scored best."""
        if not summary.answered:
            return self.text(language, "summary_none")
        rows = " ".join(
            f"{MEDALS[i] if i < len(MEDALS) else ''}{self.escape(name)} {points}"
            for i, (_, name, points) in enumerate(summary.top)
        )
        top = self.text(language, "summary_top", rows=rows) if rows else ""
        average = percent(summary.average_coverage)
        return self.text(language, "summary", answered=summary.answered, average=average, top=top)

    def score(self, card: ScoreCard, name: str, language: str) -> str:
        """A user's score card."""
        return self.text(
            language,
            "score",
            name=self.escape(name),
            points=card.points,
            answered=card.answered,
            average=percent(card.average_coverage),
            streak=card.streak,
        )

    def leaderboard(self, board: Leaderboard, language: str) -> str:
        """A leaderboard, names escaped, ties sharing a rank."""
        period = self.text(language, f"period_{board.period}")
        if not board.standings:
            return self.text(language, "top_empty", period=period)
        rows = [self._row(s, language) for s in board.standings]
        return "\n".join([self.text(language, "top_title", period=period), *rows])

    def _row(self, standing: Standing, language: str) -> str:
        return self.text(
            language,
            "top_row",
            rank=standing.rank,
            name=self.escape(standing.name),
            points=standing.points,
            answered=standing.answered,
        )

    def settings(self, chat: Chat, language: str) -> str:
        """A chat's settings, and why it stopped when the platform refused it."""
        text, escape = self.text, self.escape
        reveal = (
            text(language, "settings_reveal_hours", hours=chat.reveal_after_hours)
            if chat.reveal_after_hours
            else text(language, "settings_reveal_next")
        )
        body = text(
            language,
            "settings",
            subscribed=text(language, "yes" if chat.subscribed else "no"),
            time=chat.post_time,
            zone=escape(chat.zone),
            days=",".join(WEEKDAY_NAMES[d] for d in chat.weekdays),
            topics=escape(",".join(chat.topics)) or text(language, "all_topics"),
            reveal=reveal,
            lang=chat.language or "-",
        )
        if not chat.subscribed and chat.disabled_reason:
            body += text(language, "settings_stopped", reason=escape(chat.disabled_reason))
        return body

"""Service results as Telegram HTML: every user or bank text is escaped here."""

from __future__ import annotations

from html import escape

from telegram.constants import MessageLimit

from bot.quiz.model import Kind, Question
from bot.quiz.records import Chat, PostSummary
from bot.quiz.schedule import WEEKDAY_NAMES
from bot.quiz.scoring import Standing
from bot.quiz.service import AttemptResult, Leaderboard, ScoreCard
from bot.telegram_adapter.texts import text

LETTERS = "ABCDEFGHIJ"
HEADROOM = 64


def percent(value: float) -> str:
    """0.666 -> '67%'."""
    return f"{round(value * 100)}%"


def split_html(body: str, limit: int = MessageLimit.MAX_TEXT_LENGTH - HEADROOM) -> list[str]:
    """Escaped text split below `limit` on paragraph, then line, then character boundaries."""
    chunks: list[str] = []
    current = ""
    for paragraph in body.split("\n"):
        piece = escape(paragraph)
        while len(piece) > limit:
            if current:
                chunks.append(current)
                current = ""
            cut = piece.rfind(" ", 0, limit)
            cut = cut if cut > limit // 2 else limit
            while (
                "&" in piece[max(0, cut - 6) : cut]
                and ";" not in piece[piece.rfind("&", 0, cut) : cut]
            ):
                cut -= 1
            chunks.append(piece[:cut])
            piece = piece[cut:]
        candidate = f"{current}\n{piece}" if current else piece
        if len(candidate) > limit:
            chunks.append(current)
            current = piece
        else:
            current = candidate
    if current or not chunks:
        chunks.append(current)
    return chunks


def question_text(question: Question, language: str) -> str:
    """The question for a group or daily post."""
    return text(language, "ask", topic=escape(question.topic), question=escape(question.question))


def _with_options(question: Question) -> str:
    body = escape(question.question)
    if question.kind is Kind.CHOICE:
        options = "\n".join(f"{LETTERS[i]}. {escape(o)}" for i, o in enumerate(question.choices))
        body = f"{body}\n{options}"
    return body


def practice_text(question: Question, language: str, review: bool) -> str:
    """The question for private practice; a choice question lists its lettered options."""
    label = text(language, "practice_review" if review else "practice_new")
    return text(
        language,
        "ask_practice",
        label=label,
        topic=escape(question.topic),
        question=_with_options(question),
    )


def focus_text(question: Question, language: str) -> str:
    """A group's question sent to a member who chose to answer privately."""
    return text(language, "ask_private_focus", question=_with_options(question))


def answer_texts(question: Question, key: str, language: str, suffix: str = "") -> list[str]:
    """The reference answer (and explanation), split to fit Telegram messages."""
    body = question.answer
    if question.kind is Kind.CHOICE and question.correct is not None:
        body = f"{LETTERS[question.correct]}. {question.choices[question.correct]}\n\n{body}"
        if question.explanation:
            body += f"\n\n{question.explanation}"
    if question.note:
        body += "\n\n" + text(language, "note", note=question.note)
    chunks = split_html(body)
    chunks[0] = text(language, key, answer=chunks[0])
    if len(chunks[0]) > MessageLimit.MAX_TEXT_LENGTH:
        chunks[0:1] = split_html(chunks[0])
    if suffix:
        if len(chunks[-1]) + len(suffix) <= MessageLimit.MAX_TEXT_LENGTH:
            chunks[-1] += suffix
        else:
            chunks.append(suffix.strip())
    return chunks


def verdict_text(result: AttemptResult, language: str, *, detailed: bool) -> str:
    """Feedback on an answer: points, key points hit and missed (in private), notes."""
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
        right = verdict.passed
        head = (
            text(language, "choice_right")
            if right
            else text(language, "choice_wrong", letter=LETTERS[result.question.correct or 0])
        )
        return head + extra
    mark = "🎉" if verdict.passed else "📝"
    lines = [
        text(
            language,
            "verdict",
            mark=mark,
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


def summary_text(summary: PostSummary, language: str) -> str:
    """Who answered a post and who scored best."""
    if not summary.answered:
        return text(language, "summary_none")
    medals = "🥇🥈🥉"
    rows = " ".join(
        f"{medals[i] if i < 3 else ''}{escape(name)} {points}"
        for i, (_, name, points) in enumerate(summary.top)
    )
    top = text(language, "summary_top", rows=rows) if rows else ""
    return text(
        language,
        "summary",
        answered=summary.answered,
        average=percent(summary.average_coverage),
        top=top,
    )


def score_text(card: ScoreCard, name: str, language: str) -> str:
    """A user's score card."""
    return text(
        language,
        "score",
        name=escape(name),
        points=card.points,
        answered=card.answered,
        average=percent(card.average_coverage),
        streak=card.streak,
    )


def leaderboard_text(board: Leaderboard, language: str) -> str:
    """A leaderboard, names escaped, ties sharing a rank."""
    period = text(language, f"period_{board.period}")
    if not board.standings:
        return text(language, "top_empty", period=period)
    rows = [_row(s, language) for s in board.standings]
    return "\n".join([text(language, "top_title", period=period), *rows])


def _row(standing: Standing, language: str) -> str:
    return text(
        language,
        "top_row",
        rank=standing.rank,
        name=escape(standing.name),
        points=standing.points,
        answered=standing.answered,
    )


def settings_text(chat: Chat, language: str) -> str:
    """A chat's settings."""
    days = ",".join(WEEKDAY_NAMES[d] for d in chat.weekdays)
    reveal = (
        text(language, "settings_reveal_hours", hours=chat.reveal_after_hours)
        if chat.reveal_after_hours
        else text(language, "settings_reveal_next")
    )
    return text(
        language,
        "settings",
        subscribed=text(language, "yes" if chat.subscribed else "no"),
        time=chat.post_time,
        zone=escape(chat.zone),
        days=days,
        topics=escape(",".join(chat.topics)) or text(language, "all_topics"),
        reveal=reveal,
        lang=chat.language or "-",
    )

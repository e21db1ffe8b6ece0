"""Service results as Discord Markdown and embeds: every user or bank text is escaped here."""

from __future__ import annotations

import discord
from discord.utils import escape_markdown, escape_mentions

from bot.discord_adapter.texts import text
from bot.quiz.model import Kind, Question
from bot.quiz.records import Chat, PostSummary
from bot.quiz.schedule import WEEKDAY_NAMES
from bot.quiz.scoring import Standing
from bot.quiz.service import AttemptResult, Leaderboard, ScoreCard

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWX"
EMBED_DESCRIPTION = 4096
RAW_CHUNK = 1900  # escaping at most doubles a text: two escaped chunks still fit a description
COLOR = 0x5865F2


def escape(value: str) -> str:
    """User or bank text made inert: no Markdown, no mentions."""
    return escape_mentions(escape_markdown(value))


def percent(value: float) -> str:
    """0.666 -> '67%'."""
    return f"{round(value * 100)}%"


def split_text(body: str, limit: int = RAW_CHUNK) -> list[str]:
    """Raw text split below `limit` on paragraph, line or character boundaries (then escaped)."""
    chunks: list[str] = []
    current = ""
    for line in body.split("\n"):
        while len(line) > limit:
            if current:
                chunks.append(current)
                current = ""
            cut = line.rfind(" ", 0, limit)
            cut = cut if cut > limit // 2 else limit
            chunks.append(line[:cut])
            line = line[cut:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            chunks.append(current)
            current = line
        else:
            current = candidate
    if current or not chunks:
        chunks.append(current)
    return [escape(chunk) for chunk in chunks]


def _with_options(question: Question) -> str:
    body = escape(question.question)
    if question.kind is Kind.CHOICE:
        options = "\n".join(
            f"**{LETTERS[i]}.** {escape(o)}" for i, o in enumerate(question.choices)
        )
        body = f"{body}\n\n{options}"
    return body


def question_embed(question: Question, language: str, title_key: str) -> discord.Embed:
    """A question as an embed: title, the question (with lettered options), topic, difficulty."""
    embed = discord.Embed(
        title=text(language, title_key), description=_with_options(question), color=COLOR
    )
    embed.add_field(name=text(language, "topic"), value=escape(question.topic), inline=True)
    embed.add_field(name=text(language, "difficulty"), value="★" * question.difficulty, inline=True)
    return embed


def answer_embeds(
    question: Question, language: str, title_key: str, footer: str = ""
) -> list[discord.Embed]:
    """The reference answer (and a choice's letter and explanation), one embed per chunk."""
    body = question.answer
    if question.kind is Kind.CHOICE and question.correct is not None:
        body = f"{LETTERS[question.correct]}. {question.choices[question.correct]}\n\n{body}"
        if question.explanation:
            body += f"\n\n{question.explanation}"
    chunks = split_text(body)
    embeds = [discord.Embed(description=chunk, color=COLOR) for chunk in chunks]
    embeds[0].title = text(language, title_key)
    if footer:
        embeds[-1].add_field(name="\u200b", value=footer[:1024], inline=False)
    return embeds


def verdict_text(result: AttemptResult, language: str) -> str:
    """Feedback on an answer: points, key points hit and missed, notes."""
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
    mark = "🎉" if verdict.passed else "📝"
    points = result.points if result.counted else verdict.points
    lines = [
        text(
            language,
            "verdict",
            mark=mark,
            coverage=percent(verdict.coverage),
            points=points,
            extra=extra,
        )
    ]
    if result.question.kind is Kind.OPEN:
        if verdict.hit:
            lines.append(text(language, "hit", items="、".join(escape(p) for p in verdict.hit)))
        if verdict.missed:
            items = "、".join(escape(p) for p in verdict.missed)
            lines.append(text(language, "missed", items=items))
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
    average = percent(summary.average_coverage)
    return text(language, "summary", answered=summary.answered, average=average, top=top)


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
    """A channel's settings, and why it stopped when Discord refused it."""
    days = ",".join(WEEKDAY_NAMES[d] for d in chat.weekdays)
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
        days=days,
        topics=escape(",".join(chat.topics)) or text(language, "all_topics"),
        reveal=reveal,
        lang=chat.language or "-",
    )
    if not chat.subscribed and chat.disabled_reason:
        body += text(language, "settings_stopped", reason=escape(chat.disabled_reason))
    return body

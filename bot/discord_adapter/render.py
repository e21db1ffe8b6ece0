"""Service results as Discord Markdown and embeds: every user or bank text is escaped here."""

from __future__ import annotations

import discord
from discord.utils import escape_markdown, escape_mentions

from bot.discord_adapter.texts import text
from bot.presenting import LETTERS, Presenter, reference_body
from bot.quiz.model import Kind, Question

EMBED_DESCRIPTION = 4096
RAW_CHUNK = 1900  # escaping at most doubles a text: two escaped chunks still fit a description
COLOR = 0x5865F2


def escape(value: str) -> str:
    """User or bank text made inert: no Markdown, no mentions."""
    return escape_mentions(escape_markdown(value))


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
    """The reference answer (a choice's letter, explanation, editor's note), one embed per chunk."""
    chunks = split_text(reference_body(question, language, text))
    embeds = [discord.Embed(description=chunk, color=COLOR) for chunk in chunks]
    embeds[0].title = text(language, title_key)
    if footer:
        embeds[-1].add_field(name="\u200b", value=footer[:1024], inline=False)
    return embeds


_present = Presenter(text, escape)
verdict_text = _present.verdict
summary_text = _present.summary
score_text = _present.score
leaderboard_text = _present.leaderboard
settings_text = _present.settings

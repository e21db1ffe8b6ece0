"""The broadcast Sender on Discord: questions as embeds with buttons, reveals as replies that
also disable the question's buttons. Discord's refusals become the service's in one place."""

from __future__ import annotations

import asyncio
import logging

import aiohttp
import discord

from bot.discord_adapter.context import NO_MENTIONS
from bot.discord_adapter.identity import message_ref
from bot.discord_adapter.render import answer_embeds, question_embed, summary_text
from bot.discord_adapter.texts import language_of
from bot.discord_adapter.views import post_view
from bot.quiz.records import MessageRef
from bot.quiz.service import DuePost, DueReveal, Refusal, RefusalKind

log = logging.getLogger(__name__)
GONE_CODES = (10003, 10004)  # Unknown Channel, Unknown Guild


def refusal(error: Exception) -> Refusal:
    """What Discord's answer means for the chat: lost access, a deleted channel, try later."""
    if isinstance(error, discord.Forbidden):
        return Refusal(RefusalKind.BLOCKED, f"{error.code} {error.text}"[:200])
    if isinstance(error, discord.NotFound):
        kind = RefusalKind.GONE if error.code in GONE_CODES else RefusalKind.FAILED
        return Refusal(kind, f"{error.code} {error.text}"[:200])
    if isinstance(error, discord.RateLimited | discord.DiscordServerError):
        return Refusal(RefusalKind.RETRY_LATER, str(error)[:200])
    if isinstance(error, aiohttp.ClientError | asyncio.TimeoutError | OSError):
        return Refusal(RefusalKind.RETRY_LATER, "network error")
    if isinstance(error, discord.HTTPException):
        return Refusal(RefusalKind.FAILED, f"{error.code} {error.text}"[:200])
    raise error


class DiscordSender:
    """Implements the broadcast's Sender port with a discord.py client (REST only)."""

    def __init__(self, client: discord.Client, default_language: str) -> None:
        self.client = client
        self.default_language = default_language

    async def send_question(self, due: DuePost) -> MessageRef | Refusal:
        """The question as an embed, with Answer (or one button per option) and Show answer."""
        language = language_of(due.chat.language, None, self.default_language)
        channel = self.client.get_partial_messageable(int(due.address.external_id))
        try:
            message = await channel.send(
                embed=question_embed(due.question, language, "title_daily"),
                view=post_view(due.post.id, due.question, language),
                allowed_mentions=NO_MENTIONS,
            )
        except (TimeoutError, discord.HTTPException, aiohttp.ClientError, OSError) as error:
            return refusal(error)
        return message_ref(channel.id, message.id)

    async def send_reveal(self, due: DueReveal) -> MessageRef | Refusal:
        """The answer (one embed per message, split to fit) and the summary, replying to the
        question; then the question's buttons are disabled."""
        language = language_of(due.chat.language, None, self.default_language)
        channel = self.client.get_partial_messageable(int(due.address.external_id))
        summary = summary_text(due.summary, language)
        embeds = answer_embeds(due.question, language, "answer_title", summary)
        question = (
            channel.get_partial_message(int(due.question_ref.message)) if due.question_ref else None
        )
        first: MessageRef | None = None
        try:
            for embed in embeds:
                reference = question.to_reference(fail_if_not_exists=False) if question else None
                sent = await channel.send(
                    embed=embed,
                    reference=reference or discord.utils.MISSING,
                    allowed_mentions=NO_MENTIONS,
                )
                first = first or message_ref(channel.id, sent.id)
        except (TimeoutError, discord.HTTPException, aiohttp.ClientError, OSError) as error:
            return first or refusal(error)
        if question is not None:
            await self._disable(question, due, language)
        assert first is not None
        return first

    async def _disable(
        self, question: discord.PartialMessage, due: DueReveal, language: str
    ) -> None:
        try:
            await question.edit(view=post_view(due.post.id, due.question, language, disabled=True))
        except discord.HTTPException as error:
            log.info("post %s: buttons not disabled: %s", due.post.id, error)

"""/start (and its deep links), /help and /quiz."""

from __future__ import annotations

import html

from telegram import Update
from telegram.constants import ChatMemberStatus
from telegram.error import TelegramError

from bot.quiz.service import NoQuestion
from bot.telegram_adapter.context import Context
from bot.telegram_adapter.handlers.answers import send_answer_here
from bot.telegram_adapter.handlers.common import deep_link, reply, reply_language
from bot.telegram_adapter.identity import person_of, place_of, private_place
from bot.telegram_adapter.links import FOCUS, Link, parse
from bot.telegram_adapter.render import focus_text, practice_text
from bot.telegram_adapter.texts import text


async def start(update: Update, context: Context) -> None:
    """Greet; or follow a deep link: p<post> answers privately, a<post> shows an answer."""
    user = update.effective_user
    if user is None or update.effective_chat is None or update.effective_chat.type != "private":
        await help_command(update, context)
        return
    service = context.bot_data.service
    language = await reply_language(update, context)
    payload = context.args[0] if context.args else ""
    link = parse(context.bot_data.link_key, payload)
    if link is not None:
        try:
            if not await _may_follow(context, link, user.id):
                raise NoQuestion("a link this user may not follow")
            if link.action == FOCUS:
                _, question = await service.focus(person_of(user), link.post_id)
                await reply(update, focus_text(question, language))
            else:
                await send_answer_here(update, context, link.post_id, language)
        except NoQuestion:
            await reply(update, text(language, "question_gone"))
        return
    await service.chat(private_place(user), person_of(user))
    greeting = text(
        language, "start", name=html.escape(user.first_name), help=text(language, "help")
    )
    await reply(update, greeting)


async def _may_follow(context: Context, link: Link, user_id: int) -> bool:
    """A signed link is ours; an unsigned one (older posts' buttons, or forged) only opens a
    group's post for a member of that group."""
    if link.signed:
        return True
    found = await context.bot_data.service.post_chat(link.post_id)
    if found is None or not found[0].is_group:
        return False
    try:
        member = await context.bot.get_chat_member(int(found[1].external_id), user_id)
    except TelegramError:
        return False
    return member.status not in (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED)


async def help_command(update: Update, context: Context) -> None:
    """What the bot does and its commands."""
    await reply(update, text(await reply_language(update, context), "help"))


async def quiz(update: Update, context: Context) -> None:
    """Private practice: a due review first, else a new question."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    language = await reply_language(update, context)
    if chat.type != "private":
        await reply(update, text(language, "group_only_private", link=deep_link(context, "quiz")))
        return
    try:
        practice = await context.bot_data.service.practice(place_of(chat), person_of(user))
    except NoQuestion:
        await reply(update, text(language, "no_open_question"))
        return
    await reply(update, practice_text(practice.question, language, practice.review))

"""The message catalogue (bot/quiz/messages.py) as Discord Markdown, with Discord's own words:
titles, buttons, the answer form, and messages whose wording differs on Discord."""

from __future__ import annotations

from collections.abc import Mapping

from discord.utils import escape_markdown

from bot.quiz.messages import EMPHASIS, language_of, render

MARKDOWN_EMPHASIS = {"b": ("**", "**"), "i": ("*", "*")}

__all__ = ["COMMANDS", "OPTIONS", "OWN", "language_of", "text"]

OWN: Mapping[str, Mapping[str, str]] = {
    # Discord's own words: what slash commands, embeds, buttons and forms need, and the few
    # messages whose wording differs on Discord. Everything else comes from the catalogue.
    "zh": {
        "help": (
            "[b]每日一题[/b]：有「管理服务器」权限的成员在频道里 /subscribe 09:00 Asia/Shanghai，"
            "之后每天发一道题。点「作答」在弹窗里写答案，只有你能看到评分；选择题直接点选项。"
            "「查看答案」只给你看，本题不再计分。\n"
            "[b]私下练习[/b]：/quiz（答错的题优先复习），/answer 查看答案。\n"
            "/score 我的成绩 · /top 排行榜 · /settings 设置 · /unsubscribe 取消 · "
            "/forget 删除我的数据"
        ),
        "title_daily": "📝 每日一题",
        "title_new": "📝 新题",
        "title_review": "🔁 复习",
        "topic": "主题",
        "difficulty": "难度",
        "button_write": "✍️ 作答",
        "modal_title": "你的答案",
        "modal_label": "答案",
        "modal_placeholder": "写下你的答案，尽量覆盖要点。",
        "answer_title": "💡 参考答案",
        "answer_out": "答案已经公布，见频道里的回复。",
        "not_here": "这道题已不存在或不属于这里。",
        "admins_only": "抱歉，只有拥有「管理服务器」或「管理频道」权限的成员可以更改每日一题。",
        "usage_subscribe": "用法：/subscribe time:09:00 zone:Asia/Shanghai\n{error}",
        "usage_top": "用法：/top period:week|month|all",
        "usage_settings": (
            "用法：/settings time:09:00 zone:Asia/Shanghai days:mon,wed,fri topics:llm,cv "
            "reveal:12 lang:zh\n{error}"
        ),
        "forget_prompt": (
            "🔒 [b]我保存的关于你的数据[/b]\n作答：{attempts} 条\n查看答案：{peeks} 条\n"
            "复习卡片：{cards} 张\n以及你的 Discord 名字和语言。\n\n"
            "删除后无法恢复：所有服务器和群组的排行榜上都不再有你的成绩。"
        ),
    },
    "en": {
        "help": (
            "[b]Daily question:[/b] someone with Manage Server runs /subscribe 09:00 Europe/Berlin "
            "in a channel, and a question is posted there every day. Press Answer and write in "
            "the form: only you see the grade. Choice questions: press an option. Show answer "
            "shows it to you alone, and that question scores no points for you.\n"
            "[b]Practice:[/b] /quiz (missed questions come back first), /answer for the answer.\n"
            "/score your score · /top leaderboard · /settings settings · /unsubscribe stop · "
            "/forget delete your data"
        ),
        "title_daily": "📝 Question of the day",
        "title_new": "📝 New question",
        "title_review": "🔁 Review",
        "topic": "Topic",
        "difficulty": "Difficulty",
        "button_write": "✍️ Answer",
        "modal_title": "Your answer",
        "modal_label": "Answer",
        "modal_placeholder": "Write your answer; cover the key points.",
        "answer_title": "💡 Reference answer",
        "answer_out": "The answer is out: see the reply in the channel.",
        "not_here": "That question is gone or does not belong here.",
        "admins_only": (
            "Sorry, only members with Manage Server or Manage Channels can change the daily "
            "question."
        ),
        "usage_subscribe": "Usage: /subscribe time:09:00 zone:Europe/Berlin\n{error}",
        "usage_top": "Usage: /top period:week|month|all",
        "usage_settings": (
            "Usage: /settings time:09:00 zone:Europe/Berlin days:mon,wed,fri topics:llm,cv "
            "reveal:12 lang:en\n{error}"
        ),
        "forget_prompt": (
            "🔒 [b]What I keep about you[/b]\nAnswers: {attempts}\nRevealed answers: {peeks}\n"
            "Review cards: {cards}\nand your Discord name and locale.\n\n"
            "Deleting cannot be undone: your scores leave every leaderboard."
        ),
    },
}

COMMANDS: Mapping[str, tuple[str, str, str]] = {
    # name: (Chinese name, English description, Chinese description)
    "quiz": ("练习", "Practise one question (due reviews first)", "练一道题（到期复习优先）"),
    "answer": ("答案", "Show the reference answer of your question", "查看当前题目的参考答案"),
    "score": ("成绩", "Your score here", "我在这里的成绩"),
    "top": ("排行榜", "Leaderboard of this channel", "本频道的排行榜"),
    "subscribe": ("订阅", "One question a day in this channel", "在本频道每天发一道题"),
    "unsubscribe": ("取消订阅", "Stop the daily question", "停止每日一题"),
    "settings": ("设置", "Show or change this channel's settings", "查看或更改本频道的设置"),
    "forget": ("删除数据", "See and delete what is kept about you", "查看并删除我的数据"),
    "help": ("帮助", "How this works", "使用说明"),
}

OPTIONS: Mapping[str, tuple[str, str, str]] = {
    "time": ("时间", "Local time HH:MM, e.g. 09:00", "本地时间 HH:MM，例如 09:00"),
    "zone": ("时区", "IANA time zone, e.g. Asia/Shanghai", "IANA 时区，例如 Asia/Shanghai"),
    "period": ("周期", "week, month or all", "week、month 或 all"),
    "days": ("星期", "Days such as mon,wed,fri", "星期，例如 mon,wed,fri"),
    "topics": (
        "主题",
        "Topics such as llm,cv (all for every topic)",
        "主题，例如 llm,cv（all 表示全部）",
    ),
    "reveal": (
        "公布",
        "Hours until the answer is revealed (0: at the next post)",
        "几小时后公布答案（0：下一题时）",
    ),
    "lang": ("语言", "zh or en", "zh 或 en"),
}


def text(language: str, key: str, **values: object) -> str:
    """The text for `key` in `language` as Discord Markdown, formatted with already-escaped
    values: Discord's own words first, else the shared catalogue's."""
    own = OWN.get(language, OWN["zh"])
    if key in own:
        return _render(own[key], values)
    return render(language, key, _literal, MARKDOWN_EMPHASIS, values)


def _render(template: str, values: Mapping[str, object]) -> str:
    pieces = EMPHASIS.split(template)
    out: list[str] = []
    for index in range(0, len(pieces), 3):
        out.append(_literal(pieces[index]))
        if index + 2 < len(pieces):
            closing, style = pieces[index + 1], pieces[index + 2]
            out.append(MARKDOWN_EMPHASIS[style][1 if closing else 0])
    return "".join(out).format(**values)


def _literal(words: str) -> str:
    # Only the catalogue's own words are escaped here; values arrive escaped.
    return escape_markdown(words)

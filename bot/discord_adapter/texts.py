"""User-facing texts in Chinese and English: Discord Markdown, every value escaped by the caller."""

from __future__ import annotations

from collections.abc import Mapping

TEXTS: Mapping[str, Mapping[str, str]] = {
    "zh": {
        "help": (
            "**每日一题**：管理员在频道里 `/subscribe 09:00 Asia/Shanghai`，之后每天发一道题。"
            "点「作答」在弹窗里写答案，只有你能看到评分；选择题直接点选项。"
            "「查看答案」只给你看，本题不再计分。\n"
            "**私下练习**：`/quiz`（答错的题优先复习），`/answer` 查看答案。\n"
            "`/score` 我的成绩 · `/top` 排行榜 · `/settings` 设置 · `/unsubscribe` 取消 · "
            "`/forget` 删除我的数据"
        ),
        "daily_title": "📝 每日一题",
        "practice_new": "📝 新题",
        "practice_review": "🔁 复习",
        "topic": "主题",
        "difficulty": "难度",
        "button_answer": "✍️ 作答",
        "button_show": "💡 查看答案",
        "modal_title": "你的答案",
        "modal_label": "答案",
        "modal_placeholder": "写下你的答案，尽量覆盖要点。",
        "verdict": "{mark} 覆盖率 {coverage}，得分 {points}/10{extra}",
        "hit": "✅ 答到：{items}",
        "missed": "❌ 缺少：{items}",
        "streak": "\n🔥 连续作答 {streak} 次",
        "repeat": "\n（已记过第一次作答的成绩，这次只作反馈）",
        "peeked": "\n（已看过答案，本题不计分）",
        "after_reveal": "\n（答案已公布，本题不再计分）",
        "choice_right": "✅ 正确！",
        "choice_wrong": "❌ 不对，正确答案是 {letter}。",
        "no_open_question": "现在没有待回答的题目。用 `/quiz` 来一道！",
        "empty_answer": "没有识别到答案内容，请用文字作答。",
        "answer_title": "💡 参考答案",
        "forfeit_note": "在作答前查看答案，本题不计分。",
        "answer_out": "答案已经公布，见频道里的回复。",
        "reveal_title": "💡 参考答案（公布）",
        "summary": "📊 {answered} 人作答，平均覆盖率 {average}。{top}",
        "summary_none": "📊 这次没有人作答。",
        "summary_top": "\n🏆 {rows}",
        "score": "📈 **{name}** 的成绩\n总分 {points} · 作答 {answered} 次 · 平均覆盖率 {average} · 连续 {streak} 次",
        "top_title": "🏆 **排行榜**（{period}）",
        "top_empty": "🏆 {period}还没有人得分。",
        "period_week": "本周",
        "period_month": "本月",
        "period_all": "总榜",
        "top_row": "{rank}. {name} — {points} 分（{answered} 题）",
        "subscribed": "✅ 已订阅：每天 {time}（{zone}）发一道题。下一次：{next}。",
        "unsubscribed": "已取消每日一题。",
        "not_subscribed": "这里没有订阅每日一题。",
        "admins_only": "抱歉，只有拥有「管理服务器」或「管理频道」权限的成员可以更改每日一题。",
        "usage_subscribe": "用法：`/subscribe time:09:00 zone:Asia/Shanghai`\n{error}",
        "usage_top": "用法：`/top period:week|month|all`",
        "usage_settings": (
            "用法：`/settings time:09:00 zone:Asia/Shanghai days:mon,wed,fri topics:llm,cv "
            "reveal:12 lang:zh`\n{error}"
        ),
        "settings": (
            "⚙️ **设置**\n订阅：{subscribed}\n时间：{time}（{zone}）\n星期：{days}\n"
            "主题：{topics}\n公布答案：{reveal}\n语言：{lang}"
        ),
        "settings_stopped": "\n⚠️ 已停止发送：{reason}",
        "settings_reveal_hours": "发题后 {hours} 小时",
        "settings_reveal_next": "下一题发布时",
        "all_topics": "全部",
        "yes": "是",
        "no": "否",
        "error": "抱歉，出了点问题，请稍后再试。",
        "question_gone": "这道题已不存在或不属于这里。",
        "forget_prompt": (
            "🔒 **我保存的关于你的数据**\n作答：{attempts} 条\n查看答案：{peeks} 条\n"
            "复习卡片：{cards} 张\n以及你的 Discord 名字和语言。\n\n"
            "删除后无法恢复：所有服务器和群组的排行榜上都不再有你的成绩。"
        ),
        "forget_nothing": "我没有保存任何关于你的数据。",
        "forget_button": "删除我的数据",
        "forget_done": "✅ 已删除 {total} 条数据。以后再作答会重新开始记录。",
    },
    "en": {
        "help": (
            "**Daily question:** someone with Manage Server runs `/subscribe 09:00 Europe/Berlin` "
            "in a channel, and a question is posted there every day. Press **Answer** and write "
            "in the form: only you see the grade. Choice questions: press an option. "
            "**Show answer** shows it to you alone, and that question scores no points for you.\n"
            "**Practice:** `/quiz` (missed questions come back first), `/answer` for the answer.\n"
            "`/score` your score · `/top` leaderboard · `/settings` settings · "
            "`/unsubscribe` stop · `/forget` delete your data"
        ),
        "daily_title": "📝 Question of the day",
        "practice_new": "📝 New question",
        "practice_review": "🔁 Review",
        "topic": "Topic",
        "difficulty": "Difficulty",
        "button_answer": "✍️ Answer",
        "button_show": "💡 Show answer",
        "modal_title": "Your answer",
        "modal_label": "Answer",
        "modal_placeholder": "Write your answer; cover the key points.",
        "verdict": "{mark} Coverage {coverage}, {points}/10 points{extra}",
        "hit": "✅ Covered: {items}",
        "missed": "❌ Missing: {items}",
        "streak": "\n🔥 Streak: {streak}",
        "repeat": "\n(Your first answer was scored; this one is feedback only.)",
        "peeked": "\n(You saw the answer first, so no points for this one.)",
        "after_reveal": "\n(The answer is out, so this one scores no points.)",
        "choice_right": "✅ Right!",
        "choice_wrong": "❌ Not quite: the answer is {letter}.",
        "no_open_question": "There is no open question. Use `/quiz` for one!",
        "empty_answer": "I could not find an answer in that; please answer in words.",
        "answer_title": "💡 Reference answer",
        "forfeit_note": "You looked before answering, so this question scores no points.",
        "answer_out": "The answer is out: see the reply in the channel.",
        "reveal_title": "💡 Reference answer",
        "summary": "📊 {answered} answered, average coverage {average}.{top}",
        "summary_none": "📊 Nobody answered this time.",
        "summary_top": "\n🏆 {rows}",
        "score": (
            "📈 **{name}**\n{points} points · {answered} answered · average coverage {average} · "
            "streak {streak}"
        ),
        "top_title": "🏆 **Leaderboard** ({period})",
        "top_empty": "🏆 Nobody has scored {period} yet.",
        "period_week": "this week",
        "period_month": "this month",
        "period_all": "all time",
        "top_row": "{rank}. {name} — {points} points ({answered} answered)",
        "subscribed": "✅ Subscribed: one question every day at {time} ({zone}). Next: {next}.",
        "unsubscribed": "The daily question is off.",
        "not_subscribed": "This channel is not subscribed.",
        "admins_only": "Sorry, only members with Manage Server or Manage Channels can change the daily question.",
        "usage_subscribe": "Usage: `/subscribe time:09:00 zone:Europe/Berlin`\n{error}",
        "usage_top": "Usage: `/top period:week|month|all`",
        "usage_settings": (
            "Usage: `/settings time:09:00 zone:Europe/Berlin days:mon,wed,fri topics:llm,cv "
            "reveal:12 lang:en`\n{error}"
        ),
        "settings": (
            "⚙️ **Settings**\nSubscribed: {subscribed}\nTime: {time} ({zone})\nDays: {days}\n"
            "Topics: {topics}\nAnswer revealed: {reveal}\nLanguage: {lang}"
        ),
        "settings_stopped": "\n⚠️ Stopped: {reason}",
        "settings_reveal_hours": "{hours} h after the post",
        "settings_reveal_next": "at the next post",
        "all_topics": "all",
        "yes": "yes",
        "no": "no",
        "error": "Sorry, something went wrong. Please try again later.",
        "question_gone": "That question is gone or does not belong here.",
        "forget_prompt": (
            "🔒 **What I keep about you**\nAnswers: {attempts}\nRevealed answers: {peeks}\n"
            "Review cards: {cards}\nand your Discord name and locale.\n\n"
            "Deleting cannot be undone: your scores leave every leaderboard."
        ),
        "forget_nothing": "I keep nothing about you.",
        "forget_button": "Delete my data",
        "forget_done": "✅ Deleted {total} rows. Answering again starts afresh.",
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


def language_of(chat_language: str | None, locale: str | None, default: str) -> str:
    """The channel's language, else the user's Discord locale if zh or en, else the default."""
    if chat_language in TEXTS:
        return chat_language  # type: ignore[return-value]
    if locale:
        short = locale.split("-")[0].lower()
        if short in TEXTS:
            return short
    return default if default in TEXTS else "zh"


def text(language: str, key: str, **values: object) -> str:
    """The text for `key` in `language`, formatted with already-escaped values."""
    return TEXTS.get(language, TEXTS["zh"])[key].format(**values)

"""What the bot says, in Chinese and English, without markup: the one message catalogue.

Emphasis is written as neutral tokens, [b]bold[/b] and [i]italic[/i]; each adapter renders
them in its own markup (Telegram HTML, Discord Markdown) and escapes every value it fills in.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

EMPHASIS = re.compile(r"\[(/?)([bi])\]")

TEXTS: Mapping[str, Mapping[str, str]] = {
    "zh": {
        "start": "你好，{name}！我是每日机器学习面试题机器人。\n\n{help}",
        "help": (
            "[b]私聊[/b]\n/quiz 练一道题（答错的题会优先复习）\n/answer 查看当前题目的参考答案\n"
            "/score 我的成绩\n/subscribe [HH:MM] [地区/城市] 每天定时收到一道题\n/unsubscribe 取消订阅\n"
            "/forget 查看并删除我的数据\n\n"
            "[b]群组[/b]\n管理员 /subscribe 09:00 Asia/Shanghai 开启每日一题；回复题目消息即作答，"
            "或点「私下作答」。\n/top [week|month|all] 排行榜\n/settings 设置"
        ),
        "ask": "📝 [b]每日一题[/b] · {topic}\n\n{question}",
        "ask_practice": "📝 [b]{label}[/b] · {topic}\n\n{question}\n\n[i]直接发送你的答案。[/i]",
        "practice_new": "新题",
        "practice_review": "复习",
        "ask_private_focus": "📝 私下作答：\n\n{question}\n\n[i]在这里发送你的答案，成绩计入群组。[/i]",
        "reply_hint": "回复这条消息作答，或点下方按钮私下作答。",
        "button_private": "✍️ 私下作答",
        "button_answer": "💡 查看答案",
        "button_open_bot": "打开机器人",
        "verdict": "{mark} 覆盖率 {coverage}，得分 {points}/10{extra}",
        "hit": "✅ 答到：{items}",
        "missed": "❌ 缺少：{items}",
        "contradicted": "⚠️ 说反了：{items}",
        "note": "📌 编者注：{note}",
        "streak": "\n🔥 连续作答 {streak} 次",
        "repeat": "\n（已记过第一次作答的成绩，这次只作反馈）",
        "peeked": "\n（已看过答案，本题不计分）",
        "after_reveal": "\n（答案已公布，本题不再计分）",
        "choice_right": "✅ 正确！",
        "choice_wrong": "❌ 不对，正确答案是 {letter}。",
        "no_open_question": "现在没有待回答的题目。发送 /quiz 来一道！",
        "empty_answer": "没有识别到答案内容，请用文字作答。",
        "answer_private": "💡 [b]参考答案[/b]\n\n{answer}",
        "answer_forfeit_note": "\n\n[i]在作答前查看答案，本题不计分。[/i]",
        "answer_sent_private": "已私信发送答案给 {name}（本题不再计分）。",
        "answer_need_start": "{name}，请先打开与我的私聊，我再把答案发给你。",
        "answer_already": "答案已公布：{link}",
        "answer_already_here": "答案已公布，见上方。",
        "callback_sent": "答案已私信发送给你。",
        "reveal": "💡 [b]参考答案[/b]\n\n{answer}",
        "summary": "📊 {answered} 人作答，平均覆盖率 {average}。{top}",
        "summary_none": "📊 这次没有人作答。",
        "summary_top": "\n🏆 {rows}",
        "score": "📈 [b]{name}[/b] 的成绩\n总分 {points} · 作答 {answered} 次 · 平均覆盖率 {average} · 连续 {streak} 次",
        "top_title": "🏆 [b]排行榜[/b]（{period}）",
        "top_empty": "🏆 {period}还没有人得分。",
        "period_week": "本周",
        "period_month": "本月",
        "period_all": "总榜",
        "top_row": "{rank}. {name} — {points} 分（{answered} 题）",
        "subscribed": "✅ 已订阅：每天 {time}（{zone}）发一道题。下一次：{next}。",
        "unsubscribed": "已取消每日一题。",
        "not_subscribed": "本聊天没有订阅每日一题。",
        "admins_only": "抱歉，只有群管理员可以更改每日一题的设置。",
        "usage_subscribe": "用法：/subscribe [HH:MM] [地区/城市]，例如 /subscribe 09:00 Asia/Shanghai\n{error}",
        "usage_top": "用法：/top [week|month|all]",
        "usage_settings": (
            "用法：/settings time 09:00 · zone Asia/Shanghai · days mon,wed,fri · "
            "topics llm,cv（all 表示全部）· reveal 12（小时，0 表示下一题时公布）· lang zh|en\n{error}"
        ),
        "settings": (
            "⚙️ [b]设置[/b]\n订阅：{subscribed}\n时间：{time}（{zone}）\n星期：{days}\n"
            "主题：{topics}\n公布答案：{reveal}\n语言：{lang}"
        ),
        "settings_reveal_hours": "发题后 {hours} 小时",
        "settings_reveal_next": "下一题发布时",
        "settings_stopped": "\n⚠️ 已停止发送：{reason}",
        "all_topics": "全部",
        "yes": "是",
        "no": "否",
        "saved": "已保存。",
        "group_only_private": "请在私聊中使用 /quiz：{link}",
        "owners_only": "这个命令只有机器人的所有者可以使用。",
        "reloaded": "题库已重新加载：{ready} 道可用题目，{drafts} 道草稿。",
        "reload_failed": "题库有问题，未加载（仍使用原题库）：\n{problems}",
        "stats": "📊 聊天 {chats}（订阅 {subscribed}）· 用户 {users} · 发题 {posts} · 作答 {attempts} · 题库 {ready} 道",
        "error": "抱歉，出了点问题，请稍后再试。",
        "question_gone": "这道题已从题库中移除。",
        "forget_prompt": (
            "🔒 [b]我保存的关于你的数据[/b]\n作答：{attempts} 条\n查看答案：{peeks} 条\n"
            "复习卡片：{cards} 张\n以及你的 Telegram 名字和语言代码。\n\n"
            "删除后无法恢复：所有群组的排行榜上都不再有你的成绩。题目和聊天设置保持不变。"
        ),
        "forget_nothing": "我没有保存任何关于你的数据。",
        "forget_button_yes": "删除我的数据",
        "forget_button_no": "取消",
        "forget_done": (
            "✅ 已删除 {total} 条数据：作答 {attempts} 条、查看答案 {peeks} 条、复习卡片 {cards} 张、"
            "个人资料（名字、语言）{users} 条。以后再作答会重新开始记录。"
        ),
        "forget_cancelled": "已取消，没有删除任何数据。",
        "forget_stale": "这个确认已经过期，下面是现在的数据：",
        "forget_private_only": "请在私聊中使用 /forget 查看并删除你的数据：{link}",
    },
    "en": {
        "start": "Hi {name}! I post a machine-learning interview question every day.\n\n{help}",
        "help": (
            "[b]Private chat[/b]\n/quiz practise one question (missed ones come back first)\n"
            "/answer show the reference answer\n/score your score\n"
            "/subscribe [HH:MM] [Area/City] one question a day\n/unsubscribe stop it\n"
            "/forget see and delete what I keep about you\n\n"
            "[b]Groups[/b]\nAn admin runs /subscribe 09:00 Europe/Berlin; answer by replying to the "
            "question or with “Answer privately”.\n/top [week|month|all] leaderboard\n/settings settings"
        ),
        "ask": "📝 [b]Question of the day[/b] · {topic}\n\n{question}",
        "ask_practice": "📝 [b]{label}[/b] · {topic}\n\n{question}\n\n[i]Send your answer.[/i]",
        "practice_new": "New question",
        "practice_review": "Review",
        "ask_private_focus": (
            "📝 Answer privately:\n\n{question}\n\n[i]Send your answer here; it counts in the group.[/i]"
        ),
        "reply_hint": "Reply to this message to answer, or use the button to answer privately.",
        "button_private": "✍️ Answer privately",
        "button_answer": "💡 Show answer",
        "button_open_bot": "Open the bot",
        "verdict": "{mark} Coverage {coverage}, {points}/10 points{extra}",
        "hit": "✅ Covered: {items}",
        "missed": "❌ Missing: {items}",
        "contradicted": "⚠️ Stated the wrong way round: {items}",
        "note": "📌 Editor's note: {note}",
        "streak": "\n🔥 Streak: {streak}",
        "repeat": "\n(Your first answer was scored; this one is feedback only.)",
        "peeked": "\n(You saw the answer first, so no points for this one.)",
        "after_reveal": "\n(The answer is out, so this one scores no points.)",
        "choice_right": "✅ Right!",
        "choice_wrong": "❌ Not quite: the answer is {letter}.",
        "no_open_question": "There is no open question. Send /quiz for one!",
        "empty_answer": "I could not find an answer in that; please answer in words.",
        "answer_private": "💡 [b]Reference answer[/b]\n\n{answer}",
        "answer_forfeit_note": "\n\n[i]You looked before answering, so this question scores no points.[/i]",
        "answer_sent_private": "Sent the answer to {name} privately (no points on this one).",
        "answer_need_start": "{name}, open a private chat with me first and I will send you the answer.",
        "answer_already": "The answer is out: {link}",
        "answer_already_here": "The answer is out, see above.",
        "callback_sent": "Sent you the answer privately.",
        "reveal": "💡 [b]Reference answer[/b]\n\n{answer}",
        "summary": "📊 {answered} answered, average coverage {average}.{top}",
        "summary_none": "📊 Nobody answered this time.",
        "summary_top": "\n🏆 {rows}",
        "score": (
            "📈 [b]{name}[/b]\n{points} points · {answered} answered · average coverage {average} · "
            "streak {streak}"
        ),
        "top_title": "🏆 [b]Leaderboard[/b] ({period})",
        "top_empty": "🏆 Nobody has scored {period} yet.",
        "period_week": "this week",
        "period_month": "this month",
        "period_all": "all time",
        "top_row": "{rank}. {name} — {points} points ({answered} answered)",
        "subscribed": "✅ Subscribed: one question every day at {time} ({zone}). Next: {next}.",
        "unsubscribed": "The daily question is off.",
        "not_subscribed": "This chat is not subscribed.",
        "admins_only": "Sorry, only group admins can change the daily question.",
        "usage_subscribe": "Usage: /subscribe [HH:MM] [Area/City], e.g. /subscribe 09:00 Europe/Berlin\n{error}",
        "usage_top": "Usage: /top [week|month|all]",
        "usage_settings": (
            "Usage: /settings time 09:00 · zone Europe/Berlin · days mon,wed,fri · "
            "topics llm,cv (all for every topic) · reveal 12 (hours; 0 = at the next post) · "
            "lang zh|en\n{error}"
        ),
        "settings": (
            "⚙️ [b]Settings[/b]\nSubscribed: {subscribed}\nTime: {time} ({zone})\nDays: {days}\n"
            "Topics: {topics}\nAnswer revealed: {reveal}\nLanguage: {lang}"
        ),
        "settings_reveal_hours": "{hours} h after the post",
        "settings_reveal_next": "at the next post",
        "settings_stopped": "\n⚠️ Stopped: {reason}",
        "all_topics": "all",
        "yes": "yes",
        "no": "no",
        "saved": "Saved.",
        "group_only_private": "Use /quiz in a private chat: {link}",
        "owners_only": "Only the bot's owners can use this command.",
        "reloaded": "Bank reloaded: {ready} ready questions, {drafts} drafts.",
        "reload_failed": "The bank has problems and was not loaded (the old one stays):\n{problems}",
        "stats": (
            "📊 chats {chats} (subscribed {subscribed}) · users {users} · posts {posts} · "
            "answers {attempts} · bank {ready} questions"
        ),
        "error": "Sorry, something went wrong. Please try again later.",
        "question_gone": "That question is no longer in the bank.",
        "forget_prompt": (
            "🔒 [b]What I keep about you[/b]\nAnswers: {attempts}\nRevealed answers: {peeks}\n"
            "Review cards: {cards}\nand your Telegram name and language code.\n\n"
            "Deleting cannot be undone: your scores leave every group's leaderboard. "
            "Questions and chat settings stay."
        ),
        "forget_nothing": "I keep nothing about you.",
        "forget_button_yes": "Delete my data",
        "forget_button_no": "Cancel",
        "forget_done": (
            "✅ Deleted {total} rows: {attempts} answers, {peeks} revealed answers, "
            "{cards} review cards and {users} profile (name, language). Answering again starts afresh."
        ),
        "forget_cancelled": "Cancelled; nothing was deleted.",
        "forget_stale": "That confirmation had expired; here is what I keep now:",
        "forget_private_only": "Use /forget in a private chat to see and delete your data: {link}",
    },
}


def language_of(chat_language: str | None, user_language: str | None, default: str) -> str:
    """The chat's language, else the user's Telegram language if zh or en, else the default."""
    if chat_language in TEXTS:
        return chat_language  # type: ignore[return-value]
    if user_language:
        short = user_language.split("-")[0].lower()
        if short in TEXTS:
            return short
    return default if default in TEXTS else "zh"


def render(
    language: str,
    key: str,
    literal: Callable[[str], str],
    emphasis: Mapping[str, tuple[str, str]],
    values: Mapping[str, object],
) -> str:
    """The text for `key` in `language`: its own words passed through `literal` (the adapter's
    escaping), its [b]/[i] tokens as `emphasis` gives them, then the values (already escaped
    by the caller) filled in."""
    template = TEXTS.get(language, TEXTS["zh"])[key]
    pieces = EMPHASIS.split(template)
    out: list[str] = []
    for index in range(0, len(pieces), 3):
        out.append(literal(pieces[index]))
        if index + 2 < len(pieces):
            closing, style = pieces[index + 1], pieces[index + 2]
            out.append(emphasis[style][1 if closing else 0])
    return "".join(out).format(**values)

"""Keyword lists: an answer that only strings bare terms together ("QKV，点积，缩放，softmax")
names the vocabulary without saying how it fits, so it earns half its coverage."""

from __future__ import annotations

import re

from bot.quiz.grading.tokens import CJK

MIN_FRAGMENTS = 5
BARE_SHARE = 0.8
MAX_BARE_CJK = 6
MAX_BARE_WORDS = 3
_FRAGMENT = re.compile(r"[，,、;；\n|]+|(?<=\s)/(?=\s)")
_BULLET = re.compile(r"^\s*(?:[-*•·]|\d+[.)、]|[（(]?\d+[)）])\s*")
# A fragment that states a relation is not bare: "x = y", "A → B", "MHA：h 组"; a setting such
# as "r=8" only names a value.
_RELATION = re.compile(r"[:：=→⇒<>≤≥]|->")
_SETTING = re.compile(r"^\w{1,3}\s*=\s*[\w.]{1,4}$")
# Questions that ask for a list ("有哪些？") accept a list; those asking why or how do not.
_ENUMERATION = re.compile(r"有哪些|哪几种|哪几类|列举|分别是|list the|name the", re.IGNORECASE)
# A question that also asks what something is (or to write it out) wants a definition: a list
# with no statement at all ("输入区域，堆叠卷积，下采样…" for "什么是感受野？有哪些方法…") gives none.
_DEFINITION = re.compile(r"什么是|是什么|写出|\bwhat is\b|\bwrite (?:down|out)\b", re.IGNORECASE)
_REASONING = re.compile(
    r"为什么|为何|如何|怎么|怎样|区别|原因|作用|推导|证明|比较|优缺点|\bwhy\b|\bhow\b",
    re.IGNORECASE,
)


def _bare(fragment: str) -> bool:
    if _RELATION.search(fragment) and not _SETTING.match(fragment):
        return False
    cjk = len(CJK.findall(fragment))
    words = [w for w in CJK.sub(" ", fragment).split() if any(c.isalnum() for c in w)]
    # A mixed fragment spends both budgets: "因为 update 的 intrinsic rank 低" is a statement.
    return cjk / MAX_BARE_CJK + len(words) / MAX_BARE_WORDS <= 1


def is_keyword_list(question: str, answer: str) -> bool:
    """True when the answer is a list of bare terms and the question asks more than a list."""
    listing = _ENUMERATION.search(question) is not None and not _REASONING.search(question)
    if listing and _DEFINITION.search(question) is None:
        return False
    fragments = [_BULLET.sub("", f).strip() for f in _FRAGMENT.split(answer)]
    fragments = [f for f in fragments if f]
    if len(fragments) < MIN_FRAGMENTS:
        return False
    if listing:
        return all(map(_bare, fragments))
    return sum(map(_bare, fragments)) >= BARE_SHARE * len(fragments)

"""Whether a term found in a clause is stated as negated ("不需要预训练", "without pretraining")."""

from __future__ import annotations

import re

from bot.quiz.grading.tokens import CJK_CLASS, Clause, is_cjk

# Cues that negate what follows up to the end of their clause, or to a word that starts another
# statement ("并不能让模型关注不同的表示子空间", but not "不需要预训练也能收敛").
_CJK_CUES = (
    "不需要",
    "不需",
    "无需",
    "无须",
    "不用",
    "不必",
    "并没有",
    "不是",
    "并非",
    "而非",
    "并不",
    "不会",
    "不能",
    "无法",
    "不再",
    "不包括",
    "不依赖",
    "不要求",
    "不涉及",
    "不存在",
    "不具备",
    "不具有",
    "与其",
    "而不是",
    "不保证",
    "不做",
    "不进行",
    "不一定",
    "未必",
    "不要",
    "不应",
    "不该",
    "切勿",
)
# Cues that negate a noun phrase, so only a few characters ahead: "没有残差连接时梯度消失".
_CJK_NOMINAL_CUES = ("没有", "缺乏", "缺少")
CJK_NOMINAL_GAP = 4
# Where a negation's scope ends inside a clause: a condition, a consequence, a new statement.
_CJK_SCOPE_END = re.compile(
    "时|的话|则|就|才|所以|因此|因而|导致|使得|从而|而|但|且|也|还|因为|由于|如果|不如|只要|只需"
)
# Two negations make an affirmation: "不能不做多重比较校正", "不得不重算激活"; not when the second 不
# starts a word of its own ("不会不断过拟合", "没有不同").
_CJK_DOUBLE = re.compile(
    "(?:不能|不得|不可|不会|没有|并非|不是|无法|没法)不(?![断同停少久止足仅但光错])"
)
# Single characters that negate only when they touch the term: "不收敛", "无偏", "非线性".
_CJK_TOUCHING = frozenset("不没无非未")
# Words after a cue that make it "not only" or "regardless", not a negation.
_CJK_NOT_NEGATING = ("仅", "只", "但", "光", "单", "论", "管", "断", "少", "错", "久", "常")
# After any cue, "only" makes it "not only": "不是只有", "并不仅仅".
_CJK_ONLY = ("仅", "只", "光", "单")
# Cues after the term: "正态性不是必需的".
_CJK_AFTER = (
    "不是必须",
    "不是必需",
    "不必要",
    "非必需",
    "非必须",
    "没有必要",
    "并非必要",
    "不是必要",
)
# One of them starting within the first three characters after the term.
_CJK_AFTER_NEAR = re.compile(f"(?s).{{0,2}}(?:{'|'.join(_CJK_AFTER)})")
_LATIN_CUES = frozenset({"not", "never", "nor", "neither"})
# Cues that negate a noun phrase: "without (large scale) pretraining".
_LATIN_NOMINAL_CUES = frozenset({"no", "without", "lacks", "lack"})
_LATIN_PAIRS = frozenset({("rather", "than"), ("instead", "of"), ("free", "of")})
LATIN_NOMINAL_GAP = 2
_LATIN_SCOPE_END = frozenset(
    {
        "so",
        "because",
        "which",
        "when",
        "if",
        "then",
        "thus",
        "therefore",
        "hence",
        "since",
        "and",
        "while",
        "whereas",
        "as",
        "unless",
        "until",
        "otherwise",
    }
)
# A term as the subject of a negated predicate: "空洞卷积不能增大感受野", "dropout does not help".
# The predicate must follow, so a bare "ReLU 不会" (contrasting with the clause before) is left alone.
_CJK_SUBJECT_NEGATION = re.compile(
    f"^[也都并就却还]?(?:不能|不会|无法|不可以|没法|不再)[{CJK_CLASS}]"
)
# A term stated as no problem: "对密集小目标没有问题".
# The problem may follow the rest of its noun phrase: "对密集的小目标没有问题" denies 密集 too.
_CJK_NO_PROBLEM = re.compile(
    f"^[{CJK_CLASS}]{{0,4}}?[也都并就却还]?(?:没有问题|没问题|不成问题|不是问题)"
)
# Contractions arrive expanded ("can't" -> "ca not", "doesn't" -> "does not").
_LATIN_AUXILIARIES = frozenset({"does", "do", "did", "can", "ca", "will", "wo", "could", "would"})
_LATIN_NOT_NEGATING = frozenset({"only", "just", "merely", "simply", "matter", "longer"})
_LATIN_AFTER = (
    ("is", "not", "required"),
    ("is", "not", "needed"),
    ("is", "not", "necessary"),
    ("are", "not", "required"),
    ("are", "not", "needed"),
    ("not", "required"),
    ("not", "needed"),
    ("is", "unnecessary"),
    ("unnecessary",),
)


def _cjk_negates(cue: str, gap: str) -> bool:
    if gap.startswith(_CJK_ONLY) or (cue.endswith("不") and gap.startswith(_CJK_NOT_NEGATING)):
        return False
    if cue in _CJK_NOMINAL_CUES:
        return len(gap) <= CJK_NOMINAL_GAP
    return _CJK_SCOPE_END.search(gap) is None


def _cjk_before(before: str, first: str) -> bool:
    if "不" in before:
        before = _CJK_DOUBLE.sub(lambda m: "须" * len(m.group(0)), before)
    for cue in (*_CJK_CUES, *_CJK_NOMINAL_CUES):
        at = before.rfind(cue)
        if at >= 0 and _cjk_negates(cue, before[at + len(cue) :]):
            return True
    return before[-1] in _CJK_TOUCHING and first not in _CJK_NOT_NEGATING


def _latin_before(tokens: tuple[str, ...]) -> bool:
    """True when a Latin cue before the term still has it in its scope."""
    for index in range(len(tokens) - 1, -1, -1):
        token = tokens[index]
        if is_cjk(token) or token in _LATIN_SCOPE_END:
            return False
        following = tokens[index + 1] if index + 1 < len(tokens) else ""
        if following in _LATIN_NOT_NEGATING:
            continue
        gap = len(tokens) - index - 1
        if token in _LATIN_CUES or (token, following) in _LATIN_PAIRS:
            return True
        if token in _LATIN_NOMINAL_CUES and gap <= LATIN_NOMINAL_GAP:
            return True
    return False


def _after(clause: Clause, end: int) -> bool:
    rest = clause.text[end : end + 12]
    if _CJK_AFTER_NEAR.match(rest):
        return True
    if _CJK_SUBJECT_NEGATION.match(rest) or _CJK_NO_PROBLEM.match(rest):
        return True
    following = clause.tokens[clause.token_at(end) :][:4] if end < len(clause.text) else ()
    if following and clause.starts[clause.token_at(end)] < end:
        following = following[1:]
    if any(following[: len(cue)] == cue for cue in _LATIN_AFTER):
        return True
    return _latin_subject_negation(following)


def _latin_subject_negation(following: tuple[str, ...]) -> bool:
    """True when the words after a term deny what it does: "does not help", "cannot", "never"."""
    if len(following) >= 3 and following[0] in _LATIN_AUXILIARIES:
        return following[1] in {"not", "never"}
    # A bare "not" after a term opens a contrast ("LayerNorm not BatchNorm"), so it needs a verb.
    return len(following) >= 2 and following[0] in {"never", "cannot"}


def stated_negated(clause: Clause, start: int, end: int, last: int) -> bool:
    """True when a found term is negated: before it, after it, or (for "A…B") just before B."""
    return negated(clause, start, end) or (last > start and negated(clause, last, end))


def negated(clause: Clause, start: int, end: int) -> bool:
    """True when the words just before (or a "not required" just after) negate the span."""
    before = clause.text[:start]
    if before and (
        _cjk_before(before, clause.text[start])
        or _latin_before(clause.tokens[: clause.token_at(start)])
    ):
        return True
    return _after(clause, end)


_DENIAL = re.compile(
    r"避免|防止|不(?![同断仅少久论管过但变]|一致)|非(?![常])|无需|无须|没有|免去|省去|减少|降低|\b(?:avoid|avoids|prevent|no|not|without|reduce|reduces|fewer|less)\b"
)


# "与归一化常数无关" denies a dependence, but only as the whole point: in "置换等变、与顺序无关"
# the permutation is stated, and in "H(p) 与模型无关是常数" the constant.
_INDEPENDENCE = re.compile(r"^[^、，,;；]*无关$|^independent of [^,;]*$")


def is_denial(point: str) -> bool:
    """True when a key point itself says something is absent or avoided ("不需要 NMS")."""
    folded = point.casefold()
    if _DENIAL.search(folded) is not None:
        return True
    return _INDEPENDENCE.match(folded.strip()) is not None

"""One question of the bank checked field by field and built into a Question."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from bot.quiz.bank.data import Data, Where, value_of
from bot.quiz.bank.fast_read import check_term, checked_value
from bot.quiz.bank.source import Findings, Source
from bot.quiz.limits import ALL as LIMITS
from bot.quiz.model import KeyPoint, Kind, Question, Status
from bot.quiz.text import SURELY_KEPT, compact

ID_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$")
TAG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,31}$")

# What a choice question must fit on every platform (bot/quiz/limits.py), checked at load time.
POLL_QUESTION_MAX = LIMITS.choice_question_chars
POLL_OPTION_MAX = LIMITS.option_chars
POLL_EXPLANATION_MAX = LIMITS.explanation_chars
POLL_OPTIONS_MIN = LIMITS.options_min
POLL_OPTIONS_MAX = LIMITS.options_max
# A posted question carries a heading and the topic: keep room for them within a message.
QUESTION_MAX = LIMITS.message_chars - 200

COMMON_FIELDS = frozenset(
    {"id", "kind", "question", "answer", "tags", "difficulty", "source", "status", "note", "wrong"}
)
KIND_FIELDS: Mapping[Kind, frozenset[str]] = {
    Kind.OPEN: frozenset({"key_points"}),
    Kind.SHORT: frozenset({"accept"}),
    Kind.CHOICE: frozenset({"choices", "correct", "explanation"}),
}
KEY_POINT_FIELDS = frozenset({"point", "aliases", "weight", "required", "wrong"})


def normalises_to_nothing(text: str) -> bool:
    """True when `compact` leaves nothing of the text."""
    return SURELY_KEPT.search(text) is None and not compact(text)


_ALLOWED_FIELDS: Mapping[Kind | None, frozenset[str]] = {
    None: COMMON_FIELDS,
    **{kind: COMMON_FIELDS | names for kind, names in KIND_FIELDS.items()},
}
_KINDS: Mapping[object, Kind] = {kind.value: kind for kind in Kind}
_STATUSES: Mapping[object, Status] = {status.value: status for status in Status}
_PLAIN_KEY_POINT_FIELDS = frozenset({"point", "aliases"})
_surely_kept = SURELY_KEPT.search
_NO_ALIASES: list[Data] = []


def plain_key_points(items: list[Data], typed: bool) -> tuple[KeyPoint, ...] | None:
    """The key points when all are plainly valid: texts only, no weight, every term surely kept.

    Anything else (None) goes through `QuestionReader._key_point` one by one, which checks and
    reports. All in one loop: a bank has several key points per question, tens of thousands in all.
    """
    points: list[KeyPoint] = []
    for item in items:
        if type(item) is not dict or not item.keys() <= _PLAIN_KEY_POINT_FIELDS:
            return None
        point = item.get("point")
        aliases = item.get("aliases", _NO_ALIASES)
        if type(point) is not str or type(aliases) is not list:
            return None
        terms = [point.strip()]
        for alias in aliases:
            if type(alias) is not str:
                return None
            terms.append(alias.strip())
        for term in terms:
            if _surely_kept(term) is None:
                return None
            if typed:
                check_term(term)
        points.append(KeyPoint(terms[0], tuple(terms[1:])))
    return tuple(points)


class QuestionReader:
    """Validates one question mapping and builds the Question."""

    def __init__(self, findings: Findings, source: Source, index: int, item: Data) -> None:
        self.findings = findings
        self.source = source
        self.index = index
        self.item = item
        self.qid: str | None = None
        self.ok = True
        self.value: Callable[[Data | None], Any] = checked_value if source.typed else value_of

    def problem(
        self, message: str, *where: str | int, first_use: tuple[Source, Where] | None = None
    ) -> None:
        """Record a problem at `where` inside this question (the question itself when empty)."""
        self.ok = False
        at = ("questions", self.index, *where)
        self.findings.add(self.source, at, message, self.qid, first_use)

    def read(self) -> Question | None:
        """The question, or None when it has problems (they are recorded)."""
        fields = self.item
        if not isinstance(fields, dict):
            self.problem("each question must be a mapping with `id`, `kind`, ...")
            return None
        self.qid = self._id(fields.get("id"))
        kind = self._kind(fields.get("kind"))
        allowed = _ALLOWED_FIELDS[kind]
        for name in () if fields.keys() <= allowed else fields:
            if name not in allowed:
                owner = next((k for k, names in KIND_FIELDS.items() if name in names), None)
                if kind and owner:
                    self.problem(f"`{name}` belongs to {owner} questions, not {kind}", name)
                else:
                    self.problem(f"unknown field `{name}`", name)
        status = self._status(fields.get("status"))
        ready = status is Status.READY
        text = self._text(fields, "question", required=True)
        if len(text) > QUESTION_MAX:
            self.problem(
                f"the question has {len(text)} characters; a message holds at most "
                f"{QUESTION_MAX} with the bot's own words around it",
                "question",
            )
        answer = self._text(fields, "answer", required=ready)
        tags = self._tags(fields.get("tags"))
        difficulty = self._difficulty(fields.get("difficulty"))
        source = self._text(fields, "source", required=False) or None
        note = self._text(fields, "note", required=False) or None
        wrong = self._wrong(fields.get("wrong"))
        if kind is None or self.qid is None:
            return None
        key_points: tuple[KeyPoint, ...] = ()
        accept: tuple[str, ...] = ()
        choices: tuple[str, ...] = ()
        correct: int | None = None
        explanation: str | None = None
        if kind is Kind.OPEN:
            key_points = self._key_points(fields.get("key_points"), ready)
        elif kind is Kind.SHORT:
            accept = self._accept(fields.get("accept"))
        else:
            choices, correct, explanation = self._choice(fields, text)
        if not self.ok:
            return None
        return Question(
            id=self.qid,
            kind=kind,
            question=text,
            answer=answer,
            tags=tags,
            difficulty=difficulty,
            status=status,
            source=source,
            key_points=key_points,
            accept=accept,
            choices=choices,
            correct=correct,
            explanation=explanation,
            note=note,
            wrong=wrong,
            origin=f"{self.source.path}:{self.source.lines[id(fields)]}",
        )

    def _id(self, item: Data | None) -> str | None:
        if item is None:
            self.problem("missing field `id`")
            return None
        value = self.value(item)
        if not isinstance(value, str) or not ID_PATTERN.match(value):
            self.problem(
                f"`id` must be a slug of lowercase letters, digits and dashes "
                f"(at most 48 characters), not {value!r}",
                "id",
            )
            return None
        first = self.findings.seen_ids.get(value)
        if first is not None:
            self.qid = value
            self.problem(f"duplicate id `{value}`", "id", first_use=first)
            return None
        self.findings.seen_ids[value] = (self.source, ("questions", self.index, "id"))
        return value

    def _kind(self, item: Data | None) -> Kind | None:
        if item is None:
            self.problem("missing field `kind` (open, short or choice)")
            return None
        value = self.value(item)
        kind = _KINDS.get(value)
        if kind is None:
            self.problem(f"`kind` must be open, short or choice, not {value!r}", "kind")
        return kind

    def _status(self, item: Data | None) -> Status:
        if item is None:
            return Status.READY
        value = self.value(item)
        status = _STATUSES.get(value)
        if status is None:
            self.problem(f"`status` must be ready or draft, not {value!r}", "status")
            return Status.DRAFT
        return status

    def _text(self, fields: dict[str, Data], name: str, *, required: bool) -> str:
        item = fields.get(name)
        if item is None:
            if required:
                self.problem(f"missing field `{name}`")
            return ""
        value = self.value(item)
        if value is None and not required:
            return ""
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            self.problem(f"`{name}` must be text", name)
            return ""
        text = str(value).strip()
        if required and not text:
            self.problem(f"`{name}` is empty", name)
        return text

    def _tags(self, item: Data | None) -> tuple[str, ...]:
        if item is None:
            return ()
        if not isinstance(item, list):
            self.problem("`tags` must be a list of lowercase slugs", "tags")
            return ()
        tags: list[str] = []
        for index, entry in enumerate(item):
            value = self.value(entry)
            if not isinstance(value, str) or not TAG_PATTERN.match(value):
                message = f"tag {value!r} must be a lowercase slug (letters, digits, -)"
                self.problem(message, "tags", index)
            elif value not in tags:
                tags.append(value)
        return tuple(tags)

    def _difficulty(self, item: Data | None) -> int:
        if item is None:
            return 2
        value = self.value(item)
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 3:
            self.problem(f"`difficulty` must be 1, 2 or 3, not {value!r}", "difficulty")
            return 2
        return value

    def _strings(self, item: Data, *where: str | int) -> list[tuple[str, int]]:
        """The stripped texts of the list at `where` (whose last step names it), with indexes."""
        name = where[-1]
        if not isinstance(item, list):
            self.problem(f"`{name}` must be a list of texts", *where)
            return []
        texts: list[tuple[str, int]] = []
        for index, entry in enumerate(item):
            value = self.value(entry)
            if isinstance(value, bool) or not isinstance(value, str | int | float):
                self.problem(f"each entry of `{name}` must be a text", *where, index)
            else:
                texts.append((str(value).strip(), index))
        return texts

    def _term(self, text: str, name: str, *where: str | int) -> bool:
        if not normalises_to_nothing(text):
            return True
        message = f"{name} {text!r} normalises to nothing (only spaces, punctuation or symbols)"
        self.problem(message, *where)
        return False

    def _key_points(self, item: Data | None, ready: bool) -> tuple[KeyPoint, ...]:
        if item is None or (isinstance(item, list) and not item):
            if ready:
                where = () if item is None else ("key_points",)
                self.problem("an open question needs at least one key point", *where)
            return ()
        if not isinstance(item, list):
            self.problem("`key_points` must be a list of {point, aliases, weight}", "key_points")
            return ()
        plain = plain_key_points(item, self.source.typed)
        if plain is not None:
            return plain
        points: list[KeyPoint] = []
        for index, entry in enumerate(item):
            point = self._key_point(entry, index)
            if point is not None:
                points.append(point)
        return tuple(points)

    def _key_point(self, item: Data, index: int) -> KeyPoint | None:
        where = ("key_points", index)
        if not isinstance(item, dict):
            self.problem("each key point must be a mapping with `point` and `aliases`", *where)
            return None
        for name in item:
            if name not in KEY_POINT_FIELDS:
                self.problem(f"unknown key point field `{name}`", *where, name)
        point_item = item.get("point")
        point = None if point_item is None else self.value(point_item)
        if point_item is None or not isinstance(point, str | int | float) or not str(point).strip():
            at = where if point_item is None else (*where, "point")
            self.problem("a key point needs a non-empty `point`", *at)
            return None
        point = str(point).strip()
        ok = self._term(point, "key point", *where, "point")
        aliases: list[str] = []
        if "aliases" in item:
            for alias, alias_index in self._strings(item["aliases"], *where, "aliases"):
                ok = self._term(alias, "alias", *where, "aliases", alias_index) and ok
                aliases.append(alias)
        wrong: list[str] = []
        if "wrong" in item:
            for term, term_index in self._strings(item["wrong"], *where, "wrong"):
                ok = self._term(term, "wrong term", *where, "wrong", term_index) and ok
                wrong.append(term)
        required = False
        if "required" in item:
            raw_required = self.value(item["required"])
            if not isinstance(raw_required, bool):
                self.problem("`required` must be true or false", *where, "required")
                ok = False
            else:
                required = raw_required
        weight = 1.0
        if "weight" in item:
            raw = self.value(item["weight"])
            if isinstance(raw, bool) or not isinstance(raw, int | float) or not 0 < raw <= 10:
                self.problem(f"`weight` must be a number in (0, 10], not {raw!r}", *where, "weight")
                ok = False
            else:
                weight = float(raw)
        if not ok:
            return None
        return KeyPoint(
            point=point,
            aliases=tuple(aliases),
            weight=weight,
            required=required,
            wrong=tuple(wrong),
        )

    def _wrong(self, item: Data | None) -> tuple[str, ...]:
        if item is None:
            return ()
        return tuple(text for text, _ in self._strings(item, "wrong") if text)

    def _accept(self, item: Data | None) -> tuple[str, ...]:
        if item is None:
            self.problem("a short question needs `accept`, the accepted answers")
            return ()
        accepted = self._strings(item, "accept")
        if not accepted and isinstance(item, list):
            self.problem("`accept` is empty", "accept")
        return tuple(
            text for text, index in accepted if self._term(text, "accepted answer", "accept", index)
        )

    def _choice(
        self, fields: dict[str, Data], question: str
    ) -> tuple[tuple[str, ...], int | None, str | None]:
        if len(question) > POLL_QUESTION_MAX:
            self.problem(
                f"a choice question is a Telegram quiz poll: at most {POLL_QUESTION_MAX} "
                f"characters, this one has {len(question)}",
                "question",
            )
        item = fields.get("choices")
        if item is None:
            self.problem("a choice question needs `choices`")
            return (), None, None
        options = self._strings(item, "choices")
        if isinstance(item, list) and not POLL_OPTIONS_MIN <= len(item) <= POLL_OPTIONS_MAX:
            self.problem(
                f"a quiz poll has {POLL_OPTIONS_MIN} to {POLL_OPTIONS_MAX} options, "
                f"not {len(item)}",
                "choices",
            )
        for text, index in options:
            if not text:
                self.problem("an option is empty", "choices", index)
            elif len(text) > POLL_OPTION_MAX:
                self.problem(
                    f"option {text[:20]!r}... has {len(text)} characters; "
                    f"an option (a Telegram poll option, a Discord button) holds at most "
                    f"{POLL_OPTION_MAX}",
                    "choices",
                    index,
                )
        texts = tuple(text for text, _ in options)
        if len({compact(t) for t in texts}) != len(texts):
            self.problem("two options are the same after normalisation", "choices")
        correct: int | None = None
        correct_item = fields.get("correct")
        if correct_item is None:
            self.problem("a choice question needs `correct`, the right option's index")
        else:
            raw = self.value(correct_item)
            if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw < len(texts):
                self.problem(
                    f"`correct` must be an option index from 0 to {max(len(texts) - 1, 0)}, "
                    f"not {raw!r}",
                    "correct",
                )
            else:
                correct = raw
        explanation = self._text(fields, "explanation", required=False) or None
        if explanation and len(explanation) > POLL_EXPLANATION_MAX:
            self.problem(
                f"`explanation` has {len(explanation)} characters; "
                f"a quiz poll explanation holds at most {POLL_EXPLANATION_MAX}",
                "explanation",
            )
        if explanation and explanation.count("\n") > LIMITS.explanation_line_feeds:
            self.problem(
                f"`explanation` has {explanation.count(chr(10))} line breaks; a quiz poll "
                f"explanation holds at most {LIMITS.explanation_line_feeds}",
                "explanation",
            )
        return texts, correct, explanation

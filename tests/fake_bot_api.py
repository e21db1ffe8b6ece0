"""A faithful fake Telegram Bot API server for end-to-end tests and benchmarks."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import json
import logging
import math
import multiprocessing
import os
import re
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from multiprocessing.connection import Connection
from pathlib import Path
from types import TracebackType
from typing import Any, Concatenate, Final, Literal, ParamSpec, Self, TypeVar, overload

from aiohttp import web

__all__ = [
    "GROUP_ANONYMOUS_BOT_ID",
    "BotApiSpec",
    "FakeBotApi",
    "FakeBotApiProcess",
    "Fault",
    "Injection",
    "RateLimits",
    "RecordedRequest",
]

JSON = dict[str, Any]
_T = TypeVar("_T")
_P = ParamSpec("_P")

_LOGGER: Final = logging.getLogger(__name__)

GROUP_ANONYMOUS_BOT_ID: Final = 1087968824
_GROUP_ANONYMOUS_BOT: Final[JSON] = {
    "id": GROUP_ANONYMOUS_BOT_ID,
    "is_bot": True,
    "first_name": "Group",
    "username": "GroupAnonymousBot",
}
_SPEC_ENV: Final = "FAKE_BOT_API_SPEC"
_SPEC_CANDIDATES: Final = (
    Path(__file__).with_name("bot_api.json"),
    Path(__file__).parent / "e2e" / "api.json",
    # CI clones the repository with ../shared beside it.
    Path(__file__).resolve().parents[2] / "shared" / "telegram-bot-api" / "api.json",
    Path("/work/shared/telegram-bot-api/api.json"),
)
_TOKEN_RE: Final = re.compile(r"\d+:[A-Za-z0-9_-]+")
_SUPERGROUP_MIN_ID: Final = -1_000_000_000_000
_DEFAULT_EXCLUDED_UPDATES: Final = frozenset(
    {"chat_member", "message_reaction", "message_reaction_count"}
)
_CHAT_ACTIONS: Final = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_BUTTON_ACTIONS: Final = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_MESSAGE_METHODS: Final = frozenset({"sendMessage", "sendPoll"})
_CALLBACK_QUERY_TTL: Final = 15.0
_NOT_MODIFIED: Final = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
# PTB's shared send helper fills these from ``ext.Defaults`` even for methods that lack them
# (editMessageText, editMessageReplyMarkup, sendPoll); Telegram ignores unknown parameters, so
# they are dropped instead of rejected. Every other unknown parameter is a 400.
_PTB_DEFAULTS_NOISE: Final = frozenset({"parse_mode", "disable_notification", "protect_content"})
# Inputs the Bot API accepts although api.json does not spell them out.
_EXTRA_INPUT_TYPES: Final[Mapping[tuple[str, str], tuple[str, ...]]] = {
    ("sendPoll", "options"): ("Array of String",),
}


class _ApiError(Exception):
    """A Bot API error answer."""

    def __init__(
        self,
        status: int,
        description: str,
        *,
        retry_after: int | None = None,
        migrate_to_chat_id: int | None = None,
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after
        self.migrate_to_chat_id = migrate_to_chat_id

    def body(self) -> JSON:
        """Return the JSON error body Telegram would send."""
        body: JSON = {"ok": False, "error_code": self.status, "description": self.description}
        parameters: JSON = {}
        if self.retry_after is not None:
            parameters["retry_after"] = self.retry_after
        if self.migrate_to_chat_id is not None:
            parameters["migrate_to_chat_id"] = self.migrate_to_chat_id
        if parameters:
            body["parameters"] = parameters
        return body


def _bad(description: str) -> _ApiError:
    """Build a 400 Bad Request error."""
    return _ApiError(400, f"Bad Request: {description}")


# --------------------------------------------------------------------------------------------
# api.json
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One field of a Bot API method or type."""

    name: str
    types: tuple[str, ...]
    required: bool


@dataclass(frozen=True, slots=True)
class TypeSpec:
    """One Bot API type: either fields or a union of subtypes."""

    name: str
    fields: Mapping[str, FieldSpec]
    subtypes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class MethodSpec:
    """One Bot API method."""

    name: str
    fields: Mapping[str, FieldSpec]
    returns: tuple[str, ...]


def _fields(raw: Iterable[Mapping[str, Any]]) -> dict[str, FieldSpec]:
    """Convert api.json field entries."""
    return {f["name"]: FieldSpec(f["name"], tuple(f["types"]), bool(f["required"])) for f in raw}


class BotApiSpec:
    """The machine-readable Bot API description (api.json) with validators."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.version: str = str(data.get("version", ""))
        self.methods: dict[str, MethodSpec] = {
            name: MethodSpec(name, _fields(m.get("fields", ())), tuple(m.get("returns", ())))
            for name, m in data["methods"].items()
        }
        self.types: dict[str, TypeSpec] = {
            name: TypeSpec(name, _fields(t.get("fields", ())), tuple(t.get("subtypes", ())))
            for name, t in data["types"].items()
        }
        self._by_lower = {name.lower(): name for name in self.methods}
        self.update_kinds: frozenset[str] = frozenset(self.types["Update"].fields) - {"update_id"}
        self.reaction_emoji: frozenset[str] = frozenset(
            re.findall(r'"([^"]+)"', _emoji_description(data))
        )

    @classmethod
    def load(cls, path: str | os.PathLike[str] | None = None) -> BotApiSpec:
        """Load api.json from ``path``, $FAKE_BOT_API_SPEC or the known locations."""
        candidates = [Path(path)] if path else []
        if not candidates and os.environ.get(_SPEC_ENV):
            candidates = [Path(os.environ[_SPEC_ENV])]
        candidates = candidates or list(_SPEC_CANDIDATES)
        for candidate in candidates:
            if candidate.is_file():
                return _load_spec(str(candidate.resolve()))
        raise FileNotFoundError(
            f"Bot API description (api.json) not found; tried {[str(c) for c in candidates]}; "
            f"set ${_SPEC_ENV} to its path"
        )

    def canonical_method(self, name: str) -> str | None:
        """Return the official spelling of a method name (Telegram ignores case)."""
        return self._by_lower.get(name.lower())

    def input_error(self, types: tuple[str, ...], value: Any, path: str) -> str | None:
        """Describe why ``value`` is not a valid input of ``types`` (None when it is)."""
        errors: list[str] = []
        for type_name in types:
            error = self._input_error(type_name, value, path)
            if error is None:
                return None
            errors.append(error)
        return max(errors, key=len) if errors else None

    def _input_error(self, type_name: str, value: Any, path: str) -> str | None:
        """Check one alternative of an input type."""
        if type_name.startswith("Array of "):
            if not isinstance(value, list):
                return f"{path} must be an Array"
            item_type = (type_name[len("Array of ") :],)
            for index, item in enumerate(value):
                error = self.input_error(item_type, item, f"{path}[{index}]")
                if error is not None:
                    return error
            return None
        primitive = _primitive_ok(type_name, value)
        if primitive is not None:
            return None if primitive else f"{path} must be {type_name}"
        spec = self.types.get(type_name)
        if spec is None or type_name == "InputFile":
            return None
        if spec.subtypes:
            return self.input_error(spec.subtypes, value, path)
        if not isinstance(value, dict):
            return f"{path} must be a {type_name} object"
        for spec_field in spec.fields.values():
            if spec_field.name in value:
                error = self.input_error(
                    spec_field.types, value[spec_field.name], f"{path}.{spec_field.name}"
                )
                if error is not None:
                    return error
            elif spec_field.required:
                return f'field "{spec_field.name}" of {type_name} is required in {path}'
        return None

    def output_errors(self, types: tuple[str, ...], value: Any, path: str = "result") -> list[str]:
        """List the ways ``value`` deviates from ``types`` (strict: unknown fields count)."""
        best: list[str] | None = None
        for type_name in types:
            errors = self._output_errors(type_name, value, path)
            if not errors:
                return []
            if best is None or len(errors) < len(best):
                best = errors
        return best or []

    def _output_errors(self, type_name: str, value: Any, path: str) -> list[str]:
        """Check one alternative of an output type."""
        if type_name.startswith("Array of "):
            if not isinstance(value, list):
                return [f"{path}: expected {type_name}, got {type(value).__name__}"]
            item_type = (type_name[len("Array of ") :],)
            errors: list[str] = []
            for index, item in enumerate(value):
                errors += self.output_errors(item_type, item, f"{path}[{index}]")
            return errors
        primitive = _primitive_ok(type_name, value)
        if primitive is not None:
            return [] if primitive else [f"{path}: expected {type_name}, got {value!r}"]
        spec = self.types.get(type_name)
        if spec is None:
            return [f"{path}: unknown type {type_name}"]
        if spec.subtypes:
            return self.output_errors(spec.subtypes, value, path)
        if not isinstance(value, dict):
            return [f"{path}: expected {type_name} object, got {type(value).__name__}"]
        errors = [f"{path}: unknown field {key!r} in {type_name}" for key in value]
        errors = [e for e, key in zip(errors, value, strict=True) if key not in spec.fields]
        for spec_field in spec.fields.values():
            if spec_field.name in value:
                errors += self.output_errors(
                    spec_field.types, value[spec_field.name], f"{path}.{spec_field.name}"
                )
            elif spec_field.required:
                errors.append(f"{path}: {type_name} misses required field {spec_field.name!r}")
        return errors


def _emoji_description(data: Mapping[str, Any]) -> str:
    """Return the description of ReactionTypeEmoji.emoji (it lists the allowed emoji)."""
    for spec_field in data["types"].get("ReactionTypeEmoji", {}).get("fields", ()):
        if spec_field["name"] == "emoji":
            return str(spec_field["description"])
    return ""


def _primitive_ok(type_name: str, value: Any) -> bool | None:
    """Check a primitive type; None when ``type_name`` is not primitive."""
    if type_name == "Integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if type_name == "String":
        return isinstance(value, str)
    if type_name == "Boolean":
        return isinstance(value, bool)
    if type_name == "Float":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if type_name == "True":
        return value is True
    return None


@lru_cache(maxsize=4)
def _load_spec(path: str) -> BotApiSpec:
    """Parse api.json once per process."""
    with open(path, encoding="utf-8") as handle:
        return BotApiSpec(json.load(handle))


# --------------------------------------------------------------------------------------------
# Text formatting (parse_mode) like tdlib does it
# --------------------------------------------------------------------------------------------


def _u16(text: str) -> int:
    """Length of ``text`` in UTF-16 code units."""
    return len(text) if text.isascii() else len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, index: int) -> int:
    """UTF-8 byte offset of ``text[index]``."""
    return len(text[:index].encode("utf-8"))


def _entities_error(detail: str) -> _ApiError:
    """Build the error Telegram sends for malformed markup."""
    return _bad(f"can't parse entities: {detail}")


def _entity(kind: str, offset: int, length: int, **extra: Any) -> JSON:
    """Build a MessageEntity dict."""
    entity: JSON = {"type": kind, "offset": offset, "length": length}
    entity.update({k: v for k, v in extra.items() if v is not None})
    return entity


_HTML_TAGS: Final = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
    "tg-time": "date_time",
}
_HTML_SPECIAL_RE: Final = re.compile(r"[<&]")
_HTML_ENTITY_RE: Final = re.compile(r"&(lt|gt|amp|quot|#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6});")
_HTML_NAMED: Final = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


def _html_entity_at(text: str, index: int) -> tuple[str, int] | None:
    """Decode an HTML entity starting at ``index``."""
    match = _HTML_ENTITY_RE.match(text, index)
    if match is None:
        return None
    name = match.group(1)
    if name in _HTML_NAMED:
        return _HTML_NAMED[name], match.end()
    code = int(name[2:], 16) if name[1] in "xX" else int(name[1:])
    if not 0 < code <= 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code), match.end()


def _parse_html(text: str) -> tuple[str, list[JSON]]:
    """Parse Telegram-flavoured HTML into plain text and entities."""
    out: list[str] = []
    pos = 0
    entities: list[JSON] = []
    stack: list[tuple[str, int, int, dict[str, str]]] = []  # tag, utf16 start, out index, attrs
    n = len(text)
    i = 0
    while i < n:
        match = _HTML_SPECIAL_RE.search(text, i)
        j = match.start() if match else n
        if j > i:
            chunk = text[i:j]
            out.append(chunk)
            pos += _u16(chunk)
            i = j
            if i >= n:
                break
        if text[i] == "&":
            decoded = _html_entity_at(text, i)
            char, i = decoded if decoded else ("&", i + 1)
            out.append(char)
            pos += _u16(char)
            continue
        begin = i
        if i + 1 < n and text[i + 1] == "/":
            i += 2
            while i < n and not text[i].isspace() and text[i] != ">":
                i += 1
            end_name = text[begin + 2 : i].lower()
            while i < n and text[i].isspace():
                i += 1
            if not stack:
                raise _entities_error(
                    f"Unexpected end tag at byte offset {_byte_offset(text, begin)}"
                )
            if i >= n or text[i] != ">":
                raise _entities_error(
                    f"Unclosed end tag at byte offset {_byte_offset(text, begin)}"
                )
            tag, start, out_index, attrs = stack.pop()
            if end_name and end_name != tag:
                raise _entities_error(
                    f"Unmatched end tag at byte offset {_byte_offset(text, begin)}, "
                    f'expected "</{tag}>", found "</{end_name}>"'
                )
            i += 1
            if pos > start:
                _close_html_entity(
                    entities, tag, start, pos - start, attrs, "".join(out[out_index:])
                )
            continue
        i += 1
        while i < n and not text[i].isspace() and text[i] != ">":
            i += 1
        if i >= n:
            raise _entities_error(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
        tag = text[begin + 1 : i].lower()
        if tag not in _HTML_TAGS:
            raise _entities_error(
                f'Unsupported start tag "{tag}" at byte offset {_byte_offset(text, begin)}'
            )
        attrs, i = _html_attributes(text, i, tag, begin)
        if tag == "span" and attrs.get("class") != "tg-spoiler":
            offset = _byte_offset(text, begin)
            raise _entities_error(
                f'Tag "span" must have class "tg-spoiler" at byte offset {offset}'
            )
        stack.append((tag, pos, len(out), attrs))
    if stack:
        raise _entities_error(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    return "".join(out), entities


def _html_attributes(text: str, i: int, tag: str, begin: int) -> tuple[dict[str, str], int]:
    """Parse the attributes of a start tag; return them and the index after '>'."""
    attrs: dict[str, str] = {}
    n = len(text)
    offset = _byte_offset(text, begin)
    while True:
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            raise _entities_error(f"Unclosed start tag at byte offset {offset}")
        if text[i] == ">":
            return attrs, i + 1
        name_start = i
        while i < n and not text[i].isspace() and text[i] not in "=>":
            i += 1
        name = text[name_start:i].lower()
        if not name:
            raise _entities_error(
                f'Empty attribute name in the tag "{tag}" at byte offset {offset}'
            )
        while i < n and text[i].isspace():
            i += 1
        if i >= n or text[i] != "=":
            if tag == "blockquote" and name == "expandable":
                attrs[name] = ""
                continue
            raise _entities_error(
                "Expected equal sign in declaration of an attribute of the tag "
                f'"{tag}" at byte offset {offset}'
            )
        i += 1
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            raise _entities_error(f"Unclosed start tag at byte offset {offset}")
        if text[i] in "'\"":
            quote = text[i]
            i += 1
            value: list[str] = []
            while i < n and text[i] != quote:
                decoded = _html_entity_at(text, i) if text[i] == "&" else None
                if decoded:
                    value.append(decoded[0])
                    i = decoded[1]
                else:
                    value.append(text[i])
                    i += 1
            if i >= n:
                raise _entities_error(f"Unclosed start tag at byte offset {offset}")
            i += 1
            attrs[name] = "".join(value)
        else:
            token_start = i
            while i < n and (text[i].isalnum() or text[i] in ".-"):
                i += 1
            if i < n and not text[i].isspace() and text[i] != ">":
                raise _entities_error(
                    f"Unexpected end of name token at byte offset {_byte_offset(text, token_start)}"
                )
            attrs[name] = text[token_start:i].lower()


def _close_html_entity(
    entities: list[JSON], tag: str, offset: int, length: int, attrs: dict[str, str], inner: str
) -> None:
    """Append the entity for a closed HTML tag."""
    kind = _HTML_TAGS[tag]
    if kind == "text_link":
        url = attrs.get("href") or inner
        if url and not any(ch.isspace() for ch in url):
            entities.append(_entity("text_link", offset, length, url=url))
    elif kind == "code":
        language = attrs.get("class", "")
        entity = _entity("code", offset, length)
        if language.startswith("language-"):
            entity["_language"] = language[len("language-") :]
        entities.append(entity)
    elif kind == "pre":
        last = entities[-1] if entities else None
        if (
            last is not None
            and last["type"] == "code"
            and last["offset"] == offset
            and last["length"] == length
            and "_language" in last
        ):
            entities[-1] = _entity("pre", offset, length, language=last["_language"])
        else:
            entities.append(_entity("pre", offset, length))
    elif kind == "blockquote":
        quote = "expandable_blockquote" if "expandable" in attrs else "blockquote"
        entities.append(_entity(quote, offset, length))
    elif kind == "custom_emoji":
        emoji_id = attrs.get("emoji-id", "")
        if not emoji_id.isdigit():
            raise _entities_error("Custom emoji entity must have a valid emoji-id attribute")
        entities.append(_entity("custom_emoji", offset, length, custom_emoji_id=emoji_id))
    elif kind == "date_time":
        unix = attrs.get("unix", "")
        if not unix.lstrip("-").isdigit():
            raise _entities_error('Tag "tg-time" must have a valid "unix" attribute')
        entities.append(
            _entity(
                "date_time",
                offset,
                length,
                unix_time=int(unix),
                date_time_format=attrs.get("format"),
            )
        )
    else:
        entities.append(_entity(kind, offset, length))


_MDV2_RESERVED: Final = "_*[]()~`>#+-=|{}.!"
_MDV2_NAMES: Final = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "text_link": "TextUrl",
    "code": "Code",
    "pre": "Pre",
    "custom_emoji": "CustomEmoji",
}
_MDV2_PLAIN_RE: Final = re.compile(r"[^_*\[\]()~`>#+\-=|{}.!\\\n]+")
_MDV2_CODE_PLAIN_RE: Final = re.compile(r"[^`\\\n]+")


def _escapable(text: str, index: int) -> bool:
    """True if ``text[index]`` may be escaped by a backslash."""
    return index < len(text) and 0 < ord(text[index]) <= 126


def _mdv2_is_end(kind: str, text: str, i: int) -> bool:
    """Decide whether the character at ``i`` closes the innermost MarkdownV2 entity."""
    c = text[i]
    nxt = text[i + 1] if i + 1 < len(text) else ""
    if kind == "bold":
        return c == "*"
    if kind == "italic":
        return c == "_" and nxt != "_"
    if kind == "underline":
        return c == "_" and nxt == "_"
    if kind == "strikethrough":
        return c == "~"
    if kind == "spoiler":
        return c == "|" and nxt == "|"
    if kind == "code":
        return c == "`"
    if kind == "pre":
        return text.startswith("```", i)
    return c == "]"


def _parse_markdown_v2(text: str) -> tuple[str, list[JSON]]:
    """Parse MarkdownV2 into plain text and entities (tdlib's rules)."""
    out: list[str] = []
    pos = 0
    entities: list[JSON] = []
    stack: list[tuple[str, str, int, int, int]] = []  # kind, language, start, begin, out index
    quote_start: int | None = None
    n = len(text)
    i = 0

    def reserved_error(char: str) -> _ApiError:
        return _entities_error(
            f"Character '{char}' is reserved and must be escaped with the preceding '\\'"
        )

    while i < n:
        c = text[i]
        if i == 0 or text[i - 1] == "\n":
            if c == ">" and not stack:
                if quote_start is None:
                    quote_start = pos
                i += 1
                continue
            if quote_start is not None:
                end = pos - 1 if i > 0 else pos
                if end > quote_start:
                    entities.append(_entity("blockquote", quote_start, end - quote_start))
                quote_start = None
        if c == "\\" and _escapable(text, i + 1):
            out.append(text[i + 1])
            pos += 1
            i += 2
            continue
        top = stack[-1][0] if stack else None
        in_code = top in ("code", "pre")
        reserved = "`" if in_code else _MDV2_RESERVED
        if c not in reserved:
            plain = (_MDV2_CODE_PLAIN_RE if in_code else _MDV2_PLAIN_RE).match(text, i)
            chunk = plain.group() if plain else c
            out.append(chunk)
            pos += _u16(chunk)
            i += len(chunk)
            continue
        if top is not None and _mdv2_is_end(top, text, i):
            kind, language, start, begin, out_index = stack.pop()
            skip = pos == start
            extra: JSON = {}
            if kind in ("underline", "spoiler"):
                i += 1
            elif kind == "pre":
                i += 2
                extra["language"] = language or None
            elif kind in ("text_link", "custom_emoji"):
                if i + 1 < n and text[i + 1] == "(":
                    i += 2
                    url_begin = i
                    url_chars: list[str] = []
                    while i < n and text[i] != ")":
                        if text[i] == "\\" and _escapable(text, i + 1):
                            url_chars.append(text[i + 1])
                            i += 2
                            continue
                        url_chars.append(text[i])
                        i += 1
                    if i >= n:
                        offset = _byte_offset(text, url_begin)
                        raise _entities_error(f"Can't find end of a URL at byte offset {offset}")
                    url = "".join(url_chars)
                else:
                    url = "".join(out[out_index:])
                if kind == "custom_emoji":
                    emoji = re.fullmatch(r"tg://emoji\?id=(\d+)", url)
                    if emoji is None:
                        raise _entities_error("Custom emoji entity must contain a tg://emoji URL")
                    extra["custom_emoji_id"] = emoji.group(1)
                elif url and not any(ch.isspace() for ch in url):
                    extra["url"] = url
                else:
                    skip = True
            if not skip:
                entities.append(_entity(kind, start, pos - start, **extra))
            i += 1
            continue
        begin = i
        language = ""
        if c == "_":
            if i + 1 < n and text[i + 1] == "_":
                kind = "underline"
                i += 1
            else:
                kind = "italic"
        elif c == "*":
            kind = "bold"
        elif c == "~":
            kind = "strikethrough"
        elif c == "|":
            if not (i + 1 < n and text[i + 1] == "|"):
                raise reserved_error(c)
            kind = "spoiler"
            i += 1
        elif c == "[":
            kind = "text_link"
        elif c == "`":
            if text.startswith("```", i):
                kind = "pre"
                i += 3
                language_end = i
                while language_end < n and not text[language_end].isspace():
                    if text[language_end] == "`":
                        break
                    language_end += 1
                if i != language_end and language_end < n and text[language_end] != "`":
                    language = text[i:language_end]
                    i = language_end
                if i < n and text[i] in "\r\n":
                    pair = i + 1 < n and text[i + 1] in "\r\n" and text[i] != text[i + 1]
                    i += 2 if pair else 1
                i -= 1
            else:
                kind = "code"
        elif c == "!" and i + 1 < n and text[i + 1] == "[":
            kind = "custom_emoji"
            i += 1
        else:
            raise reserved_error(c)
        stack.append((kind, language, pos, begin, len(out)))
        i += 1
    if stack:
        kind, language, _start, begin, _out = stack[-1]
        name = "PreCode" if kind == "pre" and language else _MDV2_NAMES[kind]
        raise _entities_error(
            f"Can't find end of {name} entity at byte offset {_byte_offset(text, begin)}"
        )
    if quote_start is not None and pos > quote_start:
        entities.append(_entity("blockquote", quote_start, pos - quote_start))
    return "".join(out), entities


def _parse_markdown(text: str) -> tuple[str, list[JSON]]:
    """Parse legacy Markdown into plain text and entities (tdlib's rules)."""
    out: list[str] = []
    pos = 0
    entities: list[JSON] = []
    n = len(text)
    i = 0
    while i < n:
        c = text[i]
        if c == "\\" and i + 1 < n and text[i + 1] in "_*`[":
            out.append(text[i + 1])
            pos += 1
            i += 2
            continue
        if c not in "_*`[":
            out.append(c)
            pos += _u16(c)
            i += 1
            continue
        begin = i
        end_char = "]" if c == "[" else c
        is_pre = False
        language = ""
        i += 1
        if c == "`" and text.startswith("``", i):
            i += 2
            is_pre = True
            language_end = i
            while language_end < n and not text[language_end].isspace():
                if text[language_end] == "`":
                    break
                language_end += 1
            if i != language_end and language_end < n and text[language_end] != "`":
                language = text[i:language_end]
                i = language_end
            if i < n and text[i] in "\r\n":
                pair = i + 1 < n and text[i + 1] in "\r\n" and text[i] != text[i + 1]
                i += 2 if pair else 1
        start = pos
        while i < n and (text[i] != end_char or (is_pre and not text.startswith("``", i + 1))):
            out.append(text[i])
            pos += _u16(text[i])
            i += 1
        if i >= n:
            raise _entities_error(
                f"Can't find end of the entity starting at byte offset {_byte_offset(text, begin)}"
            )
        if pos > start:
            length = pos - start
            if c == "_":
                entities.append(_entity("italic", start, length))
            elif c == "*":
                entities.append(_entity("bold", start, length))
            elif c == "[":
                if i + 1 < n and text[i + 1] == "(":
                    url_end = text.find(")", i + 2)
                    url_end = n if url_end < 0 else url_end
                    url = text[i + 2 : url_end]
                    i = url_end
                else:
                    url = text[begin + 1 : i]
                if url and not any(ch.isspace() for ch in url):
                    entities.append(_entity("text_link", start, length, url=url))
            elif is_pre:
                entities.append(_entity("pre", start, length, language=language or None))
            else:
                entities.append(_entity("code", start, length))
        if is_pre:
            i += 2
        i += 1
    return "".join(out), entities


_AUTO_ENTITY_RE: Final = re.compile(
    r"(?P<bot_command>(?<![\w/])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/]))"
    r"|(?P<url>(?<![\w/])https?://[^\s<>\"]+)"
    r"|(?P<mention>(?<![\w@])@[A-Za-z][A-Za-z0-9_]{3,31}(?![\w@]))"
    r"|(?P<hashtag>(?<![\w#])#\w*[^\W\d_]\w*)"
)
_AUTO_OVERLAP_OK: Final = frozenset(
    {"bold", "italic", "underline", "strikethrough", "spoiler", "blockquote"}
)


def _auto_entities(text: str, explicit: list[JSON]) -> list[JSON]:
    """Detect the entities Telegram adds by itself (commands, URLs, mentions, hashtags)."""
    if not any(ch in text for ch in "/@#"):
        return []
    blocked = [
        (e["offset"], e["offset"] + e["length"])
        for e in explicit
        if e["type"] not in _AUTO_OVERLAP_OK
    ]
    ascii_only = text.isascii()
    found: list[JSON] = []
    for match in _AUTO_ENTITY_RE.finditer(text):
        kind = match.lastgroup or ""
        value = match.group()
        if kind == "url":
            value = value.rstrip(".,;:!?)'")
        start = match.start() if ascii_only else _u16(text[: match.start()])
        length = _u16(value)
        if any(start < end and begin < start + length for begin, end in blocked):
            continue
        found.append(_entity(kind, start, length))
    return found


def _strip_text(text: str, entities: list[JSON]) -> tuple[str, list[JSON]]:
    """Trim surrounding whitespace as Telegram does and shift entities accordingly."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    lead = _u16(text[: len(text) - len(text.lstrip())])
    size = _u16(stripped)
    shifted: list[JSON] = []
    for entity in entities:
        begin = max(0, entity["offset"] - lead)
        end = min(size, entity["offset"] + entity["length"] - lead)
        if end > begin:
            shifted.append({**entity, "offset": begin, "length": end - begin})
    return stripped, shifted


def render_text(
    text: str, parse_mode: str | None, entities: list[JSON] | None, *, auto: bool = True
) -> tuple[str, list[JSON]]:
    """Turn (text, parse_mode | entities) into Telegram's (plain text, entities)."""
    if entities is not None:
        plain, found = text, [dict(e) for e in entities]
    elif parse_mode:
        mode = parse_mode.lower()
        if mode == "html":
            plain, found = _parse_html(text)
        elif mode == "markdownv2":
            plain, found = _parse_markdown_v2(text)
        elif mode == "markdown":
            plain, found = _parse_markdown(text)
        else:
            raise _bad(f"unsupported parse_mode {parse_mode!r}")
    else:
        plain, found = text, []
    for entity in found:
        entity.pop("_language", None)
    plain, found = _strip_text(plain, found)
    if auto:
        found += _auto_entities(plain, found)
    found.sort(key=lambda e: (e["offset"], -e["length"]))
    return plain, found


# --------------------------------------------------------------------------------------------
# Public helper types
# --------------------------------------------------------------------------------------------


@dataclass(slots=True, eq=False)
class RecordedRequest:
    """One HTTP request the fake server received, with decoded parameters."""

    method: str
    params: dict[str, Any]
    time: float
    status: int = 0
    response: Any = None

    @property
    def ok(self) -> bool:
        """True if the request succeeded."""
        return self.status == 200

    @property
    def chat_id(self) -> Any:
        """The decoded chat_id parameter, if any."""
        return self.params.get("chat_id")

    @property
    def description(self) -> str | None:
        """The error description of a failed request."""
        if isinstance(self.response, dict) and self.response.get("ok") is False:
            return str(self.response.get("description"))
        return None


@dataclass(frozen=True, slots=True)
class Fault:
    """An injected failure: an error answer and/or a delay before answering."""

    status: int = 0
    description: str = ""
    retry_after: int | None = None
    migrate_to_chat_id: int | None = None
    delay: float = 0.0
    html: bool = False

    @classmethod
    def too_many_requests(cls, seconds: int) -> Fault:
        """429 Too Many Requests with parameters.retry_after (PTB: RetryAfter)."""
        return cls(429, f"Too Many Requests: retry after {seconds}", retry_after=seconds)

    @classmethod
    def blocked(cls) -> Fault:
        """403 bot blocked by the user (PTB: Forbidden)."""
        return cls(403, "Forbidden: bot was blocked by the user")

    @classmethod
    def kicked(cls, *, supergroup: bool = False) -> Fault:
        """403 bot kicked from the group (PTB: Forbidden)."""
        kind = "supergroup chat" if supergroup else "group chat"
        return cls(403, f"Forbidden: bot was kicked from the {kind}")

    @classmethod
    def migrated(cls, new_chat_id: int) -> Fault:
        """400 group upgraded to a supergroup (PTB: ChatMigrated)."""
        return cls(
            400,
            "Bad Request: group chat was upgraded to a supergroup chat",
            migrate_to_chat_id=new_chat_id,
        )

    @classmethod
    def chat_not_found(cls) -> Fault:
        """400 chat not found (PTB: BadRequest)."""
        return cls(400, "Bad Request: chat not found")

    @classmethod
    def bad_request(cls, description: str) -> Fault:
        """400 with a custom description (PTB: BadRequest)."""
        return cls(400, f"Bad Request: {description}")

    @classmethod
    def server_error(cls, status: int = 500) -> Fault:
        """500 JSON error or 502 HTML page from the front proxy (PTB: NetworkError)."""
        if status == 502:
            return cls(502, "Bad Gateway", html=True)
        return cls(status, "Internal Server Error")

    @classmethod
    def slow(cls, seconds: float) -> Fault:
        """Answer only after ``seconds`` and then process normally (PTB: TimedOut)."""
        return cls(delay=seconds)


@dataclass(slots=True, eq=False)
class Injection:
    """A registered fault; ``remaining`` counts down (None = forever)."""

    method: str
    fault: Fault
    chat_id: int | str | None = None
    remaining: int | None = 1
    hits: int = 0

    @property
    def active(self) -> bool:
        """True while the fault still applies."""
        return self.remaining is None or self.remaining > 0


@dataclass(frozen=True, slots=True)
class RateLimits:
    """Flood limits as leaky buckets (same model as PTB's AIORateLimiter)."""

    overall_per_second: float = 30.0
    group_per_minute: float = 20.0
    private_per_second: float = 1.0
    private_burst: float = 5.0
    slack: float = 0.5


@dataclass(slots=True, eq=False)
class _Bucket:
    """Leaky bucket state."""

    capacity: float
    rate: float
    level: float = 0.0
    last: float = 0.0

    def wait_time(self, now: float, slack: float) -> float:
        """Seconds until one more message fits (0 if it fits now)."""
        level = max(0.0, self.level - (now - self.last) * self.rate)
        excess = level + 1 - self.capacity - slack
        return 0.0 if excess <= 1e-9 else excess / self.rate

    def add(self, now: float) -> None:
        """Account one message."""
        self.level = max(0.0, self.level - (now - self.last) * self.rate) + 1
        self.last = now


@dataclass(slots=True, eq=False)
class _Chat:
    """Server-side state of one chat."""

    id: int
    type: str
    json: JSON
    title: str | None = None
    username: str | None = None
    is_forum: bool = False
    next_message_id: int = 1
    messages: dict[int, JSON] = field(default_factory=dict)
    bot_message_ids: list[int] = field(default_factory=list)
    deleted: set[int] = field(default_factory=set)
    members: dict[int, str] = field(default_factory=dict)
    bot_status: str = "member"
    migrated_to: int | None = None
    reactions: dict[int, list[JSON]] = field(default_factory=dict)


@dataclass(slots=True, eq=False)
class _PollState:
    """Server-side state of one poll."""

    chat_id: int
    message_id: int
    poll: JSON
    votes: dict[int, list[int]] = field(default_factory=dict)


@dataclass(slots=True, eq=False)
class _Callback:
    """An issued callback query."""

    created: float
    answered: bool = False


@dataclass(slots=True, eq=False)
class _Queued:
    """An update waiting in the getUpdates queue."""

    update_id: int
    kind: str
    update: JSON
    redelivery: bool = False
    delivered: bool = False


MemberStatus = Literal["creator", "administrator", "member", "left", "kicked"]


# --------------------------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------------------------


class FakeBotApi:
    """A fake Telegram Bot API server on 127.0.0.1 that speaks real HTTP."""

    def __init__(
        self,
        token: str = "123456:TEST-token",
        *,
        bot_username: str = "quizbot_test_bot",
        bot_name: str = "Quizbot Test",
        enforce_limits: bool = False,
        limits: RateLimits | None = None,
        privacy_mode: bool = False,
        poll_updates: bool = True,
        spec: BotApiSpec | None = None,
        clock: Callable[[], float] = time.monotonic,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        if not _TOKEN_RE.fullmatch(token):
            raise ValueError("token must look like '<bot id>:<secret>'")
        self._token = token
        self._clock = clock
        self._host = host
        self._port = port
        self.spec = spec or BotApiSpec.load()
        self.enforce_limits = enforce_limits
        self.limits = limits or RateLimits()
        self.privacy_mode = privacy_mode
        self.poll_updates = poll_updates
        bot_id = int(token.split(":", 1)[0])
        self._bot: JSON = {
            "id": bot_id,
            "is_bot": True,
            "first_name": bot_name,
            "username": bot_username,
        }
        self.requests: list[RecordedRequest] = []
        self.updates: list[JSON] = []
        self.internal_errors: list[BaseException] = []
        self.callback_answers: dict[str, JSON] = {}
        self.too_many_requests = 0
        self._by_method: dict[str, list[RecordedRequest]] = {}
        self._users: dict[int, JSON] = {}
        self._chats: dict[int, _Chat] = {}
        self._chats_by_username: dict[str, _Chat] = {}
        self._polls: dict[str, _PollState] = {}
        self._callbacks: dict[str, _Callback] = {}
        self._commands: dict[tuple[str, str], list[JSON]] = {}
        self._injections: dict[str, list[Injection]] = {}
        self._queue: deque[_Queued] = deque()
        self._pending_redeliveries = 0
        self._next_update_id = 10_000
        self._next_poll = 1
        self._next_callback = 1
        self._allowed = frozenset(self.spec.update_kinds) - _DEFAULT_EXCLUDED_UPDATES
        self._poll_generation = 0
        self._webhook: JSON = {}
        self._overall_bucket = _Bucket(
            self.limits.overall_per_second, self.limits.overall_per_second
        )
        self._chat_buckets: dict[int, _Bucket] = {}
        self._update_event: asyncio.Event | None = None
        self._activity: asyncio.Event | None = None
        self._closing: asyncio.Event | None = None
        self._in_flight = 0
        self._last_activity = time.monotonic()
        self._runner: web.AppRunner | None = None
        self._bound_port: int | None = None
        self._handlers: dict[str, Callable[[dict[str, Any]], Any]] = {
            "getMe": self._get_me,
            "deleteWebhook": self._delete_webhook,
            "setWebhook": self._set_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "logOut": self._true,
            "close": self._true,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "sendPoll": self._send_poll,
            "stopPoll": self._stop_poll,
            "answerCallbackQuery": self._answer_callback_query,
            "setMessageReaction": self._set_message_reaction,
            "getChatMember": self._get_chat_member,
            "getChatAdministrators": self._get_chat_administrators,
            "getChat": self._get_chat,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "sendChatAction": self._send_chat_action,
        }

    # -- lifecycle ----------------------------------------------------------------------------

    async def start(self) -> None:
        """Start listening on a free port of 127.0.0.1."""
        if self._runner is not None:
            raise RuntimeError("FakeBotApi is already running")
        self._update_event = asyncio.Event()
        self._closing = asyncio.Event()
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_route("*", "/{tail:.*}", self._handle_other)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await runner.setup()
        site = web.TCPSite(runner, self._host, self._port)
        await site.start()
        self._runner = runner
        self._bound_port = int(runner.addresses[0][1])
        _LOGGER.debug("fake Bot API listening on %s:%s", self._host, self._bound_port)

    async def stop(self) -> None:
        """Stop the server, releasing pending long polls and delays."""
        runner, self._runner = self._runner, None
        if runner is None:
            return
        if self._closing is not None:
            self._closing.set()
        self._wake_pollers()
        await runner.cleanup()
        self._bound_port = None

    async def __aenter__(self) -> Self:
        """Start the server."""
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop the server."""
        await self.stop()

    @property
    def port(self) -> int:
        """The bound TCP port."""
        if self._bound_port is None:
            raise RuntimeError("FakeBotApi is not running")
        return self._bound_port

    @property
    def base_url(self) -> str:
        """Value for ``Bot(base_url=...)``: http://127.0.0.1:PORT/bot."""
        return f"http://{self._host}:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """Value for ``Bot(base_file_url=...)``."""
        return f"http://{self._host}:{self.port}/file/bot"

    @property
    def token(self) -> str:
        """The only token the server accepts."""
        return self._token

    @property
    def bot_user(self) -> JSON:
        """The bot as a User object (as it appears in ``from``)."""
        return dict(self._bot)

    @property
    def bot_id(self) -> int:
        """The bot's user id (the token prefix)."""
        return int(self._bot["id"])

    # -- world --------------------------------------------------------------------------------

    def add_user(
        self,
        user_id: int,
        first_name: str,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
        is_bot: bool = False,
        is_premium: bool = False,
        started: bool = True,
    ) -> JSON:
        """Create a user; ``started`` also opens the private chat with the bot."""
        if user_id <= 0:
            raise ValueError("user ids are positive")
        user: JSON = {"id": user_id, "is_bot": is_bot, "first_name": first_name}
        if last_name:
            user["last_name"] = last_name
        if username:
            user["username"] = username
        if language_code:
            user["language_code"] = language_code
        if is_premium:
            user["is_premium"] = True
        self._users[user_id] = user
        if started and not is_bot and user_id not in self._chats:
            self.add_chat(user_id, "private")
        return dict(user)

    def add_chat(
        self,
        chat_id: int,
        type: Literal["private", "group", "supergroup"] = "group",
        title: str | None = None,
        *,
        username: str | None = None,
        is_forum: bool = False,
        bot_status: MemberStatus = "member",
    ) -> JSON:
        """Create a chat the bot is in; returns the Chat object."""
        if type == "private":
            if chat_id <= 0:
                raise ValueError("private chat ids are positive (the user's id)")
            user = self._users.get(chat_id) or self.add_user(
                chat_id, f"User{chat_id}", started=False
            )
            chat_json: JSON = {"id": chat_id, "type": "private", "first_name": user["first_name"]}
            for key in ("last_name", "username"):
                if key in user:
                    chat_json[key] = user[key]
            username = user.get("username")
        elif type in ("group", "supergroup"):
            if chat_id >= 0:
                raise ValueError("group chat ids are negative")
            chat_json = {"id": chat_id, "type": type, "title": title or f"Group {-chat_id}"}
            if username:
                chat_json["username"] = username
            if is_forum and type == "supergroup":
                chat_json["is_forum"] = True
        else:
            raise ValueError(f"unsupported chat type {type!r}")
        chat = _Chat(
            id=chat_id,
            type=type,
            json=chat_json,
            title=chat_json.get("title"),
            username=username,
            is_forum=bool(chat_json.get("is_forum")),
            bot_status=bot_status,
        )
        self._chats[chat_id] = chat
        if username and type != "private":
            self._chats_by_username[username.lower()] = chat
        return dict(chat_json)

    def set_admin(
        self,
        chat_id: int,
        user_id: int,
        status: Literal["administrator", "creator"] = "administrator",
    ) -> None:
        """Make a user (or the bot itself) an administrator or the owner of a chat."""
        self.set_member_status(chat_id, user_id, status)

    def set_member_status(self, chat_id: int, user_id: int, status: MemberStatus) -> None:
        """Set any membership status of a user (or the bot) in a chat."""
        chat = self._chat(chat_id)
        if user_id == self.bot_id:
            chat.bot_status = status
            return
        self._ensure_user(user_id)
        chat.members[user_id] = status

    # -- incoming updates -----------------------------------------------------------------------

    def push_update(self, kind: str, payload: JSON) -> JSON:
        """Queue an arbitrary update of type ``kind`` (e.g. "edited_message")."""
        if kind not in self.spec.update_kinds:
            raise ValueError(f"unknown update type {kind!r}")
        update: JSON = {"update_id": self._next_update_id, kind: payload}
        self._next_update_id += 1
        self._enqueue(_Queued(update["update_id"], kind, update))
        return update

    def redeliver(self, update: JSON) -> JSON:
        """Deliver the same update (same update_id) once more, like Telegram after a restart."""
        kinds = [key for key in update if key != "update_id"]
        if len(kinds) != 1:
            raise ValueError("not an Update dict")
        self._pending_redeliveries += 1
        queued = _Queued(int(update["update_id"]), kinds[0], update, redelivery=True)
        self._enqueue(queued, ordered=True)
        return update

    def send_text(
        self,
        chat_id: int,
        user_id: int,
        text: str,
        *,
        reply_to_message_id: int | None = None,
    ) -> JSON:
        """A user writes ``text``; returns the Update (privacy mode may keep it unqueued)."""
        user = self._ensure_user(user_id)
        chat = self._incoming_chat(chat_id, user_id)
        if chat.type != "private" and chat.members.get(user_id) in (None, "left"):
            chat.members[user_id] = "member"
        plain, entities = render_text(text, None, None)
        fields: JSON = {"text": plain}
        if entities:
            fields["entities"] = entities
        reply_to_bot = False
        if reply_to_message_id is not None:
            target = chat.messages.get(reply_to_message_id)
            if target is None:
                raise ValueError(f"message {reply_to_message_id} not found in chat {chat_id}")
            fields["reply_to_message"] = _without_reply(target)
            reply_to_bot = target.get("from", {}).get("id") == self.bot_id
        message = self._store_message(chat, user, fields)
        if self._privacy_hides(chat, plain, reply_to_bot):
            update: JSON = {"update_id": self._next_update_id, "message": message}
            self._next_update_id += 1
            return update
        return self.push_update("message", message)

    def edit_text(self, chat_id: int, user_id: int, message_id: int, text: str) -> JSON:
        """A user edits their own message; returns the edited_message Update."""
        chat = self._chat(chat_id)
        message = chat.messages.get(message_id)
        if message is None or message.get("from", {}).get("id") != user_id:
            raise ValueError(f"user {user_id} has no message {message_id} in chat {chat_id}")
        plain, entities = render_text(text, None, None)
        edited = {k: v for k, v in message.items() if k != "entities"}
        edited.update(text=plain, edit_date=int(time.time()))
        if entities:
            edited["entities"] = entities
        chat.messages[message_id] = edited
        return self.push_update("edited_message", edited)

    def send_anonymous_admin_text(self, chat_id: int, text: str) -> JSON:
        """An anonymous group admin writes ``text``; from is GroupAnonymousBot."""
        chat = self._chat(chat_id)
        if chat.type == "private":
            raise ValueError("anonymous admins only exist in groups")
        self._require_bot_member(chat)
        plain, entities = render_text(text, None, None)
        fields: JSON = {"sender_chat": chat.json, "text": plain}
        if entities:
            fields["entities"] = entities
        message = self._store_message(chat, _GROUP_ANONYMOUS_BOT, fields)
        return self.push_update("message", message)

    def press_button(
        self, chat_id: int, user_id: int, message_id: int, data: str, *, strict: bool = True
    ) -> JSON:
        """A user presses an inline button; ``strict`` requires the button to exist."""
        user = self._ensure_user(user_id)
        chat = self._chat(chat_id)
        message = chat.messages.get(message_id)
        if message is None:
            raise ValueError(f"message {message_id} not found in chat {chat_id}")
        if strict:
            available = [
                button.get("callback_data")
                for row in message.get("reply_markup", {}).get("inline_keyboard", [])
                for button in row
                if "callback_data" in button
            ]
            if data not in available:
                raise ValueError(
                    f"message {message_id} has no button with callback_data {data!r}; "
                    f"it has {available}"
                )
        query_id = str(4_000_000_000_000_000_000 + self._next_callback)
        self._next_callback += 1
        self._callbacks[query_id] = _Callback(created=self._clock())
        query: JSON = {
            "id": query_id,
            "from": user,
            "message": message,
            "chat_instance": str((chat_id * 2654435761) % (1 << 62)),
            "data": data,
        }
        return self.push_update("callback_query", query)

    def answer_poll(self, user_id: int, poll_id: str, option_ids: Iterable[int]) -> JSON:
        """A user votes (empty ``option_ids`` retracts); returns the poll_answer/poll update."""
        state = self._polls.get(poll_id)
        if state is None:
            raise ValueError(f"unknown poll {poll_id!r}")
        poll = state.poll
        chosen = list(option_ids)
        if poll["is_closed"]:
            raise ValueError("the poll is closed")
        if any(not 0 <= i < len(poll["options"]) for i in chosen) or len(set(chosen)) != len(
            chosen
        ):
            raise ValueError(f"invalid option ids {chosen}")
        if len(chosen) > 1 and not poll["allows_multiple_answers"]:
            raise ValueError("the poll allows only one answer")
        previous = state.votes.get(user_id)
        if previous is not None and not poll["allows_revoting"]:
            raise ValueError("the poll does not allow changing the answer")
        if previous is None and not chosen:
            raise ValueError("nothing to retract")
        user = self._ensure_user(user_id)
        if chosen:
            state.votes[user_id] = sorted(chosen)
        else:
            state.votes.pop(user_id, None)
        counts = [0] * len(poll["options"])
        for votes in state.votes.values():
            for index in votes:
                counts[index] += 1
        options = [
            {**option, "voter_count": count}
            for option, count in zip(poll["options"], counts, strict=True)
        ]
        self._replace_poll(
            state, {**poll, "options": options, "total_voter_count": len(state.votes)}
        )
        if poll["is_anonymous"]:
            return self.push_update("poll", state.poll)
        answer: JSON = {
            "poll_id": poll_id,
            "user": user,
            "option_ids": chosen,
            "option_persistent_ids": [poll["options"][i]["persistent_id"] for i in chosen],
        }
        update = self.push_update("poll_answer", answer)
        if self.poll_updates:
            self.push_update("poll", state.poll)
        return update

    def bot_removed(
        self,
        chat_id: int,
        by_user_id: int,
        *,
        status: Literal["kicked", "left"] | None = None,
    ) -> JSON:
        """The bot is blocked (private) or removed from a group; returns my_chat_member."""
        chat = self._chat(chat_id)
        if status is None:
            status = "left" if chat.type == "group" else "kicked"
        return self._bot_membership(chat, by_user_id, status)

    def bot_added(
        self,
        chat_id: int,
        by_user_id: int,
        *,
        status: Literal["member", "administrator"] = "member",
    ) -> JSON:
        """The bot is (re)added to a group or unblocked; returns my_chat_member."""
        if chat_id not in self._chats:
            if chat_id > 0:
                self.add_user(chat_id, f"User{chat_id}", started=False)
            kind: Literal["group", "supergroup", "private"] = (
                "private"
                if chat_id > 0
                else "supergroup"
                if chat_id <= _SUPERGROUP_MIN_ID
                else "group"
            )
            self.add_chat(chat_id, kind, bot_status="left")
        chat = self._chats[chat_id]
        update = self._bot_membership(chat, by_user_id, status)
        if chat.type != "private":
            user = self._ensure_user(by_user_id)
            message = self._store_message(chat, user, {"new_chat_members": [self._bot]})
            self.push_update("message", message)
        return update

    def migrate_group(self, old_id: int, new_id: int, *, by_user_id: int | None = None) -> JSON:
        """Upgrade a group to a supergroup; returns the migrate_to_chat_id service message."""
        old = self._chat(old_id)
        if old.type != "group" or old.migrated_to is not None:
            raise ValueError(f"chat {old_id} is not a basic group")
        if new_id in self._chats or new_id > _SUPERGROUP_MIN_ID:
            raise ValueError(f"{new_id} is not a free supergroup id (<= -100xxxxxxxxxx)")
        self.add_chat(new_id, "supergroup", old.title)
        new = self._chats[new_id]
        new.bot_status = old.bot_status
        new.members = dict(old.members)
        sender = self._ensure_user(by_user_id) if by_user_id is not None else None
        update = self.push_update(
            "message", self._store_message(old, sender, {"migrate_to_chat_id": new_id})
        )
        old.migrated_to = new_id
        self.push_update(
            "message", self._store_message(new, sender, {"migrate_from_chat_id": old_id})
        )
        return update

    # -- inspection ---------------------------------------------------------------------------

    def calls(self, method: str, chat_id: int | str | None = None) -> list[RecordedRequest]:
        """Requests of ``method`` (any case), optionally only those for ``chat_id``."""
        name = self.spec.canonical_method(method) or method
        found = self._by_method.get(name, [])
        if chat_id is None:
            return list(found)
        return [r for r in found if r.params.get("chat_id") == chat_id]

    def messages(self, chat_id: int) -> list[JSON]:
        """Current state of every message the bot sent to a chat (edits applied, deleted gone)."""
        chat = self._chats.get(chat_id)
        if chat is None:
            return []
        return [chat.messages[i] for i in chat.bot_message_ids if i in chat.messages]

    def message(self, chat_id: int, message_id: int) -> JSON | None:
        """Any stored message (bot's or users') by id."""
        chat = self._chats.get(chat_id)
        return None if chat is None else chat.messages.get(message_id)

    def is_deleted(self, chat_id: int, message_id: int) -> bool:
        """True if the bot deleted that message."""
        chat = self._chats.get(chat_id)
        return chat is not None and message_id in chat.deleted

    def poll(self, poll_id: str) -> JSON:
        """Current state of a poll the bot sent."""
        return self._polls[poll_id].poll

    def reactions(self, chat_id: int, message_id: int) -> list[JSON]:
        """Reactions the bot set on a message."""
        return list(self._chat(chat_id).reactions.get(message_id, []))

    def commands(self, scope: JSON | None = None, language_code: str = "") -> list[JSON]:
        """Bot commands stored for a scope/language (as setMyCommands stored them)."""
        return list(self._commands.get(_scope_key(scope, language_code), []))

    def chat(self, chat_id: int) -> JSON:
        """The Chat object of a known chat."""
        return dict(self._chat(chat_id).json)

    @property
    def pending_updates(self) -> int:
        """Updates not yet fetched by getUpdates."""
        return sum(1 for q in self._queue if not q.delivered)

    @property
    def webhook_url(self) -> str:
        """The URL set by setWebhook ("" when none)."""
        return str(self._webhook.get("url", ""))

    def clear_requests(self) -> None:
        """Forget the recorded requests (e.g. between benchmark phases)."""
        self.requests.clear()
        self._by_method.clear()

    def schema_errors(self) -> list[str]:
        """Check every successful answer and every queued update against api.json."""
        errors: list[str] = []
        for index, rec in enumerate(self.requests):
            spec = self.spec.methods.get(rec.method)
            if rec.ok and spec is not None:
                path = f"{rec.method}#{index}"
                errors += self.spec.output_errors(_return_types(spec.returns), rec.response, path)
        for update in self.updates:
            errors += self.spec.output_errors(("Update",), update, f"update {update['update_id']}")
        return errors

    async def wait_for(
        self,
        predicate: Callable[[], _T],
        timeout: float = 5.0,  # noqa: ASYNC109 - a deadline for polling, not for one await
        *,
        what: str | None = None,
    ) -> _T:
        """Wait until ``predicate()`` is truthy and return its value; AssertionError on timeout."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            value = predicate()
            if value:
                return value
            remaining = deadline - loop.time()
            if remaining <= 0:
                recent = ", ".join(
                    f"{r.method}({r.params.get('chat_id', '')})->{r.status}"
                    for r in self.requests[-8:]
                )
                label = what or getattr(predicate, "__name__", repr(predicate))
                raise AssertionError(
                    f"timed out after {timeout}s waiting for {label}; "
                    f"last requests: [{recent}]; pending updates: {self.pending_updates}"
                )
            if self._activity is None:
                self._activity = asyncio.Event()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._activity.wait(), min(remaining, 0.05))

    async def wait_for_call(
        self,
        method: str,
        *,
        chat_id: int | str | None = None,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> list[RecordedRequest]:
        """Wait until ``count`` requests of ``method`` (for ``chat_id``) were answered."""

        def answered() -> list[RecordedRequest]:
            found = [r for r in self.calls(method, chat_id) if r.status]
            return found if len(found) >= count else []

        return await self.wait_for(answered, timeout, what=f"{count}x {method} (chat_id={chat_id})")

    async def wait_idle(
        self,
        quiet: float = 0.05,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> None:
        """Wait until all updates were fetched and no request arrived for ``quiet`` seconds."""

        def idle() -> bool:
            return (
                self.pending_updates == 0
                and self._in_flight == 0
                and time.monotonic() - self._last_activity >= quiet
            )

        await self.wait_for(idle, timeout, what="the bot to become idle")

    # -- fault injection ------------------------------------------------------------------------

    def inject(
        self,
        method: str,
        *,
        error: Fault,
        chat_id: int | str | None = None,
        times: int | None = 1,
    ) -> Injection:
        """Make the next ``times`` matching requests fail ("*" matches every method)."""
        name = "*" if method == "*" else self.spec.canonical_method(method)
        if name is None:
            raise ValueError(f"unknown Bot API method {method!r}")
        injection = Injection(name, error, chat_id, times)
        self._injections.setdefault(name, []).append(injection)
        return injection

    def clear_injections(self) -> None:
        """Remove every injected fault."""
        self._injections.clear()

    # -- HTTP ------------------------------------------------------------------------------------

    async def _handle_other(self, request: web.Request) -> web.StreamResponse:
        """Anything that is not /bot<token>/<method>."""
        return _json_response(404, {"ok": False, "error_code": 404, "description": "Not Found"})

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        """Serve /bot<token>/<method>."""
        token = request.match_info["token"]
        if token != self._token:
            if _TOKEN_RE.fullmatch(token):
                return _json_response(
                    401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
                )
            return _json_response(404, {"ok": False, "error_code": 404, "description": "Not Found"})
        raw_method = request.match_info["method"]
        method = self.spec.canonical_method(raw_method)
        rec = RecordedRequest(method or raw_method, {}, time.monotonic())
        self.requests.append(rec)
        self._by_method.setdefault(rec.method, []).append(rec)
        long_poll = method == "getUpdates"
        if not long_poll:
            self._in_flight += 1
        result: Any = None
        html = False
        try:
            rec.params = await _read_params(request)
            if method is None:
                raise _ApiError(404, "Not Found: method not found")
            if method not in self._handlers and not long_poll:
                raise _ApiError(404, f"Not Found: method {method} is not implemented by FakeBotApi")
            rec.params = self._decode_params(method, rec.params)
            fault = self._take_fault(method, rec.params.get("chat_id"))
            if fault is not None:
                if fault.delay:
                    await self._sleep(fault.delay)
                if fault.status:
                    html = fault.html
                    raise _ApiError(
                        fault.status,
                        fault.description,
                        retry_after=fault.retry_after,
                        migrate_to_chat_id=fault.migrate_to_chat_id,
                    )
            buckets = self._rate_check(method, rec.params) if self.enforce_limits else []
            if long_poll:
                result = await self._get_updates(rec.params)
            else:
                result = self._handlers[method](rec.params)
            now = self._clock()
            for bucket in buckets:
                bucket.add(now)
            rec.status, rec.response = 200, result
            body: JSON = {"ok": True, "result": result}
        except _ApiError as exc:
            body = exc.body()
            rec.status, rec.response = exc.status, body
        except Exception as exc:
            _LOGGER.exception("fake Bot API failed to handle %s", rec.method)
            self.internal_errors.append(exc)
            body = {"ok": False, "error_code": 500, "description": "Internal Server Error"}
            rec.status, rec.response = 500, body
        finally:
            if not long_poll:
                self._in_flight -= 1
            self._last_activity = time.monotonic()
            self._notify_activity()
        if rec.status == 429:
            self.too_many_requests += 1
        if html:
            page = f"<html><head><title>{rec.status} {body['description']}</title></head></html>"
            return web.Response(status=rec.status, text=page, content_type="text/html")
        return _json_response(rec.status, body)

    def _decode_params(self, method: str, raw: dict[str, Any]) -> dict[str, Any]:
        """Decode form values by their api.json types and validate them."""
        spec = self.spec.methods[method].fields
        params: dict[str, Any] = {}
        for name, value in raw.items():
            spec_field = spec.get(name)
            if spec_field is None:
                if name in _PTB_DEFAULTS_NOISE:
                    continue
                raise _bad(f'unknown parameter "{name}" for method {method}')
            types = spec_field.types + _EXTRA_INPUT_TYPES.get((method, name), ())
            params[name] = self._decode_value(name, types, value)
        for spec_field in spec.values():
            if spec_field.required and spec_field.name not in params:
                if method == "sendMessage" and spec_field.name == "text":
                    raise _bad("message text is empty")
                raise _bad(f'parameter "{spec_field.name}" is required for method {method}')
        return params

    def _decode_value(self, name: str, types: tuple[str, ...], value: Any) -> Any:
        """Decode and check one parameter."""
        if isinstance(value, str) and types != ("String",) and "InputFile" not in types:
            if types == ("Boolean",):
                lowered = value.strip().lower()
                if lowered in ("true", "1"):
                    return True
                if lowered in ("false", "0", ""):
                    return False
                raise _bad(f'can\'t parse "{name}" as Boolean')
            try:
                parsed = json.loads(value)
            except ValueError:
                if "String" in types:
                    return value
                raise _bad(f"can't parse {name} JSON object") from None
            if self.spec.input_error(types, parsed, name) is None:
                return parsed
            if "String" in types:
                return value
            value = parsed
        error = self.spec.input_error(types, value, name)
        if error is not None:
            raise _bad(f"invalid {name}: {error}")
        return value

    def _take_fault(self, method: str, chat_id: Any) -> Fault | None:
        """Return (and count down) the first injected fault matching the request."""
        if not self._injections:
            return None
        for key in (method, "*"):
            for injection in self._injections.get(key, ()):
                if not injection.active:
                    continue
                if injection.chat_id is not None and injection.chat_id != chat_id:
                    continue
                if key == "*" and method == "getUpdates":
                    continue
                if injection.remaining is not None:
                    injection.remaining -= 1
                injection.hits += 1
                return injection.fault
        return None

    def _rate_check(self, method: str, params: dict[str, Any]) -> list[_Bucket]:
        """Raise 429 if a message would exceed the flood limits; return buckets to charge."""
        if method not in _MESSAGE_METHODS:
            return []
        now = self._clock()
        buckets = [self._overall_bucket]
        chat_id = params.get("chat_id")
        chat = self._chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is not None:
            bucket = self._chat_buckets.get(chat.id)
            if bucket is None:
                if chat.type == "private":
                    rate = self.limits.private_per_second
                    bucket = _Bucket(self.limits.private_burst, rate)
                else:
                    per_minute = self.limits.group_per_minute
                    bucket = _Bucket(per_minute, per_minute / 60.0)
                self._chat_buckets[chat.id] = bucket
            buckets.append(bucket)
        wait = max(b.wait_time(now, self.limits.slack) for b in buckets)
        if wait > 0:
            seconds = max(1, math.ceil(wait))
            raise _ApiError(429, f"Too Many Requests: retry after {seconds}", retry_after=seconds)
        return buckets

    async def _sleep(self, seconds: float) -> None:
        """Sleep, but wake up early when the server stops."""
        if self._closing is None:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._closing.wait(), seconds)

    def _notify_activity(self) -> None:
        """Wake ``wait_for`` callers."""
        if self._activity is not None:
            self._activity.set()
            self._activity = None

    def _wake_pollers(self) -> None:
        """Wake every waiting getUpdates."""
        if self._update_event is not None:
            self._update_event.set()
            self._update_event = asyncio.Event()

    # -- updates queue ----------------------------------------------------------------------------

    def _enqueue(self, queued: _Queued, *, ordered: bool = False) -> None:
        """Add an update to the getUpdates queue (``ordered``: keep update_id order)."""
        self.updates.append(queued.update)
        index = len(self._queue)
        if ordered:
            index = next(
                (i for i, q in enumerate(self._queue) if q.update_id > queued.update_id), index
            )
        self._queue.insert(index, queued)
        self._last_activity = time.monotonic()
        self._wake_pollers()
        self._notify_activity()

    def _confirm(self, offset: int) -> None:
        """Forget updates confirmed by ``offset`` (negative: keep the last -offset)."""
        queue = self._queue
        if offset < 0:
            while len(queue) > -offset:
                queue.popleft()
            return

        def droppable(q: _Queued) -> bool:
            return q.update_id < offset and (q.delivered or not q.redelivery)

        while queue and droppable(queue[0]):
            queue.popleft()
        if self._pending_redeliveries and any(droppable(q) for q in queue):
            self._queue = deque(q for q in queue if not droppable(q))
        if self._pending_redeliveries:
            self._pending_redeliveries = sum(
                1 for q in self._queue if q.redelivery and not q.delivered
            )

    async def _get_updates(self, params: dict[str, Any]) -> list[JSON]:
        """getUpdates with offset confirmation and long polling."""
        if self._webhook.get("url"):
            raise _ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        self._poll_generation += 1
        generation = self._poll_generation
        self._wake_pollers()
        allowed = params.get("allowed_updates")
        if allowed is not None:
            self._allowed = (
                frozenset(allowed) & self.spec.update_kinds
                if allowed
                else self.spec.update_kinds - _DEFAULT_EXCLUDED_UPDATES
            )
        offset = params.get("offset")
        if offset is not None:
            self._confirm(int(offset))
        limit = min(100, max(1, int(params.get("limit", 100))))
        timeout = max(0.0, float(params.get("timeout", 0)))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if generation != self._poll_generation:
                raise _ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            batch: list[_Queued] = []
            for queued in self._queue:
                if queued.kind in self._allowed:
                    batch.append(queued)
                    if len(batch) >= limit:
                        break
            remaining = deadline - loop.time()
            closing = self._closing is not None and self._closing.is_set()
            if batch or remaining <= 0 or closing or self._update_event is None:
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._update_event.wait(), remaining)
        for queued in batch:
            queued.delivered = True
        return [q.update for q in batch]

    # -- helpers ----------------------------------------------------------------------------------

    def _ensure_user(self, user_id: int) -> JSON:
        """Return a user's JSON, creating a default user if needed."""
        if user_id == self.bot_id:
            return self._bot
        user = self._users.get(user_id)
        if user is None:
            self.add_user(user_id, f"User{user_id}", started=False)
            user = self._users[user_id]
        return user

    def _chat(self, chat_id: int) -> _Chat:
        """Return a known chat or raise ValueError."""
        chat = self._chats.get(chat_id)
        if chat is None:
            raise ValueError(f"unknown chat {chat_id}; call add_chat() first")
        return chat

    def _incoming_chat(self, chat_id: int, user_id: int) -> _Chat:
        """Return the chat an incoming message lands in, creating obvious ones."""
        chat = self._chats.get(chat_id)
        if chat is None:
            if chat_id == user_id:
                self.add_chat(chat_id, "private")
            elif chat_id < 0:
                self.add_chat(chat_id, "supergroup" if chat_id <= _SUPERGROUP_MIN_ID else "group")
            else:
                raise ValueError(f"unknown chat {chat_id}")
            chat = self._chats[chat_id]
        if chat.migrated_to is not None:
            raise ValueError(f"chat {chat_id} was migrated to {chat.migrated_to}")
        if chat.type == "private" and chat.id != user_id:
            raise ValueError("only the chat's user can write in a private chat")
        if chat.type == "private" and chat.bot_status == "left":
            chat.bot_status = "member"
        self._require_bot_member(chat)
        return chat

    def _require_bot_member(self, chat: _Chat) -> None:
        """Incoming messages need the bot to be in the chat."""
        if chat.bot_status in ("left", "kicked"):
            raise ValueError(
                f"the bot is not in chat {chat.id} (status {chat.bot_status}); call bot_added()"
            )

    def _privacy_hides(self, chat: _Chat, text: str, reply_to_bot: bool) -> bool:
        """True if privacy mode keeps this group message from the bot."""
        if not self.privacy_mode or chat.type == "private" or reply_to_bot:
            return False
        if chat.bot_status in ("administrator", "creator"):
            return False
        match = re.match(r"/[A-Za-z0-9_]+(?:@([A-Za-z0-9_]+))?", text)
        if match is None:
            return True
        target = match.group(1)
        return target is not None and target.lower() != str(self._bot["username"]).lower()

    def _store_message(self, chat: _Chat, sender: JSON | None, fields: JSON) -> JSON:
        """Create a message with the chat's next id and store it."""
        message_id = chat.next_message_id
        chat.next_message_id += 1
        message: JSON = {"message_id": message_id}
        if sender is not None:
            message["from"] = sender
        message["date"] = int(time.time())
        message["chat"] = chat.json
        message.update(fields)
        chat.messages[message_id] = message
        return message

    def _store_bot_message(self, chat: _Chat, fields: JSON) -> JSON:
        """Store a message the bot sent."""
        message = self._store_message(chat, self._bot, fields)
        chat.bot_message_ids.append(message["message_id"])
        return message

    def _bot_membership(self, chat: _Chat, by_user_id: int, status: str) -> JSON:
        """Change the bot's status in a chat and queue my_chat_member."""
        user = self._ensure_user(by_user_id)
        old = self._member_json(chat, self._bot, chat.bot_status)
        chat.bot_status = status
        payload: JSON = {
            "chat": chat.json,
            "from": user,
            "date": int(time.time()),
            "old_chat_member": old,
            "new_chat_member": self._member_json(chat, self._bot, status),
        }
        return self.push_update("my_chat_member", payload)

    def _member_json(self, chat: _Chat, user: JSON, status: str) -> JSON:
        """A ChatMember object with the fields its type requires."""
        if status == "creator":
            return {"status": "creator", "user": user, "is_anonymous": False}
        if status == "administrator":
            member: JSON = {
                "status": "administrator",
                "user": user,
                "can_be_edited": False,
                "is_anonymous": False,
                "can_manage_chat": True,
                "can_delete_messages": True,
                "can_manage_video_chats": True,
                "can_restrict_members": True,
                "can_promote_members": False,
                "can_change_info": True,
                "can_invite_users": True,
                "can_post_stories": False,
                "can_edit_stories": False,
                "can_delete_stories": False,
                "can_pin_messages": True,
            }
            if chat.type == "supergroup":
                member["can_manage_topics"] = False
            return member
        if status == "kicked":
            return {"status": "kicked", "user": user, "until_date": 0}
        return {"status": "left" if status == "left" else "member", "user": user}

    def _resolve_chat(self, chat_id: Any) -> _Chat:
        """Find the chat a request addresses (400/403 like Telegram)."""
        chat: _Chat | None = None
        if isinstance(chat_id, int):
            chat = self._chats.get(chat_id)
            if chat is None and chat_id in self._users:
                raise _ApiError(403, "Forbidden: bot can't initiate conversation with a user")
        elif isinstance(chat_id, str) and chat_id.startswith("@"):
            chat = self._chats_by_username.get(chat_id[1:].lower())
        if chat is None:
            raise _bad("chat not found")
        if chat.migrated_to is not None:
            raise _ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                migrate_to_chat_id=chat.migrated_to,
            )
        return chat

    def _writable_chat(self, chat_id: Any) -> _Chat:
        """Resolve a chat the bot must be a member of."""
        chat = self._resolve_chat(chat_id)
        if chat.bot_status in ("kicked", "left"):
            if chat.type == "private":
                raise _ApiError(403, "Forbidden: bot was blocked by the user")
            kind = "supergroup chat" if chat.type == "supergroup" else "group chat"
            if chat.bot_status == "kicked":
                raise _ApiError(403, f"Forbidden: bot was kicked from the {kind}")
            raise _ApiError(403, f"Forbidden: bot is not a member of the {kind}")
        return chat

    def _find_message(self, params: dict[str, Any], not_found: str) -> tuple[_Chat, JSON]:
        """Find the message addressed by chat_id + message_id (inline messages unsupported)."""
        if "inline_message_id" in params:
            raise _bad("MESSAGE_ID_INVALID")
        if "chat_id" not in params:
            raise _bad("chat_id is empty")
        if "message_id" not in params:
            raise _bad("message identifier is not specified")
        chat = self._writable_chat(params["chat_id"])
        message = chat.messages.get(params["message_id"])
        if message is None:
            raise _bad(not_found)
        return chat, message

    def _apply_send_options(self, chat: _Chat, params: dict[str, Any], fields: JSON) -> None:
        """Handle reply_parameters, reply_markup, message_thread_id, protect_content."""
        if params.get("message_thread_id") and chat.is_forum:
            fields["message_thread_id"] = params["message_thread_id"]
            fields["is_topic_message"] = True
        reply = params.get("reply_parameters")
        if reply is not None:
            target_chat = chat
            if "chat_id" in reply and reply["chat_id"] != chat.id:
                target_chat = self._resolve_chat(reply["chat_id"])
            target = target_chat.messages.get(reply["message_id"])
            if target is None and not reply.get("allow_sending_without_reply"):
                raise _bad("message to be replied not found")
            if target is not None and target_chat is chat:
                fields["reply_to_message"] = _without_reply(target)
        if params.get("protect_content"):
            fields["has_protected_content"] = True
        markup = params.get("reply_markup")
        if markup is not None and "inline_keyboard" in markup:
            _check_inline_keyboard(markup)
            fields["reply_markup"] = markup

    def _replace_message(self, chat: _Chat, message: JSON) -> None:
        """Store a new version of a message."""
        chat.messages[message["message_id"]] = message

    def _replace_poll(self, state: _PollState, poll: JSON) -> None:
        """Store a new poll state, also inside its message."""
        state.poll = poll
        chat = self._chats[state.chat_id]
        message = chat.messages.get(state.message_id)
        if message is not None:
            self._replace_message(chat, {**message, "poll": poll})

    # -- Bot API methods ----------------------------------------------------------------------

    def _true(self, params: dict[str, Any]) -> bool:
        """Methods that just return True."""
        return True

    def _get_me(self, params: dict[str, Any]) -> JSON:
        """getMe."""
        return {
            **self._bot,
            "can_join_groups": True,
            "can_read_all_group_messages": not self.privacy_mode,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
            "has_topics_enabled": False,
            "allows_users_to_create_topics": False,
            "supports_guest_queries": False,
            "can_manage_bots": False,
        }

    def _delete_webhook(self, params: dict[str, Any]) -> bool:
        """deleteWebhook."""
        self._webhook = {}
        if params.get("drop_pending_updates"):
            self._queue.clear()
            self._pending_redeliveries = 0
        return True

    def _set_webhook(self, params: dict[str, Any]) -> bool:
        """setWebhook (stored only; updates keep waiting in the queue)."""
        url = params["url"]
        if not url:
            return self._delete_webhook(params)
        if not url.startswith("https://"):
            raise _bad("bad webhook: An HTTPS URL must be provided for webhook")
        self._webhook = {"url": url}
        if "allowed_updates" in params:
            self._webhook["allowed_updates"] = params["allowed_updates"]
        if "max_connections" in params:
            self._webhook["max_connections"] = params["max_connections"]
        if params.get("drop_pending_updates"):
            self._queue.clear()
        return True

    def _get_webhook_info(self, params: dict[str, Any]) -> JSON:
        """getWebhookInfo."""
        return {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._queue),
            **{k: v for k, v in self._webhook.items() if k != "url"},
        }

    def _send_message(self, params: dict[str, Any]) -> JSON:
        """sendMessage."""
        chat = self._writable_chat(params["chat_id"])
        text, entities = render_text(
            params["text"], params.get("parse_mode"), params.get("entities")
        )
        if not text:
            raise _bad("message text is empty")
        if _u16(text) > 4096:
            raise _bad("message is too long")
        fields: JSON = {"text": text}
        if entities:
            fields["entities"] = entities
        if "link_preview_options" in params:
            fields["link_preview_options"] = params["link_preview_options"]
        self._apply_send_options(chat, params, fields)
        return self._store_bot_message(chat, fields)

    def _edit_message_text(self, params: dict[str, Any]) -> JSON:
        """editMessageText (omitting reply_markup removes the keyboard, as in Telegram)."""
        chat, message = self._find_message(params, "message to edit not found")
        if message.get("from", {}).get("id") != self.bot_id:
            raise _bad("message can't be edited")
        if "text" not in message:
            raise _bad("there is no text in the message to edit")
        text, entities = render_text(
            params["text"], params.get("parse_mode"), params.get("entities")
        )
        if not text:
            raise _bad("message text is empty")
        if _u16(text) > 4096:
            raise _bad("message is too long")
        markup = params.get("reply_markup")
        if markup is not None:
            _check_inline_keyboard(markup)
        if (
            text == message["text"]
            and entities == message.get("entities", [])
            and markup == message.get("reply_markup")
        ):
            raise _bad(_NOT_MODIFIED[len("Bad Request: ") :])
        edited = {
            k: v for k, v in message.items() if k not in ("entities", "reply_markup", "edit_date")
        }
        edited.update(text=text, edit_date=int(time.time()))
        if entities:
            edited["entities"] = entities
        if markup is not None:
            edited["reply_markup"] = markup
        if "link_preview_options" in params:
            edited["link_preview_options"] = params["link_preview_options"]
        self._replace_message(chat, edited)
        return edited

    def _edit_message_reply_markup(self, params: dict[str, Any]) -> JSON:
        """editMessageReplyMarkup."""
        chat, message = self._find_message(params, "message to edit not found")
        if message.get("from", {}).get("id") != self.bot_id:
            raise _bad("message can't be edited")
        markup = params.get("reply_markup")
        if markup is not None:
            _check_inline_keyboard(markup)
        if markup == message.get("reply_markup"):
            raise _bad(_NOT_MODIFIED[len("Bad Request: ") :])
        edited = {k: v for k, v in message.items() if k not in ("reply_markup", "edit_date")}
        edited["edit_date"] = int(time.time())
        if markup is not None:
            edited["reply_markup"] = markup
        self._replace_message(chat, edited)
        return edited

    def _delete_message(self, params: dict[str, Any]) -> bool:
        """deleteMessage."""
        chat, message = self._find_message(params, "message to delete not found")
        own = message.get("from", {}).get("id") == self.bot_id
        if (
            not own
            and chat.type != "private"
            and chat.bot_status
            not in (
                "administrator",
                "creator",
            )
        ):
            raise _bad("message can't be deleted")
        del chat.messages[message["message_id"]]
        chat.deleted.add(message["message_id"])
        return True

    def _send_poll(self, params: dict[str, Any]) -> JSON:
        """sendPoll (regular and quiz)."""
        chat = self._writable_chat(params["chat_id"])
        question, q_entities = render_text(
            params["question"],
            params.get("question_parse_mode"),
            params.get("question_entities"),
            auto=False,
        )
        if not question:
            raise _bad("poll question must be non-empty")
        if _u16(question) > 300:
            raise _bad("poll question length must not exceed 300")
        raw_options = params["options"]
        if not 1 <= len(raw_options) <= 12:
            raise _bad("poll must have from 1 to 12 options")
        options: list[JSON] = []
        poll_number = self._next_poll
        self._next_poll += 1
        for index, raw in enumerate(raw_options):
            spec: JSON = {"text": raw} if isinstance(raw, str) else raw
            text, entities = render_text(
                spec["text"], spec.get("text_parse_mode"), spec.get("text_entities"), auto=False
            )
            if not text or _u16(text) > 100:
                raise _bad("poll options length must be 1-100")
            option: JSON = {"persistent_id": f"p{poll_number}o{index}", "text": text}
            custom = [e for e in entities if e["type"] == "custom_emoji"]
            if custom:
                option["text_entities"] = custom
            option["voter_count"] = 0
            options.append(option)
        if len({o["text"] for o in options}) != len(options):
            raise _bad("POLL_OPTION_DUPLICATE")
        poll_type = params.get("type", "regular")
        if poll_type not in ("regular", "quiz"):
            raise _bad("wrong poll type specified")
        quiz = poll_type == "quiz"
        multiple = bool(params.get("allows_multiple_answers", False))
        poll: JSON = {
            "id": str(5_000_000_000_000_000_000 + poll_number),
            "question": question,
        }
        custom_q = [e for e in q_entities if e["type"] == "custom_emoji"]
        if custom_q:
            poll["question_entities"] = custom_q
        poll.update(
            options=options,
            total_voter_count=0,
            is_closed=bool(params.get("is_closed", False)),
            is_anonymous=bool(params.get("is_anonymous", True)),
            type=poll_type,
            allows_multiple_answers=multiple,
            allows_revoting=bool(params.get("allows_revoting", not quiz)),
            members_only=bool(params.get("members_only", False)),
        )
        if quiz:
            correct = params.get("correct_option_ids")
            if not correct:
                raise _bad("correct_option_ids must be specified for quiz polls")
            if sorted(set(correct)) != correct or not all(0 <= i < len(options) for i in correct):
                raise _bad("wrong correct option ids specified")
            if len(correct) > 1 and not multiple:
                raise _bad("quiz polls with one answer must have exactly one correct option")
            poll["correct_option_ids"] = correct
            if "explanation" in params:
                explanation, e_entities = render_text(
                    params["explanation"],
                    params.get("explanation_parse_mode"),
                    params.get("explanation_entities"),
                )
                if _u16(explanation) > 200 or explanation.count("\n") > 2:
                    raise _bad("explanation must be 0-200 characters with at most 2 line feeds")
                if explanation:
                    poll["explanation"] = explanation
                if e_entities:
                    poll["explanation_entities"] = e_entities
        if "open_period" in params and "close_date" in params:
            raise _bad("open_period and close_date can't be used together")
        if "open_period" in params:
            if not 5 <= params["open_period"] <= 2628000:
                raise _bad("wrong open_period specified")
            poll["open_period"] = params["open_period"]
        if "close_date" in params:
            poll["close_date"] = params["close_date"]
        if params.get("description"):
            description, d_entities = render_text(
                params["description"],
                params.get("description_parse_mode"),
                params.get("description_entities"),
            )
            poll["description"] = description
            if d_entities:
                poll["description_entities"] = d_entities
        fields: JSON = {"poll": poll}
        self._apply_send_options(chat, params, fields)
        message = self._store_bot_message(chat, fields)
        self._polls[poll["id"]] = _PollState(chat.id, message["message_id"], poll)
        return message

    def _stop_poll(self, params: dict[str, Any]) -> JSON:
        """stopPoll."""
        chat, message = self._find_message(params, "message with poll to stop not found")
        if "poll" not in message or message.get("from", {}).get("id") != self.bot_id:
            raise _bad("message with poll to stop not found")
        state = self._polls[message["poll"]["id"]]
        if state.poll["is_closed"]:
            raise _bad("poll has already been closed")
        self._replace_poll(state, {**state.poll, "is_closed": True})
        markup = params.get("reply_markup")
        if markup is not None:
            _check_inline_keyboard(markup)
            updated = {**chat.messages[message["message_id"]], "reply_markup": markup}
            self._replace_message(chat, updated)
        if self.poll_updates:
            self.push_update("poll", state.poll)
        return state.poll

    def _answer_callback_query(self, params: dict[str, Any]) -> bool:
        """answerCallbackQuery (once per query, within 15 seconds)."""
        query_id = params["callback_query_id"]
        callback = self._callbacks.get(query_id)
        expired = callback is None or self._clock() - callback.created > _CALLBACK_QUERY_TTL
        if callback is None or callback.answered or expired:
            raise _bad("query is too old and response timeout expired or query ID is invalid")
        if len(params.get("text", "")) > 200:
            raise _bad("MESSAGE_TOO_LONG")
        callback.answered = True
        self.callback_answers[query_id] = dict(params)
        return True

    def _set_message_reaction(self, params: dict[str, Any]) -> bool:
        """setMessageReaction."""
        chat, message = self._find_message(params, "MESSAGE_ID_INVALID")
        reaction = params.get("reaction", [])
        for item in reaction:
            if item.get("type") == "emoji" and item.get("emoji") not in self.spec.reaction_emoji:
                raise _bad("REACTION_INVALID")
        if len(reaction) > 1:
            raise _bad("REACTIONS_TOO_MANY")
        chat.reactions[message["message_id"]] = list(reaction)
        return True

    def _get_chat_member(self, params: dict[str, Any]) -> JSON:
        """getChatMember."""
        chat = self._writable_chat(params["chat_id"])
        user_id = params["user_id"]
        if user_id == self.bot_id:
            return self._member_json(chat, self._bot, chat.bot_status)
        user = self._users.get(user_id)
        if user is None:
            raise _bad("user not found")
        if chat.type == "private":
            status = "member" if user_id == chat.id else "left"
        else:
            status = chat.members.get(user_id, "left")
        return self._member_json(chat, user, status)

    def _get_chat_administrators(self, params: dict[str, Any]) -> list[JSON]:
        """getChatAdministrators."""
        chat = self._writable_chat(params["chat_id"])
        if chat.type == "private":
            raise _bad("there are no administrators in the private chat")
        admins = [
            self._member_json(chat, self._users[uid], status)
            for uid, status in sorted(chat.members.items(), key=lambda item: item[1] != "creator")
            if status in ("creator", "administrator")
            and (not self._users[uid]["is_bot"] or params.get("return_bots"))
        ]
        if chat.bot_status in ("administrator", "creator"):
            admins.append(self._member_json(chat, self._bot, chat.bot_status))
        return admins

    def _get_chat(self, params: dict[str, Any]) -> JSON:
        """getChat (ChatFullInfo)."""
        chat = self._writable_chat(params["chat_id"])
        info: JSON = {
            **chat.json,
            "accent_color_id": abs(chat.id) % 7,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": True,
                "limited_gifts": True,
                "unique_gifts": True,
                "premium_subscription": True,
                "gifts_from_channels": True,
            },
        }
        if chat.type != "private":
            info["permissions"] = {
                "can_send_messages": True,
                "can_send_polls": True,
                "can_send_other_messages": True,
                "can_add_web_page_previews": True,
                "can_change_info": False,
                "can_invite_users": True,
                "can_pin_messages": False,
            }
        return info

    def _set_my_commands(self, params: dict[str, Any]) -> bool:
        """setMyCommands."""
        commands = params["commands"]
        if len(commands) > 100:
            raise _bad("BOT_COMMANDS_TOO_MUCH")
        for command in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", command["command"]):
                raise _bad("BOT_COMMAND_INVALID")
            if not 1 <= len(command["description"]) <= 256:
                raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
        key = _scope_key(params.get("scope"), params.get("language_code", ""))
        if commands:
            self._commands[key] = [
                {"command": c["command"], "description": c["description"]} for c in commands
            ]
        else:
            self._commands.pop(key, None)
        return True

    def _get_my_commands(self, params: dict[str, Any]) -> list[JSON]:
        """getMyCommands."""
        key = _scope_key(params.get("scope"), params.get("language_code", ""))
        return list(self._commands.get(key, []))

    def _delete_my_commands(self, params: dict[str, Any]) -> bool:
        """deleteMyCommands."""
        self._commands.pop(_scope_key(params.get("scope"), params.get("language_code", "")), None)
        return True

    def _send_chat_action(self, params: dict[str, Any]) -> bool:
        """sendChatAction."""
        self._writable_chat(params["chat_id"])
        if params["action"] not in _CHAT_ACTIONS:
            raise _bad("wrong parameter action in request")
        return True


# --------------------------------------------------------------------------------------------
# module helpers
# --------------------------------------------------------------------------------------------


async def _read_params(request: web.Request) -> dict[str, Any]:
    """Collect query-string, form, multipart or JSON parameters."""
    params: dict[str, Any] = dict(request.query)
    if request.method not in ("POST", "PUT") or not request.can_read_body:
        return params
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise _bad("can't parse JSON body") from None
        if not isinstance(body, dict):
            raise _bad("JSON body must be an object")
        params.update(body)
        return params
    form = await request.post()
    for key in form:
        if key in params:
            continue
        value = form[key]
        if isinstance(value, web.FileField):
            params[key] = value.file.read()
        else:
            params[key] = value
    return params


def _json_response(status: int, body: JSON) -> web.Response:
    """Serialize a JSON answer."""
    return web.Response(
        status=status,
        body=json.dumps(body, ensure_ascii=False).encode("utf-8"),
        content_type="application/json",
    )


def _without_reply(message: JSON) -> JSON:
    """A message as nested in reply_to_message (without its own reply)."""
    return {k: v for k, v in message.items() if k != "reply_to_message"}


def _check_inline_keyboard(markup: JSON) -> None:
    """Apply Telegram's extra checks on inline keyboards."""
    rows = markup.get("inline_keyboard")
    if rows is None:
        return
    if sum(len(row) for row in rows) > 100:
        raise _bad("reply markup is too long")
    for row in rows:
        for button in row:
            actions = [a for a in _BUTTON_ACTIONS if a in button]
            if not actions:
                raise _bad(
                    "can't parse inline keyboard button: "
                    "Text buttons are unallowed in the inline keyboard"
                )
            if "callback_data" in button:
                size = len(str(button["callback_data"]).encode("utf-8"))
                if not 1 <= size <= 64:
                    raise _bad("BUTTON_DATA_INVALID")


def _scope_key(scope: JSON | None, language_code: str) -> tuple[str, str]:
    """Key of a setMyCommands scope/language pair."""
    normalized = scope if scope and scope.get("type") != "default" else {"type": "default"}
    return json.dumps(normalized, sort_keys=True), language_code or ""


def _return_types(returns: tuple[str, ...]) -> tuple[str, ...]:
    """Map api.json return descriptions to type expressions."""
    return tuple("Boolean" if r == "True" else r for r in returns)


# --------------------------------------------------------------------------------------------
# In a process of its own
# --------------------------------------------------------------------------------------------


class FakeBotApiProcess:
    """A FakeBotApi in a child process with its own event loop (and core), driven by calls.

    Benchmarks use it so that the server's work does not share the bot's event loop. ``call``
    runs ``function(api, *args)`` in the child (awaiting it when it is a coroutine function) and
    returns its result; ``function`` must be importable by name and its result picklable.
    """

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._connection: Connection | None = None
        self._process: multiprocessing.process.BaseProcess | None = None
        self.token = ""
        self.base_url = ""
        self.base_file_url = ""

    def start(self) -> Self:
        """Spawn the child and wait until its server listens."""
        context = multiprocessing.get_context("spawn")
        parent, child = context.Pipe()
        self._process = context.Process(
            target=_serve_in_process, args=(child, self._options), daemon=True
        )
        self._process.start()
        child.close()
        self._connection = parent
        self.token, self.base_url, self.base_file_url = self._receive()
        return self

    @overload
    def call(
        self,
        function: Callable[Concatenate[FakeBotApi, _P], Awaitable[_T]],
        *args: _P.args,
        **kwargs: _P.kwargs,
    ) -> _T: ...

    @overload
    def call(
        self,
        function: Callable[Concatenate[FakeBotApi, _P], _T],
        *args: _P.args,
        **kwargs: _P.kwargs,
    ) -> _T: ...

    def call(
        self,
        function: Callable[Concatenate[FakeBotApi, _P], Awaitable[_T] | _T],
        *args: _P.args,
        **kwargs: _P.kwargs,
    ) -> _T:
        """Run ``function(api, *args, **kwargs)`` in the child and return its result."""
        if self._connection is None:
            raise RuntimeError("FakeBotApiProcess is not running")
        self._connection.send((function, args, kwargs))
        result: _T = self._receive()
        return result

    @overload
    async def acall(
        self,
        function: Callable[Concatenate[FakeBotApi, _P], Awaitable[_T]],
        *args: _P.args,
        **kwargs: _P.kwargs,
    ) -> _T: ...

    @overload
    async def acall(
        self,
        function: Callable[Concatenate[FakeBotApi, _P], _T],
        *args: _P.args,
        **kwargs: _P.kwargs,
    ) -> _T: ...

    async def acall(
        self,
        function: Callable[Concatenate[FakeBotApi, _P], Any],
        *args: _P.args,
        **kwargs: _P.kwargs,
    ) -> Any:
        """``call`` from a thread, so the caller's event loop keeps running meanwhile."""
        return await asyncio.to_thread(lambda: self.call(function, *args, **kwargs))

    def stop(self) -> None:
        """Stop the server and end the child."""
        connection, process = self._connection, self._process
        self._connection = self._process = None
        if connection is not None:
            with contextlib.suppress(OSError):
                connection.send(None)
            connection.close()
        if process is not None:
            process.join(10)
            if process.is_alive():
                process.terminate()
                process.join()

    def __enter__(self) -> Self:
        """Start the child."""
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop the child."""
        self.stop()

    def _receive(self) -> Any:
        """The child's next answer; its exceptions come back as RuntimeError."""
        assert self._connection is not None
        ok, value = self._connection.recv()
        if not ok:
            raise RuntimeError(f"in the fake Bot API process: {value}")
        return value


def _serve_in_process(connection: Connection, options: dict[str, Any]) -> None:
    """The child's entry point."""
    asyncio.run(_serve_calls(connection, options))


async def _serve_calls(connection: Connection, options: dict[str, Any]) -> None:
    """Run the server and execute the parent's calls one after the other."""
    loop = asyncio.get_running_loop()
    async with FakeBotApi(**options) as api:
        connection.send((True, (api.token, api.base_url, api.base_file_url)))
        while True:
            try:
                request = await loop.run_in_executor(None, connection.recv)
            except EOFError:
                break
            if request is None:
                break
            function, args, kwargs = request
            try:
                result = function(api, *args, **kwargs)
                if inspect.isawaitable(result):
                    result = await result
            except Exception as exc:
                connection.send((False, f"{type(exc).__name__}: {exc}"))
            else:
                connection.send((True, result))

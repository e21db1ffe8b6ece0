"""Settings: a TOML file plus environment overrides, parsed once into frozen dataclasses."""

from __future__ import annotations

import os
import re
import tomllib
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Union, get_args, get_origin, get_type_hints
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_CONFIG_FILE = "config.toml"
TIME_PATTERN = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
SECRET_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,256}")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class ConfigError(Exception):
    """The configuration cannot be used; the message names the key and the file."""


@dataclass(frozen=True)
class TelegramSettings:
    """How to reach the Bot API and who may run owner commands."""

    token: str = field(default="", repr=False)
    base_url: str = "https://api.telegram.org/bot"
    base_file_url: str = "https://api.telegram.org/file/bot"
    owners: tuple[int, ...] = ()
    mode: str = "polling"
    rate_limit: bool = True
    http_client: str = "aiohttp"


@dataclass(frozen=True)
class DiscordSettings:
    """How to reach Discord: the bot token, the REST base (the gateway URL comes from it)."""

    token: str = field(default="", repr=False)
    api_base_url: str = "https://discord.com/api/v10"
    gateway_url: str = ""
    sync_commands: bool = True


@dataclass(frozen=True)
class WebhookSettings:
    """Where the webhook server listens and which URL Telegram calls."""

    listen: str = "127.0.0.1"
    port: int = 8443
    url: str = ""
    path: str = "telegram"
    secret_token: str = field(default="", repr=False)


@dataclass(frozen=True)
class HealthSettings:
    """The health port, in both modes (0: off; webhook mode also serves it on its own port)."""

    listen: str = "127.0.0.1"
    port: int = 0
    path: str = "/healthz"


@dataclass(frozen=True)
class DatabaseSettings:
    """The SQLAlchemy URL of the store."""

    url: str = "sqlite+aiosqlite:///data/quizbot.db"


@dataclass(frozen=True)
class BankSettings:
    """Where the question bank lives."""

    path: str = "content/questions.yaml"


@dataclass(frozen=True)
class QuizSettings:
    """Grading and scheduling defaults for new chats."""

    pass_mark: float = 0.6
    default_time: str = "09:00"
    default_zone: str = "Asia/Shanghai"
    default_language: str = "zh"
    weekdays: tuple[str, ...] = WEEKDAYS
    reveal_after_hours: int = 12
    grace_minutes: int = 60
    tick_seconds: float = 20.0
    lease_seconds: int = 300


@dataclass(frozen=True)
class Settings:
    """Everything the bot reads from its configuration."""

    telegram: TelegramSettings = TelegramSettings()
    discord: DiscordSettings = DiscordSettings()
    webhook: WebhookSettings = WebhookSettings()
    health: HealthSettings = HealthSettings()
    database: DatabaseSettings = DatabaseSettings()
    bank: BankSettings = BankSettings()
    quiz: QuizSettings = QuizSettings()
    source: str = "defaults"


def _check_zone(value: Any) -> str | None:
    try:
        ZoneInfo(str(value))
    except (ZoneInfoNotFoundError, ValueError):
        return "must be an IANA time zone such as Asia/Shanghai or Europe/Berlin"
    return None


def _check_time(value: Any) -> str | None:
    return None if TIME_PATTERN.match(str(value)) else "must be a time of day HH:MM, e.g. 09:00"


def _check_fraction(value: Any) -> str | None:
    return None if 0 < float(value) <= 1 else "must be a number above 0 and at most 1"


def _in_range(low: float, high: float, unit: str) -> Callable[[Any], str | None]:
    """A check that the number is from `low` to `high` (which also rejects nan and inf)."""

    def check(value: Any) -> str | None:
        if low <= float(value) <= high:
            return None
        return f"must be from {low:g} to {high:g} {unit}"

    return check


def _check_owners(value: Any) -> str | None:
    if all(0 < owner < 2**53 for owner in value):
        return None
    return "must be a list of Telegram user ids (positive whole numbers)"


def _check_mode(value: Any) -> str | None:
    return None if value in ("polling", "webhook") else "must be polling or webhook"


def _check_weekdays(value: Any) -> str | None:
    bad = [day for day in value if day not in WEEKDAYS]
    if bad or not value:
        return f"must be a non-empty list of {', '.join(WEEKDAYS)}"
    return None


def _check_port(value: Any) -> str | None:
    return None if 0 < int(value) < 65536 else "must be a port number from 1 to 65535"


def _check_port_or_off(value: Any) -> str | None:
    return None if 0 <= int(value) < 65536 else "must be 0 (off) or a port number up to 65535"


def _check_secret(value: Any) -> str | None:
    if SECRET_PATTERN.fullmatch(str(value)):
        return None
    return "must be 1-256 characters of A-Z, a-z, 0-9, _ and - (Telegram's rule)"


def _check_url_path(value: Any) -> str | None:
    return None if str(value).startswith("/") else "must start with /"


def _check_http_url(value: Any) -> str | None:
    ok = str(value).startswith(("https://", "http://")) and not str(value).endswith("/")
    return None if ok else "must be an http(s) URL without a trailing slash"


def _check_ws_url(value: Any) -> str | None:
    ok = not value or str(value).startswith(("wss://", "ws://"))
    return None if ok else "must be empty (ask the API) or a ws(s):// URL"


CHECKS: Mapping[str, Callable[[Any], str | None]] = {
    "quiz.default_zone": _check_zone,
    "quiz.default_time": _check_time,
    "quiz.pass_mark": _check_fraction,
    "quiz.weekdays": _check_weekdays,
    "quiz.reveal_after_hours": _in_range(0, 24, "hours (0: at the next post)"),
    "quiz.grace_minutes": _in_range(0, 24 * 60, "minutes"),
    "quiz.tick_seconds": _in_range(1, 3600, "seconds"),
    "quiz.lease_seconds": _in_range(5, 3600, "seconds"),
    "telegram.owners": _check_owners,
    "quiz.default_language": lambda v: None if v in ("zh", "en") else "must be zh or en",
    "telegram.mode": _check_mode,
    "telegram.http_client": lambda v: (
        None if v in ("aiohttp", "httpx") else "must be aiohttp or httpx"
    ),
    "webhook.port": _check_port,
    "webhook.secret_token": _check_secret,
    "health.port": _check_port_or_off,
    "health.path": _check_url_path,
    "discord.api_base_url": _check_http_url,
    "discord.gateway_url": _check_ws_url,
}


SECRET_KEYS = frozenset({"telegram.token", "webhook.secret_token"})
"""Keys whose values never appear in an error message."""

ENVIRONMENT: Mapping[str, str] = {
    "BOT_TOKEN": "telegram.token",
    "DISCORD_TOKEN": "discord.token",
    "QUIZBOT_MODE": "telegram.mode",
    "QUIZBOT_WEBHOOK_URL": "webhook.url",
    "QUIZBOT_WEBHOOK_LISTEN": "webhook.listen",
    "QUIZBOT_WEBHOOK_PORT": "webhook.port",
    "QUIZBOT_WEBHOOK_SECRET": "webhook.secret_token",
    "QUIZBOT_HEALTH_LISTEN": "health.listen",
    "QUIZBOT_HEALTH_PORT": "health.port",
    "DATABASE_URL": "database.url",
    "QUIZBOT_BANK": "bank.path",
}
"""Environment variables that override one configuration key each (after the TOML file)."""


def _type_name(kind: Any) -> str:
    names = {str: "a text", int: "a whole number", float: "a number", bool: "true or false"}
    if get_origin(kind) is tuple:
        return f"a list of {_type_name(get_args(kind)[0]).removeprefix('a ')}s"
    return names.get(kind, str(kind))


def _coerce(kind: Any, value: Any) -> Any:
    """The value as `kind`, or raise TypeError."""
    if get_origin(kind) in (Union, types.UnionType):
        return _coerce(next(k for k in get_args(kind) if k is not type(None)), value)
    if get_origin(kind) is tuple:
        if not isinstance(value, list):
            raise TypeError
        return tuple(_coerce(get_args(kind)[0], item) for item in value)
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if kind in (int, float, str) and isinstance(value, bool):
        raise TypeError
    if not isinstance(value, kind):
        raise TypeError
    return value


def _section(cls: type[Any], name: str, table: Any, where: str) -> Any:
    if not isinstance(table, dict):
        raise ConfigError(f"`{name}` in {where} must be a table ([{name}])")
    hints = get_type_hints(cls)
    known = {f.name for f in fields(cls)}
    values: dict[str, Any] = {}
    for key, raw in table.items():
        dotted = f"{name}.{key}"
        if key not in known:
            raise ConfigError(
                f"unknown key `{dotted}` in {where}; known keys: {', '.join(sorted(known))}"
            )
        shown = "(hidden)" if dotted in SECRET_KEYS else repr(raw)
        try:
            value = _coerce(hints[key], raw)
        except TypeError:
            raise ConfigError(
                f"`{dotted}` in {where} must be {_type_name(hints[key])}, not {shown}"
            ) from None
        check = CHECKS.get(dotted)
        problem = check(value) if check else None
        if problem:
            raise ConfigError(f"`{dotted}` in {where} {problem}, not {shown}")
        values[key] = value
    return cls(**values)


def _config_path(environ: Mapping[str, str]) -> Path | None:
    explicit = environ.get("QUIZBOT_CONFIG")
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise ConfigError(f"QUIZBOT_CONFIG names {explicit}, which is not a file")
        return path
    default = Path(DEFAULT_CONFIG_FILE)
    return default if default.is_file() else None


def parse_settings(data: Mapping[str, Any], where: str) -> Settings:
    """Settings from a parsed TOML document; `where` names the file in error messages."""
    sections = {f.name: get_type_hints(Settings)[f.name] for f in fields(Settings)}
    sections.pop("source")
    parsed: dict[str, Any] = {}
    for name, table in data.items():
        if name not in sections:
            raise ConfigError(
                f"unknown section `{name}` in {where}; known: {', '.join(sorted(sections))}"
            )
        parsed[name] = _section(sections[name], name, table, where)
    return Settings(**parsed, source=where)


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read the TOML file (QUIZBOT_CONFIG or ./config.toml, if any) and apply the environment."""
    env = os.environ if environ is None else environ
    path = _config_path(env)
    settings = Settings()
    if path is not None:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path} is not valid TOML: {exc}") from None
        except UnicodeDecodeError as exc:
            raise ConfigError(
                f"{path} is not UTF-8 text (byte {exc.start}): save it as UTF-8"
            ) from None
        except OSError as exc:
            raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
        settings = parse_settings(data, str(path))
    for variable, dotted in ENVIRONMENT.items():
        raw = env.get(variable, "").strip()
        if raw:
            settings = _override(settings, variable, dotted, raw)
    return settings


def _override(settings: Settings, variable: str, dotted: str, raw: str) -> Settings:
    """Settings with one key set from an environment variable, checked like the file's."""
    section, key = dotted.split(".")
    current = getattr(settings, section)
    kind = get_type_hints(type(current))[key]
    value: Any = raw
    if kind is int:
        if not re.fullmatch(r"[0-9]{1,9}", raw):  # str.isdigit() also takes "²" and "١"
            raise ConfigError(f"{variable} must be a whole number, not {raw!r}")
        value = int(raw)
    check = CHECKS.get(dotted)
    problem = check(value) if check else None
    if problem:
        shown = "(hidden)" if "SECRET" in variable or "TOKEN" in variable else repr(raw)
        raise ConfigError(f"{variable} {problem}, not {shown}")
    return replace(settings, **{section: replace(current, **{key: value})})

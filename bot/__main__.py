"""The `quizbot` command: run | try | check-bank | import-markdown | migrate | backup |
copy-db | health."""

from __future__ import annotations

import argparse
import logging
import sys
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path

from bot.config import ConfigError, Settings, load_settings
from bot.problems import report_problems
from bot.quiz.bank.loader import load_bank
from bot.quiz.bank.problems import BankError
from bot.quiz.bank.summary import BankSummary, summarize
from bot.redaction import install_logging, redact, register, url_password

ROLES = ("all", "updates", "scheduler")
EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_CONFIG = 2

NO_TOKEN = (
    "quizbot needs a bot token in BOT_TOKEN: create a bot with @BotFather in Telegram "
    "(/newbot) and run `BOT_TOKEN=123456:ABC... make run`, or try the quiz in your "
    "terminal without a token with `make try`. For Discord, set DISCORD_TOKEN instead (or too): "
    "see the README's Discord section."
)
NO_DISCORD_TOKEN = (
    "quizbot needs a Discord bot token in DISCORD_TOKEN (or [discord] token): create an "
    "application in the Discord Developer Portal, add a bot and copy its token; the README's "
    "Discord section has the steps and the invite URL."
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="quizbot", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = sub.add_parser(
        "run", help="run the bot on every platform with a token (BOT_TOKEN, DISCORD_TOKEN)"
    )
    run.add_argument("--webhook", action="store_true", help="receive updates by webhook")
    run.add_argument(
        "--role",
        choices=ROLES,
        default="all",
        help="all: updates and schedule; updates: answer users only; scheduler: post only",
    )
    run.add_argument(
        "--platform",
        action="append",
        choices=("telegram", "discord"),
        help="run only this platform (repeatable; default: every platform with a token)",
    )
    trial = sub.add_parser("try", help="play the quiz in this terminal, no token needed")
    trial.add_argument("--bank", type=Path, help="bank file (default: the configured bank)")
    trial.add_argument("--db", help="SQLite file for the terminal session's scores")
    check = sub.add_parser("check-bank", help="validate a question bank and summarise it")
    check.add_argument("path", nargs="?", type=Path, help="bank file (default: configured)")
    check.add_argument("--stats", action="store_true", help="also list every tag")
    imp = sub.add_parser("import-markdown", help="turn Markdown Q&A notes into bank entries")
    imp.add_argument("notes", type=Path, help="the notes file")
    imp.add_argument("--out", type=Path, help="write the YAML here (default: standard output)")
    imp.add_argument("--prefix", default="", help="prefix for the generated ids")
    imp.add_argument("--force", action="store_true", help="replace an existing --out file")
    sub.add_parser("migrate", help="apply pending database migrations")
    copy = sub.add_parser("backup", help="copy the SQLite database, safely while the bot runs")
    copy.add_argument("destination", type=Path, help="the copy's file name")
    copy.add_argument("--force", action="store_true", help="replace an existing file")
    move = sub.add_parser("copy-db", help="copy all data into an empty database (bot stopped)")
    move.add_argument("--from", dest="source", required=True, help="the database URL to read")
    move.add_argument("--to", dest="target", required=True, help="an empty database's URL")
    health = sub.add_parser("health", help="ask the running bot's health endpoint (exit 0: ok)")
    health.add_argument("--url", help="the endpoint (default: from the configuration)")
    parser.add_argument(
        "--verbose", action="store_true", help="log more (Alembic's migration steps included)"
    )
    return parser


def fail(message: str, code: int = EXIT_CONFIG) -> int:
    """Print one line on stderr, secrets masked, and return the exit code."""
    print(redact(message), file=sys.stderr)
    return code


def _database(url: str, origin: str = "DATABASE_URL or [database] url") -> str | None:
    """Open (and migrate) the database once; None, or the one line saying why it cannot be."""
    from bot.storage.check import DatabaseProblem, prepare

    try:
        prepare(url, origin)
    except DatabaseProblem as exc:
        return str(exc)
    return None


def _print_summary(path: Path, summary: BankSummary, *, all_tags: bool) -> None:
    print(f"{path}: OK, {summary.ready} ready questions, {summary.drafts} drafts")
    print("  by kind:       " + ", ".join(f"{k} {n}" for k, n in summary.by_kind.items()))
    print("  by difficulty: " + ", ".join(f"{d}: {n}" for d, n in summary.by_difficulty.items()))
    print("  by topic:      " + ", ".join(f"{t} {n}" for t, n in summary.by_topic.items()))
    tags = summary.by_tag.items() if all_tags else list(summary.by_tag.items())[:15]
    print("  by tag:        " + ", ".join(f"{t} {n}" for t, n in tags))


def check_bank(path: Path, *, all_tags: bool = False) -> int:
    """Print a bank's summary (exit 0) or every problem with file:line and id (exit 1)."""
    try:
        bank = load_bank(path)
    except BankError as exc:
        report_problems(str(path), exc)
        return EXIT_PROBLEMS
    _print_summary(path, summarize(bank), all_tags=all_tags)
    from bot.quiz.bank_checks import warnings

    found = warnings(bank)
    for line in found:
        print(f"warning: {line}")
    if found:
        print(f"  {len(found)} warnings (a key point term in the question or in a wrong answer)")
    return EXIT_OK


def _import_markdown(args: argparse.Namespace) -> int:
    from bot.output import OutputError, write_text
    from bot.quiz.importer import import_notes, render_yaml

    try:
        text = args.notes.read_text(encoding="utf-8")
    except OSError as exc:
        return fail(f"cannot read {args.notes}: {exc.strerror or exc}")
    except UnicodeDecodeError:
        return fail(f"cannot read {args.notes}: it is not UTF-8 text")
    result = import_notes(text, prefix=args.prefix)
    output = render_yaml(result)
    if args.out:
        try:
            write_text(
                args.out,
                output,
                force=args.force,
                protected=[args.notes],
                why="the notes being imported",
            )
        except OutputError as exc:
            return fail(str(exc))
    else:
        sys.stdout.write(output)
    for line in result.report():
        print(line, file=sys.stderr)
    return EXIT_OK


def _run(settings: Settings, args: argparse.Namespace) -> int:
    from bot.platforms import chosen_platforms, run_platforms

    platforms, missing = chosen_platforms(settings, args.platform)
    if not platforms or missing == ["telegram"]:
        print(NO_TOKEN, file=sys.stderr)
        return EXIT_CONFIG
    if missing:
        print(NO_DISCORD_TOKEN, file=sys.stderr)
        return EXIT_CONFIG
    problem = _database(settings.database.url)
    if problem:
        return fail(f"quizbot will not start: {problem}")
    if platforms == ["telegram"]:
        from bot.telegram_adapter.runner import run_bot

        return run_bot(settings, webhook=args.webhook, role=args.role)
    return run_platforms(settings, platforms, webhook=args.webhook, role=args.role)


def _try(settings: Settings, args: argparse.Namespace) -> int:
    from bot.console_adapter.session import default_db, run_console

    problem = _database(f"sqlite+aiosqlite:///{args.db or default_db()}", "--db")
    if problem:
        return fail(problem)

    return run_console(settings, bank_path=args.bank, db=args.db)


def _migrate(settings: Settings) -> int:
    problem = _database(settings.database.url)
    if problem:
        return fail(problem)
    print("database is up to date")
    return EXIT_OK


def _backup(settings: Settings, args: argparse.Namespace) -> int:
    from bot.storage.backup import BackupError, backup

    try:
        size = backup(settings.database.url, args.destination, force=args.force)
    except BackupError as exc:
        return fail(str(exc))
    print(f"backed up to {args.destination} ({size // 1024} KiB)")
    return EXIT_OK


def _copy_db(args: argparse.Namespace) -> int:
    import asyncio

    from bot.storage.check import DatabaseProblem, describe, parse, shown
    from bot.storage.copy import CopyError, copy_database

    try:
        parse(args.source, "--from")
        parse(args.target, "--to")
        copied = asyncio.run(copy_database(args.source, args.target))
    except (CopyError, DatabaseProblem) as exc:
        return fail(str(exc))
    except Exception as exc:
        return fail(describe(args.target, exc))
    rows = ", ".join(f"{name} {count}" for name, count in copied.items())
    print(f"copied {shown(args.source)} to {shown(args.target)}: {rows}")
    return EXIT_OK


def health_url(settings: Settings) -> str | None:
    """Where the running bot serves its health endpoint, or None when it serves none."""
    if settings.health.port:  # served in both modes, so `run --webhook` needs no other setting
        listen, port = settings.health.listen, settings.health.port
    elif settings.telegram.mode == "webhook":
        listen, port = settings.webhook.listen, settings.webhook.port
    else:
        return None
    host = "127.0.0.1" if listen in ("0.0.0.0", "") else listen
    host = "[::1]" if host == "::" else host
    return f"http://{host}:{port}{settings.health.path}"


def _health(settings: Settings, args: argparse.Namespace) -> int:
    url = args.url or health_url(settings)
    if url is None:
        print(
            "quizbot serves no health endpoint in polling mode unless QUIZBOT_HEALTH_PORT "
            "(or [health] port) is set",
            file=sys.stderr,
        )
        return EXIT_CONFIG
    try:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never a proxy
        with opener.open(url, timeout=10) as response:
            print(response.read().decode())
            return EXIT_OK
    except urllib.error.HTTPError as exc:
        print(f"unhealthy ({exc.code}): {exc.read().decode()}", file=sys.stderr)
    except (urllib.error.URLError, OSError) as exc:
        print(f"cannot reach {url}: {exc}", file=sys.stderr)
    return EXIT_PROBLEMS


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and run one command; return the exit code."""
    args = _parser().parse_args(argv)
    install_logging(logging.INFO if args.command == "run" or args.verbose else logging.WARNING)
    # Alembic logs each migration step at INFO: noise at every start unless asked for.
    logging.getLogger("alembic").setLevel(logging.INFO if args.verbose else logging.WARNING)
    try:
        settings = load_settings()
    except ConfigError as exc:
        return fail(f"configuration error: {exc}")
    register(
        settings.telegram.token,
        settings.discord.token,
        settings.webhook.secret_token,
        url_password(settings.database.url),
    )
    if args.command == "check-bank":
        return check_bank(args.path or Path(settings.bank.path), all_tags=args.stats)
    if args.command == "import-markdown":
        return _import_markdown(args)
    if args.command == "run":
        return _run(settings, args)
    if args.command == "try":
        return _try(settings, args)
    if args.command == "backup":
        return _backup(settings, args)
    if args.command == "health":
        return _health(settings, args)
    if args.command == "copy-db":
        register(url_password(args.source), url_password(args.target))
        return _copy_db(args)
    return _migrate(settings)


if __name__ == "__main__":
    sys.exit(main())

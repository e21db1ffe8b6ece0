"""The domain stays free of chat platforms and SQL."""

from __future__ import annotations

import ast
import subprocess
import sys
from dataclasses import fields, is_dataclass
from pathlib import Path


def test_importing_the_domain_loads_neither_telegram_nor_sqlalchemy() -> None:
    code = (
        "import sys, pkgutil, importlib, bot.quiz\n"
        "for m in pkgutil.iter_modules(bot.quiz.__path__): importlib.import_module('bot.quiz.' + m.name)\n"
        "bad = sorted(n for n in sys.modules if n.split('.')[0] in ('telegram', 'discord', 'sqlalchemy', 'aiosqlite', 'asyncpg'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


ROOT = Path(__file__).resolve().parents[2] / "bot"
ADAPTERS = ("telegram_adapter", "console_adapter", "discord_adapter")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def _modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py")) if (ROOT / package).exists() else []


def test_the_domain_names_no_platform() -> None:
    for path in _modules("quiz"):
        roots = {name.split(".")[0] for name in _imports(path)}
        assert not roots & {"telegram", "discord", "sqlalchemy", "aiosqlite", "asyncpg"}, path


def test_domain_records_carry_no_message_or_poll_ids() -> None:
    from bot.quiz import records
    from bot.quiz.service import results

    for module in (records, results):
        for value in vars(module).values():
            # MessageRef is the one place such ids live: opaque strings only adapters read.
            if isinstance(value, type) and is_dataclass(value) and value is not records.MessageRef:
                names = {f.name for f in fields(value)}
                assert not {n for n in names if "message" in n or "poll" in n}, value


def test_no_adapter_touches_the_store() -> None:
    for adapter in ADAPTERS:
        for path in _modules(adapter):
            imported = _imports(path)
            assert not {n for n in imported if n.startswith("bot.storage")}, path
            assert "bot.quiz.ports" not in imported, path
            source = path.read_text(encoding="utf-8")
            assert ".db." not in source and ".store." not in source, path


def test_adapters_do_not_import_each_other() -> None:
    for adapter in ADAPTERS:
        others = [a for a in ADAPTERS if a != adapter]
        for path in _modules(adapter):
            for name in _imports(path):
                assert not any(name.startswith(f"bot.{other}") for other in others), path


def test_only_the_discord_adapter_imports_discord() -> None:
    # bot/platforms.py runs several platforms in one process; it names discord only to catch
    # its login failure.
    allowed = {ROOT / "platforms.py"}
    for path in sorted(ROOT.rglob("*.py")):
        if "discord_adapter" in path.parts or path in allowed:
            continue
        roots = {name.split(".")[0] for name in _imports(path)}
        assert "discord" not in roots, path

"""The domain stays free of chat platforms and SQL."""

from __future__ import annotations

import subprocess
import sys


def test_importing_the_domain_loads_neither_telegram_nor_sqlalchemy() -> None:
    code = (
        "import sys, pkgutil, importlib, bot.quiz\n"
        "for m in pkgutil.iter_modules(bot.quiz.__path__): importlib.import_module('bot.quiz.' + m.name)\n"
        "bad = sorted(n for n in sys.modules if n.split('.')[0] in ('telegram', 'sqlalchemy', 'aiosqlite'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""

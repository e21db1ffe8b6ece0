"""The Telegram adapter: the only package that imports `telegram` (python-telegram-bot 22)."""

import os

# Opt in to PTB's timedelta durations now (RetryAfter.retry_after and friends), which also
# silences the deprecation warning PTB 22 raises for the int form.
os.environ.setdefault("PTB_TIMEDELTA", "1")

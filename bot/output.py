"""Write a command's output file without ever destroying what was there by accident.

Used by `import-markdown --out` and `backup`: the destination must not be one of the command's
inputs (the notes, the live database), must be a regular file or absent, and is replaced only
with --force; the text goes to a temporary file beside it that is renamed over it, so a full
disk or an error leaves the old file as it was.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path


class OutputError(Exception):
    """The output cannot be written there; the message is one line naming the path."""


def _same(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return Path(os.path.realpath(a)) == Path(os.path.realpath(b))


def destination_problem(
    destination: Path, *, force: bool, protected: Iterable[Path] = (), why: str = "an input"
) -> str | None:
    """Why `destination` must not be written, or None."""
    for path in protected:
        if _same(destination, path):
            return f"refusing to write over {destination}: it is {why}"
    try:
        mode = destination.stat().st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        return f"cannot write {destination}: {exc.strerror}"
    if mode is not None and stat.S_ISDIR(mode):
        return f"{destination} is a folder; name a file"
    if mode is not None and not stat.S_ISREG(mode):
        return f"refusing to write over {destination}: it is not a regular file"
    if mode is not None and not force:
        return f"{destination} already exists; add --force to replace it"
    if not destination.parent.is_dir():
        return f"cannot write {destination}: the folder {destination.parent} does not exist"
    if not os.access(destination.parent, os.W_OK | os.X_OK):
        return f"cannot write {destination}: the folder {destination.parent} is read-only"
    return None


def temporary_beside(destination: Path) -> Path:
    """An empty temporary file in the destination's folder (renamed over it when complete)."""
    try:
        handle, name = tempfile.mkstemp(
            prefix=f".{destination.name}.", suffix=".partial", dir=destination.parent
        )
    except OSError as exc:
        raise OutputError(f"cannot write {destination}: {exc.strerror}") from exc
    os.close(handle)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(name, 0o666 & ~umask)  # as an ordinary new file would be, not mkstemp's 0600
    return Path(name)


def write_text(
    destination: Path,
    text: str,
    *,
    force: bool = False,
    protected: Iterable[Path] = (),
    why: str = "an input",
) -> None:
    """Write `text` (UTF-8) to `destination` through a temporary file; OutputError if not."""
    problem = destination_problem(destination, force=force, protected=protected, why=why)
    if problem:
        raise OutputError(problem)
    partial = temporary_beside(destination)
    try:
        with partial.open("w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, destination)
    except OSError as exc:
        raise OutputError(f"cannot write {destination}: {exc.strerror or exc}") from exc
    finally:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)

"""A throw-away PostgreSQL server for the tests, started from the machine's own binaries.

`start_server()` runs `initdb` and `postgres` on 127.0.0.1, a free port and a temporary data
directory (trust authentication, user `quiz`, fsync off), and `PostgresServer.stop()` ends it by
its PID. PostgreSQL refuses to run as root, so under root (as here and in CI) both run as the
unprivileged `nobody`, which owns the temporary directory.

`fresh_database(base_url)` gives one test an empty database of its own and drops it afterwards.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

USER = "quiz"
BASE_DATABASE = "quiz"
UNPRIVILEGED = "nobody"  # who runs the server when the tests run as root
START_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0
INITDB_OPTIONS = ("-E", "UTF8", "--locale=C", "--no-sync")
# TCP on loopback only (no Unix socket), and no durability: the data dies with the session.
SERVER_OPTIONS = (
    *("-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="),
    *("-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"),
    *("-c", "max_connections=200"),
)
# Where distributions put the binaries; PATH and QUIZBOT_PG_BIN are searched first.
SEARCH = ("/usr/local/bin", "/usr/local/pgsql/bin", "/usr/lib/postgresql/*/bin", "/usr/pgsql-*/bin")


class PostgresUnavailable(Exception):
    """No PostgreSQL binaries here, or the server would not start; the message says which."""


def _version_key(path: Path) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", str(path))) or (0,)


def find_binaries() -> Path:
    """The directory holding `initdb` and `postgres`: $QUIZBOT_PG_BIN if set, else PATH, then the usual
    places, newest version first."""
    candidates: list[Path] = []
    if override := os.environ.get("QUIZBOT_PG_BIN"):  # exactly there, nowhere else
        candidates.append(Path(override))
    else:
        if on_path := shutil.which("initdb"):
            candidates.append(Path(on_path).parent)
        for pattern in SEARCH:
            matches = sorted(Path("/").glob(pattern.lstrip("/")), key=_version_key, reverse=True)
            candidates.extend(matches)
    for directory in candidates:
        # initdb looks for postgres next to its real path (/usr/local/bin may hold symlinks)
        real = Path(os.path.realpath(directory / "initdb")).parent
        if all(os.access(real / name, os.X_OK) for name in ("initdb", "postgres")):
            return real
    raise PostgresUnavailable(
        "no PostgreSQL server binaries (initdb, postgres) "
        + (f"in QUIZBOT_PG_BIN={override}" if override else "on PATH or in " + ", ".join(SEARCH))
        + "; install the server (Debian: apt-get install postgresql) to run these tests"
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class PostgresServer:
    """A running server: its postmaster process, port and data directory."""

    process: subprocess.Popen[bytes]
    port: int
    root: Path
    log: Path
    started_in: float
    stopped: bool = field(default=False)

    @property
    def pid(self) -> int:
        """The postmaster's PID."""
        return self.process.pid

    def url(self, database: str = BASE_DATABASE) -> str:
        """A SQLAlchemy URL for `database` on this server."""
        return f"postgresql+asyncpg://{USER}@127.0.0.1:{self.port}/{database}"

    def stop(self) -> None:
        """SIGINT (fast shutdown) to the postmaster, then SIGKILL if it lingers; delete the data."""
        if self.stopped:
            return
        self.stopped = True
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.root, ignore_errors=True)


@dataclass(frozen=True)
class RunAs:
    """Who runs initdb and postgres: the current user, or `nobody` (no extra groups) for root."""

    user: int | None = None
    group: int | None = None
    extra_groups: tuple[int, ...] | None = None


def _run_as() -> RunAs:
    if os.geteuid() != 0:
        return RunAs()
    try:
        entry = pwd.getpwnam(UNPRIVILEGED)
    except KeyError:
        raise PostgresUnavailable(
            f"running as root and there is no user {UNPRIVILEGED!r} to run PostgreSQL as"
        ) from None
    return RunAs(entry.pw_uid, entry.pw_gid, ())


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def _wait_ready(process: subprocess.Popen[bytes], data: Path, port: int, log: Path) -> None:
    """Until the postmaster says `ready` in postmaster.pid and accepts a TCP connection."""
    deadline = time.monotonic() + START_TIMEOUT
    pid_file = data / "postmaster.pid"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise PostgresUnavailable(f"postgres exited with {process.returncode}:\n{_tail(log)}")
        with contextlib.suppress(OSError):
            status = pid_file.read_text().splitlines()
            if len(status) >= 8 and status[7].strip() == "ready":
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    return
        time.sleep(0.02)
    raise PostgresUnavailable(f"postgres not ready after {START_TIMEOUT:.0f}s:\n{_tail(log)}")


def start_server() -> PostgresServer:
    """initdb a temporary directory and run postgres on it; raise PostgresUnavailable if not."""
    began = time.monotonic()
    binaries = find_binaries()
    run_as = _run_as()
    root = Path(tempfile.mkdtemp(prefix="quizbot-pg-"))
    try:
        if run_as.user is not None and run_as.group is not None:
            os.chown(root, run_as.user, run_as.group)
        data, log = root / "data", root / "postgres.log"
        env = {**os.environ, "LC_ALL": "C", "TZ": "UTC", "HOME": str(root)}
        initdb = subprocess.run(
            [str(binaries / "initdb"), "-D", str(data), "-A", "trust", "-U", USER, *INITDB_OPTIONS],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            user=run_as.user,
            group=run_as.group,
            extra_groups=run_as.extra_groups,
        )
        if initdb.returncode != 0:
            raise PostgresUnavailable(f"initdb failed ({initdb.returncode}):\n{initdb.stderr}")
        for attempt in range(3):  # the free port may be taken before postgres binds it
            port = _free_port()
            with log.open("ab") as sink:
                process = subprocess.Popen(
                    [str(binaries / "postgres"), "-D", str(data), "-p", str(port), *SERVER_OPTIONS],
                    cwd=root,
                    env=env,
                    stdin=subprocess.DEVNULL,
                    stdout=sink,
                    stderr=subprocess.STDOUT,
                    user=run_as.user,
                    group=run_as.group,
                    extra_groups=run_as.extra_groups,
                )
            server = PostgresServer(process, port, root, log, started_in=0.0)
            atexit.register(server.stop)
            try:
                _wait_ready(process, data, port, log)
            except PostgresUnavailable:
                server.stopped = True  # keep the directory for the next attempt
                if process.poll() is None:
                    process.kill()
                process.wait()
                if attempt == 2 or "could not bind" not in _tail(log):
                    raise
                continue
            # Its own loop on its own thread: the caller may be inside a running loop.
            with ThreadPoolExecutor(1) as pool:
                pool.submit(asyncio.run, create_database(server.url(), BASE_DATABASE)).result()
            server.started_in = time.monotonic() - began
            return server
        raise AssertionError("unreachable")
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise


def _connect_args(url: str) -> dict[str, object]:
    parsed = make_url(url)
    return {"host": parsed.host, "port": parsed.port, "user": parsed.username}


async def create_database(server_url: str, name: str) -> None:
    """CREATE DATABASE `name` on the server of `server_url`."""
    connection = await asyncpg.connect(database="postgres", **_connect_args(server_url))
    try:
        await connection.execute(f'CREATE DATABASE "{name}" OWNER "{USER}"')
    finally:
        await connection.close()


async def drop_database(server_url: str, name: str) -> None:
    """DROP DATABASE `name`, ending any connection still open on it."""
    connection = await asyncpg.connect(database="postgres", **_connect_args(server_url))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


@contextlib.asynccontextmanager
async def fresh_database(server_url: str) -> AsyncIterator[str]:
    """An empty database of its own on the server of `server_url`; yields its URL, then drops it."""
    name = f"test_{uuid.uuid4().hex[:16]}"
    await create_database(server_url, name)
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        await drop_database(server_url, name)

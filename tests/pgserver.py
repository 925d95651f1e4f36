"""A throwaway PostgreSQL 15 cluster for tests and CI, with nothing but the standard library.

    server = pgserver.start()            # a temp dir, a free port on 127.0.0.1, trust auth
    server.create_database("t1")
    url = server.url("t1")               # postgresql+psycopg://postgres@127.0.0.1:PORT/t1
    server.stop()                        # stops it and removes the cluster

From a shell (CI starts one server for the whole run):

    python tests/pgserver.py start --dir D   # prints the base URL, leaves the server running
    python tests/pgserver.py stop --dir D

D is best on a memory-backed file system (/dev/shm) where there is one: on a disk other programs
write to, each CREATE DATABASE (a file per table and index) took ~290 ms instead of ~25 ms.

PostgreSQL refuses to run as root: as root the cluster belongs to the `postgres` system user
(`runuser -u postgres`), otherwise to the current user. The cluster is tuned for throwaway use
(fsync, synchronous_commit and full_page_writes off): never keep data in it.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import hashlib
import importlib.util
import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

BIN = Path(os.environ.get("CRM_PG_BIN", "/usr/lib/postgresql/15/bin"))
SUPERUSER = "postgres"
STATE = "pgserver.json"
SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
    "shared_buffers": "32MB",
    "max_wal_size": "256MB",
    "log_min_messages": "warning",
}


def _owner() -> str | None:
    """The system user to run the server as, or None for the current user."""
    return "postgres" if os.geteuid() == 0 else None


def available() -> str | None:
    """None when a throwaway PostgreSQL can run here, else a one-line reason it cannot."""
    for tool in ("initdb", "pg_ctl", "postgres", "psql"):
        if not (BIN / tool).exists():
            return f"PostgreSQL not installed ({BIN / tool} missing)"
    if importlib.util.find_spec("psycopg") is None:
        return 'psycopg not installed (pip install "crm-assistant[postgres]")'
    owner = _owner()
    if owner is not None:
        try:
            pwd.getpwnam(owner)
        except KeyError:
            return f"running as root and there is no '{owner}' system user to run PostgreSQL as"
        if shutil.which("runuser") is None:
            return "running as root and runuser is missing"
    return None


def _as_owner(args: list[str]) -> list[str]:
    owner = _owner()
    return args if owner is None else ["runuser", "-u", owner, "--", *args]


def _run(args: list[str], *, cwd: Path) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
    return done


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@dataclass
class PgServer:
    """A running cluster: `root` holds data/, the log and the unix socket."""

    root: Path
    port: int
    host: str = "127.0.0.1"
    user: str = SUPERUSER
    owned_root: bool = False
    _stopped: bool = field(default=False, repr=False)
    _admin: Any = field(default=None, repr=False)  # a psycopg connection, see admin()

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        return self.root / "sock"

    @property
    def base_url(self) -> str:
        return f"postgresql+psycopg://{self.user}@{self.host}:{self.port}"

    def url(self, dbname: str = "postgres") -> str:
        return f"{self.base_url}/{dbname}"

    def admin(self, sql: str) -> None:
        """Run one statement on the `postgres` database: through one kept psycopg connection when the
        driver is installed (a psql process per CREATE/DROP DATABASE cost ~40 ms each), else psql."""
        if self._admin is None:
            try:
                import psycopg  # optional (the postgres extra): without it, psql; the CLI needs neither
            except ImportError:
                self.psql(sql)
                return
            self._admin = psycopg.connect(
                self.url().replace("postgresql+psycopg", "postgresql"), autocommit=True
            )
        self._admin.execute(sql)

    def close_admin(self) -> None:
        if self._admin is not None:
            with contextlib.suppress(Exception):  # the server may be gone already
                self._admin.close()
            self._admin = None

    def psql(self, sql: str, dbname: str = "postgres") -> str:
        """Run one statement with psql (a client: any user may run it) and return its output."""
        args = [str(BIN / "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"]
        args += ["-h", self.host, "-p", str(self.port), "-U", self.user, "-d", dbname, "-c", sql]
        return _run(args, cwd=self.root).stdout

    def create_database(self, name: str, template: str | None = None) -> str:
        """Create database `name` (a copy of `template` if given; it must have no connections)."""
        sql = f"CREATE DATABASE {_quote_ident(name)}"
        if template is not None:
            sql += f" TEMPLATE {_quote_ident(template)}"
        self.admin(sql)
        return self.url(name)

    def fresh_database(self, prefix: str = "crm_test", template: str | None = None) -> tuple[str, str]:
        """A new, uniquely named database: (its name, its URL)."""
        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        return name, self.create_database(name, template=template)

    def drop_database(self, name: str) -> None:
        self.admin(f"DROP DATABASE IF EXISTS {_quote_ident(name)} WITH (FORCE)")

    def running(self) -> bool:
        done = subprocess.run(
            _as_owner([str(BIN / "pg_ctl"), "-D", str(self.data), "status"]),
            cwd=self.root,
            capture_output=True,
            check=False,
        )
        return done.returncode == 0

    def stop(self, *, remove: bool = True) -> None:
        """Stop the server (fast: nothing in it is worth keeping) and remove the cluster files."""
        self.close_admin()
        if self._stopped:
            return
        self._stopped = True
        if self.data.exists():
            subprocess.run(
                _as_owner([str(BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"]),
                cwd=self.root,
                capture_output=True,
                check=False,
            )
        if remove:
            if self.owned_root:
                shutil.rmtree(self.root, ignore_errors=True)
            else:
                for name in ("data", "sock", "server.log", STATE):
                    path = self.root / name
                    if path.is_dir():
                        shutil.rmtree(path, ignore_errors=True)
                    else:
                        path.unlink(missing_ok=True)

    def save(self) -> None:
        state = {"port": self.port, "host": self.host, "user": self.user, "url": self.base_url}
        (self.root / STATE).write_text(json.dumps(state))

    @classmethod
    def load(cls, root: str | os.PathLike[str]) -> PgServer:
        """The server `start --dir root` left running."""
        path = Path(root)
        state = json.loads((path / STATE).read_text())
        return cls(root=path, port=int(state["port"]), host=state["host"], user=state["user"])


INITDB_OPTIONS = [
    "-U",
    SUPERUSER,
    "-A",
    "trust",
    "-E",
    "UTF8",
    "--no-locale",
    "--no-sync",
    "--no-instructions",
]


def _owned_folder(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True)
    owner = _owner()
    if owner is not None:
        entry = pwd.getpwnam(owner)
        os.chown(path, entry.pw_uid, entry.pw_gid)


def _init_cluster(root: Path) -> None:
    _owned_folder(root)
    _owned_folder(root / "sock")
    pristine = _pristine_cluster()
    if pristine is not None:
        _run(["cp", "-a", str(pristine), str(root / "data")], cwd=root)  # keeps the owner and modes
    else:
        _run(_as_owner([str(BIN / "initdb"), "-D", str(root / "data"), *INITDB_OPTIONS]), cwd=root)


def _pristine_cluster() -> Path | None:
    """A data folder as initdb leaves it, made once per PostgreSQL build and kept in the temp folder:
    copying it (~0.15 s) instead of running initdb (~0.7 s of CPU) for each throwaway cluster (a test
    run starts one per test process, and one more to see a server stop). None if it cannot be made."""
    postgres = (BIN / "postgres").stat()
    key = repr((str(BIN), postgres.st_size, postgres.st_mtime_ns, INITDB_OPTIONS, _owner(), os.geteuid()))
    cache = Path(tempfile.gettempdir()) / f"crm-pg-initdb-{hashlib.sha256(key.encode()).hexdigest()[:16]}"
    if (cache / "data" / "PG_VERSION").exists():
        return cache / "data"
    building = Path(tempfile.mkdtemp(prefix=f"{cache.name}.", dir=cache.parent))
    try:
        _owned_folder(building)
        _run(_as_owner([str(BIN / "initdb"), "-D", str(building / "data"), *INITDB_OPTIONS]), cwd=building)
        os.rename(building, cache)  # whole or not at all; another process may have made it meanwhile
    except (OSError, RuntimeError):
        shutil.rmtree(building, ignore_errors=True)
    return cache / "data" if (cache / "data" / "PG_VERSION").exists() else None


def _temp_root() -> str | None:
    """Where a throwaway cluster goes: beside the tests' tmp_path when that is memory-backed (the
    suite's conftest sets PYTEST_DEBUG_TEMPROOT to /dev/shm then), else the temp folder. On a disk
    other programs write to, CREATE DATABASE (a new file per table and index) took ~290 ms instead
    of ~25 ms, and every PostgreSQL test makes one."""
    return os.environ.get("PYTEST_DEBUG_TEMPROOT") or None


def start(directory: str | os.PathLike[str] | None = None, *, stop_at_exit: bool = True) -> PgServer:
    """Start a fresh cluster in `directory` (default: a new temp dir) on a free port; wait until ready."""
    reason = available()
    if reason is not None:
        raise RuntimeError(reason)
    owned = directory is None
    root = Path(tempfile.mkdtemp(prefix="crm-pg-", dir=_temp_root())) if owned else Path(directory).resolve()
    if (root / "data").exists():
        raise RuntimeError(f"{root / 'data'} exists: stop that server first (pgserver.py stop --dir {root})")
    _init_cluster(root)
    last = ""
    for _ in range(5):
        port = _free_port()
        conf = dict(SETTINGS, port=str(port), unix_socket_directories=f"'{root / 'sock'}'")
        with (root / "data" / "postgresql.conf").open("a") as f:
            f.write("\n# pgserver.py\n" + "".join(f"{k} = {v}\n" for k, v in conf.items()))
        args = [str(BIN / "pg_ctl"), "-D", str(root / "data"), "-l", str(root / "server.log")]
        done = subprocess.run(
            _as_owner([*args, "-w", "-t", "60", "start"]), cwd=root, capture_output=True, text=True
        )
        if done.returncode == 0:
            server = PgServer(root=root, port=port, owned_root=owned)
            server.save()
            if stop_at_exit:
                atexit.register(server.stop)
            return server
        log = root / "server.log"
        last = log.read_text()[-1000:] if log.exists() else done.stderr
        time.sleep(0.2)  # most likely the port was taken in between: try another
    if owned:
        shutil.rmtree(root, ignore_errors=True)
    raise RuntimeError(f"PostgreSQL did not start: {last.strip()}")


def attach(base_url: str) -> PgServer:
    """A server someone else runs (e.g. CI's, from `start --dir`): postgresql+psycopg://user@host:port."""
    parts = urlsplit(base_url)
    server = PgServer(
        root=Path(tempfile.gettempdir()),
        port=parts.port or 5432,
        host=parts.hostname or "127.0.0.1",
        user=parts.username or SUPERUSER,
    )
    server._stopped = True  # not ours to stop
    return server


def required() -> bool:
    """True when a missing PostgreSQL must fail the tests instead of skipping them (CI)."""
    return os.environ.get("CRM_TEST_REQUIRE_PG", "") not in ("", "0")


_shared: PgServer | None = None


def shared() -> PgServer:
    """One server per process: CRM_TEST_PG_URL's if set (CI starts one), else a throwaway one."""
    global _shared
    if _shared is None:
        url = os.environ.get("CRM_TEST_PG_URL")
        _shared = attach(url) if url else start()
    return _shared


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("action", choices=["start", "stop", "url", "check"])
    parser.add_argument("--dir", help="folder for the cluster (start/stop/url)")
    args = parser.parse_args(argv)
    if args.action == "check":
        reason = available()
        print(reason or "ok")
        return 0 if reason is None else 1
    if not args.dir:
        parser.error("--dir is required")
    if args.action == "start":
        server = start(args.dir, stop_at_exit=False)
        print(server.base_url)
    elif args.action == "url":
        print(PgServer.load(args.dir).base_url)
    else:
        PgServer.load(args.dir).stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

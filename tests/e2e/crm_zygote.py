"""A warm `crm` for the end-to-end tests: one process per test worker that has imported everything
`crm` loads, and forks a fresh copy of itself for each `crm` the tests start (see crm_launcher.py).

`command()` is what a test puts where it would put `[sys.executable, "-m", "assistant"]`; it starts
the zygote on first use. With CRM_TEST_REAL_CRM=1 it *is* `[sys.executable, "-m", "assistant"]`, and
`REAL` always is: each command family and surface keeps tests that start the real thing, so the
lazy imports that keep start-up fast, the entry point and packaging stay tested.

What a forked `crm` shares with a real one: its own process, the test's pipes or terminal as fds
0/1/2, the environment, working directory and arguments the test gave, exit codes and signals.
What differs: nothing is imported at start (it already was, before any database was opened), and
its parent is the zygote's per-call monitor instead of the test.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import importlib
import io
import os
import pkgutil
import random
import runpy
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
REAL = [sys.executable, "-m", "assistant"]
LAUNCHER = Path(__file__).with_name("crm_launcher.py")

# Everything a `crm` command imports when it runs (commands import their tool modules lazily): every
# module of the three packages, the database drivers SQLAlchemy loads when an engine is made (the
# SQLite one cost every forked command ~60 ms), what tools import on first use (rapidfuzz,
# importlib.metadata), anyio's backend, and what uvicorn loads only once it serves.
PACKAGES = ("store", "tools", "assistant")
PRELOAD = (
    "sqlalchemy.dialects.sqlite.pysqlite",
    "sqlalchemy.dialects.postgresql.psycopg",
    "rapidfuzz.fuzz",
    "rapidfuzz.process",
    "rapidfuzz.distance.OSA",
    "importlib.metadata",
    "anyio._backends._asyncio",
    "uvicorn.config",
    "uvicorn.server",
    "uvicorn.main",
    "uvicorn.lifespan.on",
    "uvicorn.loops.asyncio",
    "uvicorn.loops.auto",
    "uvicorn.protocols.http.auto",
    "uvicorn.protocols.http.h11_impl",
    "uvicorn.protocols.http.httptools_impl",
    "uvicorn.protocols.websockets.auto",
    "uvicorn.middleware.proxy_headers",
)


def _preload() -> None:
    for package in PACKAGES:
        for found in pkgutil.walk_packages(importlib.import_module(package).__path__, f"{package}."):
            if not found.name.endswith("__main__"):  # assistant.__main__ *is* the command
                _try_import(found.name)
    for module in PRELOAD:
        _try_import(module)


def _try_import(name: str) -> None:
    # An optional extra (psycopg, httptools) not installed, or a module that does not import at all:
    # not preloaded, so a command that needs it imports it itself and fails as a real `crm` would.
    with contextlib.suppress(Exception):
        importlib.import_module(name)


_started: tuple[subprocess.Popen[bytes], str] | None = None


def command() -> list[str]:
    """The `crm` command line for a test's subprocess: the warm fork, or REAL if CRM_TEST_REAL_CRM=1."""
    if os.environ.get("CRM_TEST_REAL_CRM", "") not in ("", "0"):
        return list(REAL)
    # -S: the launcher is standard library only, and site's .pth files (the editable install's finder)
    # cost each launch ~45 ms.
    return [sys.executable, "-S", str(LAUNCHER), _zygote()]


def _zygote() -> str:
    global _started
    if _started is not None and _started[0].poll() is None:
        return _started[1]
    folder = tempfile.mkdtemp(prefix="crm-zygote-")
    path = os.path.join(folder, "sock")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CRM_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    log = os.path.join(folder, "stderr")
    with open(log, "wb") as errors:  # what a failed preload said, for the error below
        process = subprocess.Popen(
            [sys.executable, __file__, path],
            cwd=REPO,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,  # not the test's captured output, whichever test started it
            stderr=errors,
        )
    deadline = time.monotonic() + 60
    while not os.path.exists(path):
        if process.poll() is not None or time.monotonic() > deadline:
            said = Path(log).read_text(errors="replace").strip()[-2000:]
            raise RuntimeError(f"the warm crm did not start (exit {process.poll()}):\n{said}")
        time.sleep(0.02)
    _started = (process, path)
    atexit.register(_stop, process, folder)
    return path


def stop() -> None:
    """Stop the zygote if this process started one (the session's end; atexit is the fallback)."""
    global _started
    if _started is not None:
        process, path = _started
        _started = None
        atexit.unregister(_stop)
        _stop(process, os.path.dirname(path))


def _stop(process: subprocess.Popen[bytes], folder: str) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    shutil.rmtree(folder, ignore_errors=True)


# ---- the zygote process ---------------------------------------------------------------------------


def serve(path: str) -> None:
    _preload()
    # What a pre-fork server does (see gc.freeze's documentation): the preloaded heap moves to the
    # permanent generation, so no collector pass in a fork writes to its pages (each write copies
    # a page the zygote shares with every fork).
    gc.collect()
    gc.freeze()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path + ".tmp")
    listener.listen(64)
    os.rename(path + ".tmp", path)  # the socket appears only once the imports are done
    parent = os.getppid()
    try:
        while os.getppid() == parent:  # the test process is gone: so is the zygote
            # Monitors are reaped here (not ignored), so their CPU time counts in the test run's.
            with contextlib.suppress(ChildProcessError):
                while os.waitpid(-1, os.WNOHANG)[0]:
                    pass
            if not select.select([listener], [], [], 0.5)[0]:
                continue
            conn, _ = listener.accept()
            try:
                header, fds, _flags, _addr = socket.recv_fds(conn, 8, 3)
                size = struct.unpack("!Q", header)[0]
                payload = b""
                while len(payload) < size:
                    chunk = conn.recv(size - len(payload))
                    if not chunk:
                        raise ConnectionError("launcher went away")
                    payload += chunk
            except (OSError, struct.error, ConnectionError):
                conn.close()
                continue
            if os.fork() == 0:
                listener.close()
                _monitor(conn, fds, _request(payload))  # never returns
            conn.close()
            for fd in fds:
                os.close(fd)
    finally:
        with contextlib.suppress(ChildProcessError):  # what has ended, for the CPU time
            while os.waitpid(-1, os.WNOHANG)[0]:
                pass


def _request(payload: bytes) -> dict[str, object]:
    """What crm_launcher.py sent: cwd, the argument count, the arguments, NAME=value per variable."""
    fields = [os.fsdecode(f) for f in payload.split(b"\0")]
    count = int(fields[1])
    env = dict(f.split("=", 1) for f in fields[2 + count :])
    return {"cwd": fields[0], "argv": fields[2 : 2 + count], "env": env}


def _monitor(conn: socket.socket, fds: list[int], request: dict[str, object]) -> None:
    """In a fork: run the command in a second fork, pass signals on, report how it ended."""
    try:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        child = os.fork()
        if child == 0:
            conn.close()
            _run(fds, request)  # never returns
        for fd in fds:
            os.close(fd)
        pidfd = os.pidfd_open(child)
        buffered = b""
        while True:
            ready, _, _ = select.select([conn, pidfd], [], [])
            if pidfd in ready:
                _, status = os.waitpid(child, 0)
                if os.WIFSIGNALED(status):
                    message = f"s {os.WTERMSIG(status)}\n"
                else:
                    message = f"x {os.waitstatus_to_exitcode(status)}\n"
                with contextlib.suppress(OSError):  # the launcher was killed meanwhile
                    conn.sendall(message.encode())
                break
            data = conn.recv(64)
            if not data:  # the launcher was killed: so is the command
                os.kill(child, signal.SIGKILL)
                os.waitpid(child, 0)
                break
            buffered += data
            while b"\n" in buffered:
                line, buffered = buffered.split(b"\n", 1)
                os.kill(child, int(line.split()[1]))
    finally:
        os._exit(0)


def _run(fds: list[int], request: dict[str, object]) -> None:
    """In the command's fork: become `python -m assistant ARGV` on the launcher's fds, then exit."""
    code = 1
    try:
        for signum in (signal.SIGCHLD, signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGPIPE):
            signal.signal(signum, signal.default_int_handler if signum == signal.SIGINT else signal.SIG_DFL)
        signal.signal(signal.SIGPIPE, signal.SIG_IGN)  # as Python sets it at start-up
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
            os.close(fd)
        os.setsid()  # like a process the test started on its own, not one of the zygote's group
        env = request["env"]
        assert isinstance(env, dict)
        os.environ.clear()
        os.environ.update(env)
        time.tzset()
        os.chdir(str(request["cwd"]))
        random.seed()
        _fresh_stdio()
        argv = request["argv"]
        assert isinstance(argv, list)
        sys.argv = [str(REPO / "assistant" / "__main__.py"), *map(str, argv)]
        try:
            runpy.run_module("assistant", run_name="__main__", alter_sys=True)
            code = 0
        except SystemExit as e:
            code = _exit_code(e.code)
        except KeyboardInterrupt:  # the interpreter prints it and dies by SIGINT
            traceback.print_exc()
            code = -signal.SIGINT
        except BaseException:
            traceback.print_exc()
            code = 1
        _interpreter_exit()
    except BaseException:
        traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):  # a closed pipe: the interpreter says nothing either
                stream.flush()
        if code < 0:
            signal.signal(-code, signal.SIG_DFL)
            os.kill(os.getpid(), -code)
        os._exit(code)


def _interpreter_exit() -> None:
    """What the interpreter does at exit before it goes: wait for non-daemon threads, run atexit."""
    threading._shutdown()  # private: what Py_FinalizeEx calls
    atexit._run_exitfuncs()


def _exit_code(code: object) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def _fresh_stdio() -> None:
    """Standard streams on fds 0/1/2 as the interpreter makes them at start-up: the zygote's own
    encoding and error handlers (the same locale rules), line buffered on a terminal."""
    was = sys.__stdin__, sys.__stdout__, sys.__stderr__
    assert was[0] is not None and was[1] is not None and was[2] is not None
    sys.stdin = open(0, encoding=was[0].encoding, errors=was[0].errors, closefd=False)  # noqa: SIM115
    sys.stdout = open(1, "w", encoding=was[1].encoding, errors=was[1].errors, closefd=False)  # noqa: SIM115
    if os.isatty(1):
        sys.stdout.reconfigure(line_buffering=True)
    sys.stderr = io.TextIOWrapper(
        open(2, "wb", buffering=0, closefd=False),  # noqa: SIM115
        encoding=was[2].encoding,
        errors=was[2].errors,
        line_buffering=True,
    )
    sys.__stdin__, sys.__stdout__, sys.__stderr__ = sys.stdin, sys.stdout, sys.stderr


if __name__ == "__main__":
    serve(sys.argv[1])

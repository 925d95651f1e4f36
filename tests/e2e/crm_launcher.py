"""`python -S crm_launcher.py SOCKET ARGS…` runs `crm ARGS…` as a fork of a warm process (tests only).

A real `crm` subprocess spends ~0.7 s of CPU importing SQLAlchemy, pydantic and the tool layer
before it does anything; the end-to-end tests start a few hundred of them. This launcher (standard
library only, ~30 ms) hands its own standard input, output and error, its environment, working
directory and arguments to the zygote in tests/e2e/crm_zygote.py, which forks a process that has
all of that imported already and runs `python -m assistant ARGS…` there on those very file
descriptors. The launcher then waits and exits as that process did (its exit code, or killed by the
same signal); SIGTERM/SIGINT/SIGHUP sent to the launcher are passed on, and if the launcher is
killed the forked process is killed too. So a test sees a subprocess with real pipes or a real
terminal, real exit codes and a fresh process state, only without the import cost.
"""

from __future__ import annotations

import os
import signal
import socket
import struct
import sys


def main() -> int:
    sock_path, args = sys.argv[1], sys.argv[2:]
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(sock_path)
    except OSError as e:
        print(f"crm_launcher: no zygote at {sock_path}: {e}", file=sys.stderr)
        return 1
    # NUL-separated (no argument, variable or path holds a NUL): cwd, the argument count, the arguments,
    # then NAME=value for each variable. Not JSON: importing json (and re) was a third of a launch.
    fields = [os.getcwd(), str(len(args)), *args, *(f"{k}={v}" for k, v in os.environ.items())]
    payload = b"\0".join(map(os.fsencode, fields))
    socket.send_fds(sock, [struct.pack("!Q", len(payload))], [0, 1, 2])
    sock.sendall(payload)
    # Only the forked process holds the pipes / terminal now, so their EOF comes when it exits.
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.close(null)

    def forward(signum: int, _frame: object) -> None:
        sock.sendall(f"k {signum}\n".encode())

    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, forward)
    answer = b""
    while not answer.endswith(b"\n"):
        chunk = sock.recv(64)
        if not chunk:
            return 1  # the zygote went away
        answer += chunk
    kind, value = answer.decode().split()
    if kind == "s":  # killed by a signal: die the same way, so returncode is -signal
        signum = int(value)
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)
        return 128 + signum
    return int(value)


if __name__ == "__main__":
    sys.exit(main())

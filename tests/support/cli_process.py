"""``warning ARGS`` run in a process of its own, forked from one that has the imports.

:func:`run_cli` answers as ``subprocess.run([python, "-m", "warning.cli", *args],
capture_output=True, text=True, ...)`` does: a :class:`subprocess.CompletedProcess` with the
exit code and the text of stdout and stderr, or :class:`subprocess.TimeoutExpired`. Each run is
a child process with its own environment, working folder and standard files, forked from a
server (:mod:`tests.support.cli_server`, one per test process) that imported the command line
once. ``WARNING_TEST_CLI_SUBPROCESS=1`` runs each command as a fresh interpreter instead.
"""

from __future__ import annotations

import atexit
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path

SERVER = Path(__file__).with_name("cli_server.py")
FRESH_ENV = "WARNING_TEST_CLI_SUBPROCESS"


class _Server:
    """The forking server and the socket to it; started on first use, stopped at exit."""

    def __init__(self) -> None:
        mine, theirs = socket.socketpair()
        self.process = subprocess.Popen(
            [sys.executable, str(SERVER), str(theirs.fileno())],
            pass_fds=[theirs.fileno()],
            stdin=subprocess.DEVNULL,
        )
        theirs.close()
        self.socket = mine
        self.replies = mine.makefile("rb")
        self.lock = threading.Lock()
        atexit.register(self.stop)

    def stop(self) -> None:
        self.replies.close()
        self.socket.close()
        self.process.wait(timeout=10)

    def run(self, request: dict[str, object], timeout: float) -> int | None:
        """The run's exit code; None when it ran past ``timeout`` and was killed."""
        with self.lock:
            self.socket.sendall(json.dumps(request).encode() + b"\n")
            pid = json.loads(self.replies.readline())["pid"]
            self.socket.settimeout(timeout)
            try:
                line = self.replies.readline()
                timed_out = False
            except TimeoutError:
                timed_out = True
            if timed_out:
                os.kill(pid, signal.SIGKILL)
                self.socket.settimeout(None)
                line = self.replies.readline()
            self.socket.settimeout(None)
            if not line:
                raise RuntimeError("the CLI test server stopped; see its stderr above")
            return None if timed_out else int(json.loads(line)["code"])


_server: _Server | None = None


def _started() -> _Server:
    global _server
    if _server is None or _server.process.poll() is not None:
        _server = _Server()
    return _server


def run_cli(
    args: Sequence[str],
    *,
    env: Mapping[str, str],
    cwd: Path,
    stdin: str | None = None,
    timeout: float = 300,
) -> subprocess.CompletedProcess[str]:
    """``warning ARGS`` with exactly ``env`` in ``cwd``, ``stdin`` as its input, to its end."""
    command = [sys.executable, "-m", "warning.cli", *args]
    if os.environ.get(FRESH_ENV) == "1":
        return subprocess.run(
            command,
            capture_output=True,
            text=True,
            env=dict(env),
            cwd=cwd,
            input=stdin,
            timeout=timeout,
        )
    with tempfile.TemporaryDirectory(prefix="cli-run-") as folder:
        files = {name: Path(folder) / name for name in ("stdin", "stdout", "stderr")}
        for path in files.values():
            path.write_bytes(b"")
        if stdin is not None:
            files["stdin"].write_text(stdin, encoding="utf-8")
        request = {
            "args": list(args),
            "env": dict(env),
            "cwd": str(cwd),
            **{name: str(path) for name, path in files.items()},
        }
        code = _started().run(request, timeout)
        out, err = (_text(files[name]) for name in ("stdout", "stderr"))
    if code is None:
        raise subprocess.TimeoutExpired(command, timeout, output=out, stderr=err)
    return subprocess.CompletedProcess(command, code, out, err)


def _text(path: Path) -> str:
    """What ``text=True`` makes of a stream: UTF-8 with universal newlines."""
    return path.read_bytes().decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")

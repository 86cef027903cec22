"""A process that has imported the ``warning`` command line and forks one child per run.

Started by :mod:`tests.support.cli_process` with one end of a socket pair as its only
argument. Each request is a JSON line: the arguments, the environment, the working folder and
the files that become the child's stdin, stdout and stderr. The child takes them, runs
``warning.cli.main`` as ``python -m warning.cli`` would, and exits with its code; the server
answers with that code as a JSON line. A command line costs about 2 s of imports; a fork of
a process that has them costs a few milliseconds, and the run is still a process of its own
with its own environment, folder, file descriptors and exit code.
"""

from __future__ import annotations

import atexit
import gc
import json
import os
import socket
import sys
import time
import traceback
from typing import NoReturn

import warning.cli.app  # noqa: F401  (the imports every run would otherwise repeat)
from warning.cli import main


def child(request: dict[str, object]) -> NoReturn:
    """Become the run: its folder, environment and standard files; then exit with its code."""
    os.chdir(str(request["cwd"]))
    os.environ.clear()
    os.environ.update(dict(request["env"]))  # type: ignore[call-overload]
    time.tzset()  # TZ is read at start-up; a fresh interpreter would read the new one
    for fd, path, flags in (
        (0, request["stdin"], os.O_RDONLY),
        (1, request["stdout"], os.O_WRONLY | os.O_TRUNC),
        (2, request["stderr"], os.O_WRONLY | os.O_TRUNC),
    ):
        opened = os.open(str(path), flags)
        os.dup2(opened, fd)
        os.close(opened)
    sys.argv = ["warning", *list(request["args"])]  # type: ignore[call-overload]
    code: int | str | None = 0
    try:
        main()
    except SystemExit as stop:
        code = stop.code
    except BaseException:  # what the interpreter prints for an uncaught exception
        traceback.print_exc()
        code = 1
    if not isinstance(code, int):
        if code is not None:
            print(code, file=sys.stderr)
        code = 0 if code is None else 1
    # The interpreter's own exit would tear down every module the server imported (about half
    # a second); the run's atexit functions and its garbage (a store connection closed, as a
    # SQLite file in WAL mode needs) are what an exit must do for it.
    atexit._run_exitfuncs()
    gc.collect()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def serve(connection: socket.socket) -> None:
    """Answer requests until the other end closes."""
    reader = connection.makefile("rb")
    gc.freeze()  # what the server imported is never collected in a child (nor copied for it)
    for line in reader:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            reader.close()
            connection.close()
            child(request)  # an uncaught exception is printed and exits 1, as in python -m
        connection.sendall(json.dumps({"pid": pid}).encode() + b"\n")
        _, status = os.waitpid(pid, 0)
        code = os.waitstatus_to_exitcode(status)
        connection.sendall(json.dumps({"code": code}).encode() + b"\n")


if __name__ == "__main__":
    serve(socket.socket(fileno=int(sys.argv[1])))

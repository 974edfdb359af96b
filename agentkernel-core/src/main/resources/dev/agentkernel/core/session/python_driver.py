"""AgentKernel stateful-session driver for Python 3 (stdlib only).

Protocol: one compact JSON request per line on stdin,
    {"id": N, "code": "...", "timeout_ms": N (optional)}
and exactly one compact JSON response line per request on the real stdout,
    {"id": N, "stdout": "...", "stderr": "...", "success": true|false,
     "error": null | {"type": "...", "message": "...", "traceback": "..."},
     "execution_time_ms": N}

All code runs in one persistent globals dict. If the last statement of a request is an
expression, its value is evaluated and, when not None, its repr() is appended to stdout
followed by a newline (like a REPL / notebook cell). The protocol stream is a private
duplicate of the original fd 1; during a request fds 1 and 2 point at temporary files so the
output of child processes is captured too; between requests fd 1 is /dev/null and fd 0 is
always /dev/null (user code never reads the protocol). SIGINT and timeout_ms (setitimer)
abort the running request only. The driver exits on EOF of stdin.
"""

import ast
import json
import linecache
import os
import signal
import sys
import tempfile
import time
import traceback
import types

_DRIVER_FILE = os.path.abspath(__file__)


class _DriverTimeout(BaseException):
    """Raised into user code when the request's timeout_ms expires."""


def _main():
    proto_in = os.fdopen(os.dup(0), "rb", buffering=0)
    proto_out_fd = os.dup(1)
    stderr_saved_fd = os.dup(2)
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)
    sys.stdin = open(0, "r", closefd=False)

    state = {"running": False, "timed_out": False}

    def on_sigint(signum, frame):
        if state["running"]:
            raise KeyboardInterrupt()

    def on_alarm(signum, frame):
        if state["running"]:
            state["timed_out"] = True
            raise _DriverTimeout()

    signal.signal(signal.SIGINT, on_sigint)
    signal.signal(signal.SIGALRM, on_alarm)

    user_main = types.ModuleType("__main__")
    user_main.__dict__["__builtins__"] = __builtins__
    sys.modules["__main__"] = user_main
    namespace = user_main.__dict__

    def write_line(obj):
        data = (json.dumps(obj, ensure_ascii=True, separators=(",", ":")) + "\n").encode("ascii")
        view = memoryview(data)
        while view:
            n = os.write(proto_out_fd, view)
            view = view[n:]

    buffer = b""
    while True:
        try:
            chunk = proto_in.read(65536)
        except KeyboardInterrupt:
            continue
        except InterruptedError:
            continue
        if not chunk:
            break
        buffer += chunk
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            if not line.strip():
                continue
            try:
                request = json.loads(line.decode("utf-8", errors="replace"))
                req_id = request.get("id")
                code = request.get("code", "")
                timeout_ms = request.get("timeout_ms")
            except Exception as e:  # malformed request: answer with id null
                write_line({"id": None, "stdout": "", "stderr": "", "success": False,
                            "error": {"type": "ProtocolError", "message": str(e), "traceback": ""},
                            "execution_time_ms": 0})
                continue
            write_line(_run(req_id, code, timeout_ms, namespace, state, stderr_saved_fd, devnull))
    os._exit(0)


def _run(req_id, code, timeout_ms, namespace, state, stderr_saved_fd, devnull):
    out_file = tempfile.TemporaryFile()
    err_file = tempfile.TemporaryFile()
    os.dup2(out_file.fileno(), 1)
    os.dup2(err_file.fileno(), 2)
    old_stdout, old_stderr = sys.stdout, sys.stderr
    sys.stdout = open(1, "w", encoding="utf-8", errors="backslashreplace", closefd=False, buffering=1)
    sys.stderr = open(2, "w", encoding="utf-8", errors="backslashreplace", closefd=False, buffering=1)
    error = None
    filename = "<cell-%s>" % (req_id,)
    started = time.monotonic()
    try:
        try:
            state["timed_out"] = False
            state["running"] = True
            if timeout_ms:
                signal.setitimer(signal.ITIMER_REAL, max(float(timeout_ms), 1.0) / 1000.0)
            try:
                _execute(code, filename, namespace)
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
                state["running"] = False
        except _DriverTimeout:
            error = {"type": "Timeout", "message": "execution exceeded %s ms" % (timeout_ms,),
                     "traceback": _format_tb(*sys.exc_info())}
        except KeyboardInterrupt:
            error = {"type": "Interrupted", "message": "execution was interrupted",
                     "traceback": _format_tb(*sys.exc_info())}
        except BaseException as e:  # includes SystemExit: the session stays alive
            error = {"type": type(e).__name__, "message": _message(e),
                     "traceback": _format_tb(type(e), e, e.__traceback__)}
    except BaseException as e:  # a signal arrived while handling the error
        state["running"] = False
        error = error or {"type": "Interrupted", "message": "execution was interrupted", "traceback": ""}
    elapsed = int((time.monotonic() - started) * 1000)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass
    sys.stdout, sys.stderr = old_stdout, old_stderr
    os.dup2(devnull, 1)
    os.dup2(stderr_saved_fd, 2)
    stdout = _read_all(out_file)
    stderr = _read_all(err_file)
    return {"id": req_id, "stdout": stdout, "stderr": stderr, "success": error is None,
            "error": error, "execution_time_ms": elapsed}


def _execute(code, filename, namespace):
    lines = code.splitlines(True)
    linecache.cache[filename] = (len(code), None, lines, filename)
    tree = ast.parse(code, filename, "exec")
    last_expr = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last_expr = ast.Expression(tree.body.pop().value)
    if tree.body:
        exec(compile(tree, filename, "exec"), namespace)
    if last_expr is not None:
        value = eval(compile(last_expr, filename, "eval"), namespace)
        if value is not None:
            namespace["_"] = value
            sys.stdout.write(repr(value) + "\n")


def _message(e):
    if isinstance(e, SyntaxError):
        return e.msg or str(e)
    try:
        return str(e)
    except Exception:
        return "<unprintable %s>" % type(e).__name__


def _format_tb(etype, value, tb):
    try:
        if isinstance(value, SyntaxError):
            return "".join(traceback.format_exception_only(etype, value))
        te = traceback.TracebackException(etype, value, tb)
        frames = [f for f in te.stack if os.path.abspath(f.filename) != _DRIVER_FILE
                  and not f.filename.endswith(os.sep + "ast.py")]
        te.stack = traceback.StackSummary.from_list(frames)
        return "".join(te.format())
    except Exception:
        return ""


def _read_all(f):
    try:
        f.seek(0)
        return f.read().decode("utf-8", errors="replace")
    finally:
        f.close()


if __name__ == "__main__":
    _main()

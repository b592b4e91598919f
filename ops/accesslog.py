"""Gunicorn's access log, the same lines for less work per request (deploy/gunicorn.conf.py, docs/performance.md).

Gunicorn's own logger builds, for every request, a dictionary of every request header, response header and WSGI
variable (so that any format may name them), formats the time with strftime, and passes the line through the
logging module, whose stream handler writes and flushes it: one write system call per request. Measured with
`python -m ops.bench.stack`, that was 25-30 µs of CPU a request, a few per cent of a cached page.

This logger writes the same line in the same format (gunicorn's default, Apache's "combined": address, user,
time, request line, status, bytes, referrer, user agent) from the few fields it names, with the time formatted
once a second, into a buffer that is written out when it holds 64 KiB, when a line is older than a second (a
thread wakes every second), when gunicorn reopens its log files (USR1, for logrotate) and when the worker exits.
A worker killed with SIGKILL (gunicorn's timeout) loses at most the last second of its lines; nginx keeps its
own log of every request in front of it.

An operator who sets another `access_log_format` (GUNICORN_ACCESS_LOG_FORMAT) gets gunicorn's own logger for it:
only the default line has the fast path.
"""

import atexit
import os
import sys
import threading
import time

from gunicorn.config import AccessLogFormat
from gunicorn.glogging import Logger

FLUSH_BYTES = 64 * 1024
FLUSH_SECONDS = 1.0


def _field(value: str) -> str:
    """A value as gunicorn's SafeAtoms writes it: double quotes escaped."""
    return value.replace('"', '\\"')


class BufferedAccessLogger(Logger):
    def setup(self, cfg):
        super().setup(cfg)
        self._fast = cfg.accesslog is not None and cfg.access_log_format == AccessLogFormat.default
        self._buffer: list[str] = []
        self._size = 0
        self._oldest = 0.0
        self._second = -1
        self._stamp = ""
        self._write_lock = threading.Lock()
        self._stream = None
        if self._fast:
            # gunicorn's handler for this log, replaced by our own stream (same target, same file mode)
            for handler in list(self.access_log.handlers):
                if getattr(handler, "_gunicorn", False):
                    self.access_log.removeHandler(handler)
            self._open()
        self._flusher_pid = None

    def _start_flusher(self) -> None:
        """Once in each process that logs: threads do not survive the fork from gunicorn's master to a worker."""
        self._flusher_pid = os.getpid()
        self._buffer, self._size = [], 0  # lines the parent had not written are the parent's to write
        threading.Thread(target=self._flush_every_second, name="access-log", daemon=True).start()
        atexit.register(self.flush)

    def _open(self) -> None:
        if self.cfg.accesslog == "-":
            self._stream = sys.stdout
        else:
            self._stream = open(self.cfg.accesslog, "a", encoding="utf-8")  # noqa: SIM115 - kept open, reopened on USR1

    def _now(self) -> str:
        now = time.time()
        second = int(now)
        if second != self._second:
            self._second = second
            self._stamp = time.strftime("[%d/%b/%Y:%H:%M:%S %z]", time.localtime(now))
        return self._stamp

    def access(self, resp, req, environ, request_time):
        if not self._fast:
            return super().access(resp, req, environ, request_time)
        status = resp.status
        if isinstance(status, str):
            status = status.split(None, 1)[0]
        sent = getattr(resp, "sent", None)
        line = (
            f"{environ.get('REMOTE_ADDR', '-')} - {self._get_user(environ) or '-'} {self._now()} "
            f'"{_field(environ["REQUEST_METHOD"])} {_field(environ["RAW_URI"])} {_field(environ["SERVER_PROTOCOL"])}" '
            f"{status} {sent if sent is not None else '-'} "
            f'"{_field(environ.get("HTTP_REFERER", "-"))}" "{_field(environ.get("HTTP_USER_AGENT", "-"))}"\n'
        )
        if self._flusher_pid != os.getpid():
            self._start_flusher()
        with self._write_lock:
            if not self._buffer:
                self._oldest = time.monotonic()
            self._buffer.append(line)
            self._size += len(line)
            if self._size >= FLUSH_BYTES:
                self._write()

    def _write(self) -> None:
        """Write the buffer out (the caller holds the lock)."""
        if not self._buffer or self._stream is None:
            return
        text, self._buffer, self._size = "".join(self._buffer), [], 0
        try:
            self._stream.write(text)
            self._stream.flush()
        except (OSError, ValueError):
            self.error("access log: could not write %d bytes", len(text))

    def flush(self) -> None:
        if getattr(self, "_fast", False):
            with self._write_lock:
                self._write()

    def _flush_every_second(self) -> None:
        while True:
            time.sleep(FLUSH_SECONDS / 2)
            with self._write_lock:
                if self._buffer and time.monotonic() - self._oldest >= FLUSH_SECONDS:
                    self._write()

    def reopen_files(self):
        super().reopen_files()
        if getattr(self, "_fast", False) and self.cfg.accesslog != "-":
            with self._write_lock:
                self._write()
                old, self._stream = self._stream, None
                if old is not None:
                    old.close()
                self._open()

    def close_on_exec(self):
        super().close_on_exec()
        if getattr(self, "_fast", False) and self._stream is not None and self.cfg.accesslog != "-":
            os.set_inheritable(self._stream.fileno(), False)

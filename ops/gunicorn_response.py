"""A response's head and body leave gunicorn in one write, so a host that dies mid-answer can be retried.

Gunicorn (gunicorn.http.wsgi.Response) sends the status line and headers in one `sendall` and the body in the
next. A host killed between the two (kill -9, the kernel's OOM killer, a power cut) has handed nginx a head with
`Content-Length` and no body. nginx passes a head on to the browser as soon as it has it, and once it has, it can no
longer try the request on the other host (`proxy_next_upstream` only acts before the first byte): the visitor gets
an answer cut at 0 bytes. tests/hosts/test_failover.py met exactly that in CI (`IncompleteRead(0 bytes read, 17102
more expected)`).

Installed from deploy/gunicorn.conf.py, this keeps the head back until the first body bytes and sends both in one
`sendall`. Either nothing of the answer left the host (nginx retries the request elsewhere) or all of it did, as
far as the kernel's socket buffer holds it (on the unix socket or loopback port to nginx, about 200 KiB by default:
our pages, not every large export). What still goes out in pieces, as before:
- streamed answers (chunked, no length): the head, then each chunk as the app yields it;
- files gunicorn passes to `sendfile(2)` (the head must precede the file's bytes, written by the kernel);
- a body larger than the socket's buffer, which one `sendall` writes in several pieces.
An answer without a body (HEAD, 204, 304) sends its head on close, as gunicorn does. An app that fails before its
first body byte leaves nothing sent, so gunicorn still answers it with a clean 500 (gunicorn alone had sent the head
and then closed the connection on a cut answer).

It replaces four methods of gunicorn's Response in place; tests/ops/test_gunicorn_response.py checks, on the
installed gunicorn, that a page leaves in one write, that every kind of successful answer above is byte for byte
what gunicorn alone sends, and the two cases that differ on purpose (a failure before the body, a second
`start_response`).
"""

from gunicorn import util
from gunicorn.http import wsgi

_original = {}


def _send_headers(self):
    """Gunicorn calls this before each body write; the head now waits for the body (`_emit_body`) or the close.
    `headers_sent` stays False until the head is really out: an error before that still gets gunicorn's 500, and a
    second `start_response` (with `exc_info`) may still replace the status and headers."""
    if self.headers_sent:
        return
    if getattr(self, "_portal_head_now", False):
        _original["send_headers"](self)


def _head(self) -> bytes:
    lines = self.default_headers()
    lines.extend(f"{name}: {value}\r\n" for name, value in self.headers)
    self.headers_sent = True
    return util.to_bytestring("{}\r\n".format("".join(lines)), "latin-1")


def _emit_body(self, data):
    if self.headers_sent:
        _original["_emit_body"](self, data)
    elif not data:  # nothing to put beside the head yet: it waits for the next bytes or the close
        return
    elif self.chunked:  # a stream: the head now, each chunk as the app yields it
        self.sock.sendall(_head(self))
        _original["_emit_body"](self, data)
    else:
        self.sock.sendall(_head(self) + data)


def _sendfile(self, respiter):
    self._portal_head_now = True  # sendfile(2) writes the file's bytes itself, after a head sent on its own
    try:
        return _original["sendfile"](self, respiter)
    finally:
        self._portal_head_now = False


def _close(self):
    if not self.headers_sent:  # no body byte was written (HEAD, 204, 304, an empty body)
        self.sock.sendall(_head(self))
    _original["close"](self)


def install() -> None:
    """Replace the methods once per process (gunicorn's master, before it forks its workers)."""
    if _original:
        return
    response = wsgi.Response
    for name in ("send_headers", "_emit_body", "sendfile", "close"):
        _original[name] = getattr(response, name)
    response.send_headers = _send_headers
    response._emit_body = _emit_body
    response.sendfile = _sendfile
    response.close = _close

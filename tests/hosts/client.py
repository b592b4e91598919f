"""A small browser for the several-hosts tests: cookies shared across hosts, forms read from the page and sent back.

One `Browser` is one person: its cookie jar goes with it to whichever address it asks (host A, host B or nginx), as
a browser behind a balancer would carry its session from one host to the next.
"""

import http.client
import re
import ssl
import time
import uuid
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlencode, urlsplit

HOST = "htx.example.vn"
AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36"


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes
    seconds: float

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")


@dataclass
class Form:
    action: str
    method: str
    fields: list[tuple[str, str]] = field(default_factory=list)

    def get(self, name: str) -> str | None:
        return next((v for k, v in self.fields if k == name), None)

    def set(self, name: str, value: str) -> None:
        self.fields = [(k, v) for k, v in self.fields if k != name] + [(name, value)]


class _FormParser(HTMLParser):
    """Every form on a page with the values a browser would submit (checked boxes, selected options, text)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._textarea: list | None = None
        self._select: dict | None = None
        self._option: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = Form(action=a.get("action") or "", method=(a.get("method") or "get").lower())
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and a.get("name") and "disabled" not in a:
            kind = (a.get("type") or "text").lower()
            if kind in {"submit", "button", "image", "reset", "file"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in a:
                return
            self._form.fields.append((a["name"], a.get("value", "on" if kind in {"checkbox", "radio"} else "")))
        elif tag == "textarea" and a.get("name") and "disabled" not in a:
            self._textarea = [a["name"], ""]
        elif tag == "select" and a.get("name") and "disabled" not in a:
            self._select = {"name": a["name"], "multiple": "multiple" in a, "chosen": [], "first": None}
        elif tag == "option" and self._select is not None:
            self._option = {"value": a.get("value"), "text": "", "selected": "selected" in a}

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data
        if self._option is not None:
            self._option["text"] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None and self._form is not None:
            # A browser drops the one newline right after <textarea>.
            value = self._textarea[1][1:] if self._textarea[1].startswith("\n") else self._textarea[1]
            self._form.fields.append((self._textarea[0], value))
            self._textarea = None
        elif tag == "option" and self._option is not None and self._select is not None:
            value = self._option["value"] if self._option["value"] is not None else self._option["text"].strip()
            if self._select["first"] is None:
                self._select["first"] = value
            if self._option["selected"]:
                self._select["chosen"].append(value)
            self._option = None
        elif tag == "select" and self._select is not None and self._form is not None:
            chosen = self._select["chosen"]
            if not chosen and not self._select["multiple"] and self._select["first"] is not None:
                chosen = [self._select["first"]]
            self._form.fields.extend((self._select["name"], value) for value in chosen)
            self._select = None
        elif tag == "form":
            self._form = None


def forms(html: str) -> list[Form]:
    parser = _FormParser()
    parser.feed(html)
    return parser.forms


def post_form(html: str) -> Form:
    """The page's form that carries a CSRF token (the one a person fills in), skipping the log-out button's."""
    found = [f for f in forms(html) if f.method == "post" and f.get("csrfmiddlewaretoken") is not None]
    found = [f for f in found if "dang-xuat" not in f.action] or found
    if not found:
        raise AssertionError("no POST form on the page:\n" + html[:2000])
    return max(found, key=lambda f: len(f.fields))


def _multipart(fields, files) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode() + value.encode() + b"\r\n"
        )
    for name, (filename, content, content_type) in files.items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n"
        )
        parts.append(head.encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class Browser:
    """A person with a cookie jar, asking any of the cluster's addresses (http://... of a host, or https://... of
    nginx). Requests straight to a host carry what nginx would add (X-Forwarded-Proto, X-Forwarded-For)."""

    def __init__(self, ip: str = "203.0.113.7", agent: str = AGENT):
        self.cookies: dict[str, str] = {}
        self.ip = ip
        self.agent = agent

    def request(self, base: str, method: str, path: str, *, fields=None, files=None, headers=None) -> Response:
        url = urlsplit(base)
        if url.scheme == "https":
            conn = http.client.HTTPSConnection(
                url.hostname, url.port, timeout=60, context=ssl._create_unverified_context()
            )
            sent = {}
        else:
            conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
            sent = {"X-Forwarded-Proto": "https", "X-Forwarded-For": self.ip}
        sent.update({"Host": HOST, "User-Agent": self.agent})
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if fields is not None or files:
            if files:
                body, content_type = _multipart(list(fields or []), files)
            else:
                body, content_type = urlencode(list(fields)).encode(), "application/x-www-form-urlencoded"
            sent.update({"Content-Type": content_type, "Origin": f"https://{HOST}", "Referer": f"https://{HOST}{path}"})
        sent.update(headers or {})
        started = time.monotonic()
        try:
            conn.request(method, path, body, sent)
            raw = conn.getresponse()
            response = Response(raw.status, raw.headers, raw.read(), time.monotonic() - started)
        finally:
            conn.close()
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, value = cookie.split(";", 1)[0].partition("=")
            if "max-age=0" in cookie.lower() or not value:
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value
        return response

    def get(self, base: str, path: str, **kwargs) -> Response:
        return self.request(base, "GET", path, **kwargs)

    def submit(self, base: str, path: str, changes: dict | None = None, *, files=None, form=None) -> Response:
        """Load `path`, fill its form with `changes` (name -> value) and send it where the form says."""
        if form is None:
            page = self.get(base, path)
            assert page.status == 200, f"GET {path}: {page.status}"
            form = post_form(page.text)
        for name, value in (changes or {}).items():
            form.set(name, value)
        return self.request(base, "POST", form.action or path, fields=form.fields, files=files)

    def csrf_fields(self) -> list[tuple[str, str]]:
        """A POST's token when no page with a form was read: the CSRF cookie's secret itself is a valid token."""
        token = next(v for k, v in self.cookies.items() if k.endswith("csrftoken"))
        return [("csrfmiddlewaretoken", token)]

    def login(self, base: str, username: str, password: str) -> Response:
        response = self.submit(base, "/dang-nhap/", {"username": username, "password": password})
        assert response.status == 302, f"login of {username} answered {response.status}: {_errors(response.text)}"
        return response


def _errors(html: str) -> str:
    found = re.findall(r'class="[^"]*(?:errorlist|alert|error)[^"]*"[^>]*>(.*?)<', html, re.S)
    return "; ".join(x.strip() for x in found if x.strip())[:500] or html[:500]

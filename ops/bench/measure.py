"""Load phase of `make bench`: log in through the real form, run wrk on each page at 1 and 16 connections,
read the gunicorn workers' memory. Talks only to 127.0.0.1; every loop and run is bounded.

    python -m ops.bench.measure --base http://127.0.0.1:8090 --queries ops/bench/out/queries.json \
        --master-pid 1234 --duration 10 --output ops/bench/out/load.json
"""

import argparse
import http.client
import json
import re
import subprocess
import sys
import urllib.parse
from pathlib import Path

from ops.bench.pages import BARE, PAGES

CONNECTIONS = (1, 16)
FORWARDED = {
    "X-Forwarded-Proto": "https",  # we stand in for the TLS proxy: SSL redirect is satisfied
    # A reader's browser, so anonymous pages count the view and the visit as for people (a request without a
    # user agent is taken for a bot and counts nothing, which would flatter the cached pages).
    "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36",
}
PASSWORD_ENV = "PORTAL_DEMO_PASSWORD"


def _conn(base: str, timeout: float = 30) -> http.client.HTTPConnection:
    url = urllib.parse.urlsplit(base)
    if url.hostname not in {"127.0.0.1", "localhost"}:
        raise SystemExit(f"bench targets only this machine, not {url.hostname}")
    return http.client.HTTPConnection(url.hostname, url.port or 80, timeout=timeout)


def _cookies(response, jar: dict) -> None:
    for header, value in response.getheaders():
        if header.lower() == "set-cookie":
            name, _, rest = value.partition("=")
            jar[name.strip()] = rest.split(";", 1)[0]


def _cookie_header(jar: dict) -> str:
    return "; ".join(f"{name}={value}" for name, value in jar.items())


def fetch(base: str, path: str, cookie: str = "", timeout: float = 30) -> tuple[int, str]:
    conn = _conn(base, timeout)
    headers = {**FORWARDED, **({"Cookie": cookie} if cookie else {})}
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    body = response.read().decode("utf-8", "replace")
    conn.close()
    return response.status, body


def drain(base: str, timeout: float = 600) -> None:
    """Wait until the workers have answered what wrk left queued (it stops sending, the server does not stop
    answering): a slow page would otherwise make the next page's first request time out."""
    try:
        fetch(base, BARE.path, timeout=timeout)
    except OSError:
        pass


def login(base: str, username: str, password: str) -> str:
    """Log in through /dang-nhap/ like a browser (CSRF cookie and token, Origin); returns the Cookie header."""
    jar: dict = {}
    conn = _conn(base)
    conn.request("GET", "/dang-nhap/", headers=FORWARDED)
    response = conn.getresponse()
    html = response.read().decode("utf-8", "replace")
    _cookies(response, jar)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if response.status != 200 or not token:
        raise RuntimeError(f"login page answered {response.status} without a CSRF token")
    host = urllib.parse.urlsplit(base).netloc
    body = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token.group(1), "username": username, "password": password, "next": "/"}
    )
    conn.request(
        "POST",
        "/dang-nhap/",
        body=body,
        headers={
            **FORWARDED,
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": _cookie_header(jar),
            "Origin": f"https://{host}",
            "Referer": f"https://{host}/dang-nhap/",
        },
    )
    response = conn.getresponse()
    response.read()
    _cookies(response, jar)
    conn.close()
    # Production names it __Host-sessionid (config.settings), development sessionid.
    if response.status != 302 or not any(name.endswith("sessionid") for name in jar):
        raise RuntimeError(f"logging in as {username} failed (HTTP {response.status})")
    return _cookie_header(jar)


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return round(float(number) * _UNITS[unit], 2)


def parse_wrk(output: str) -> dict:
    """Requests/s, p50/p99 (ms), requests and errors (non-2xx/3xx answers plus socket errors) from wrk --latency."""
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.M)
    total = re.search(r"(\d+) requests in", output)
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if not (rps and p50 and p99 and total):
        raise ValueError(f"could not read wrk output:\n{output}")
    socket_errors = sum(int(n) for n in sockets.groups()) if sockets else 0
    return {
        "rps": float(rps.group(1)),
        "p50_ms": _ms(p50.group(1)),
        "p99_ms": _ms(p99.group(1)),
        "requests": int(total.group(1)),
        "non_2xx_3xx": int(non2xx.group(1)) if non2xx else 0,
        "socket_errors": socket_errors,
        "errors": (int(non2xx.group(1)) if non2xx else 0) + socket_errors,
    }


def wrk(base: str, path: str, connections: int, duration: int, cookie: str = "") -> dict:
    threads = min(connections, 2)
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "--latency"]
    for name, value in FORWARDED.items():
        command += ["-H", f"{name}: {value}"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    command.append(base.rstrip("/") + path)
    done = subprocess.run(command, capture_output=True, text=True, timeout=duration + 60, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed: {done.stderr or done.stdout}")
    return parse_wrk(done.stdout)


def worker_memory(master_pid: int) -> list[dict]:
    """VmRSS and VmHWM (peak) of each gunicorn worker, in MB, read from /proc."""
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    workers = []
    for pid in children[:64]:
        status = Path(f"/proc/{pid}/status").read_text()
        fields = dict(re.findall(r"^(VmRSS|VmHWM):\s+(\d+) kB", status, re.M))
        workers.append(
            {
                "pid": int(pid),
                "rss_mb": round(int(fields["VmRSS"]) / 1024, 1),
                "hwm_mb": round(int(fields["VmHWM"]) / 1024, 1),
            }
        )
    return workers


def main(argv=None) -> int:
    import os

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base", default="http://127.0.0.1:8090")
    parser.add_argument("--queries", required=True, help="bench_queries output (resolved paths)")
    parser.add_argument("--master-pid", type=int, required=True)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--output", required=True)
    args = parser.parse_args(argv)
    if not 1 <= args.duration <= 600:
        raise SystemExit("BENCH_DURATION must be 1..600 seconds")

    queries = json.loads(Path(args.queries).read_text())
    resolved = next(iter(queries.values()))["pages"] if queries else {}
    password = os.environ.get(PASSWORD_ENV, "demo-HTX-2022")
    cookies: dict = {}
    results = []
    load_before = os.getloadavg()  # the machine may be shared: say how busy it was
    for page in [BARE, *PAGES]:
        path = resolved.get(page.name, {}).get("path", page.path)
        row = {"name": page.name, "path": path, "login": page.login, "cached": page.cached, "search": page.search}
        try:
            if page.login and page.login not in cookies:
                cookies[page.login] = login(args.base, page.login, password)
            cookie = cookies.get(page.login, "") if page.login else ""
            status, _ = fetch(args.base, path, cookie)  # also warms the cache
            row["status"] = status
            row["runs"] = {}
            if status != 200:
                row["error"] = f"HTTP {status} before load"
            else:
                for connections in CONNECTIONS:
                    print(f"  wrk {page.name} c={connections} {args.duration}s", flush=True)
                    row["runs"][str(connections)] = wrk(args.base, path, connections, args.duration, cookie)
        except (OSError, RuntimeError, ValueError, subprocess.TimeoutExpired) as exc:
            row["error"] = str(exc)[:300]
        results.append(row)
        drain(args.base)
    memory = worker_memory(args.master_pid)
    loadavg = {"before": [round(x, 2) for x in load_before], "after": [round(x, 2) for x in os.getloadavg()]}
    Path(args.output).write_text(
        json.dumps({"pages": results, "workers": memory, "loadavg": loadavg}, indent=2, ensure_ascii=False)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

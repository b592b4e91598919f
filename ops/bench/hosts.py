"""Two-host phase of `make bench` (BENCH_HOSTS=2): two gunicorn hosts behind one nginx upstream.

The nginx configuration is made from deploy/nginx/upstream-example.conf, so the bench measures the file operators
copy: its upstream (balancing, failure counting, keepalive) and its proxy location (headers, retries) are kept; only
the addresses change (the example's app hosts become the bench's loopback gunicorns) and TLS becomes a plain
loopback port (the bench sends X-Forwarded-Proto: https itself, as it does to gunicorn directly). One nginx serves
two ports: one balances over both hosts, one sends everything to the first host only, so the cost of the nginx hop
is measured apart from the effect of a second host.

    python -m ops.bench.hosts config --hosts 127.0.0.1:8091 127.0.0.1:8092 --listen-two 8093 --listen-one 8094 \
        --dir ops/bench/out/hosts/nginx
    python -m ops.bench.hosts measure --direct http://127.0.0.1:8091 --one http://127.0.0.1:8094 \
        --two http://127.0.0.1:8093 --queries ops/bench/out/queries.json --duration 10 \
        --log ops/bench/out/hosts/nginx/upstreams.log --output ops/bench/out/hosts.json
"""

import argparse
import json
import os
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from ops.bench.measure import CONNECTIONS, drain, fetch, wrk
from ops.bench.pages import BARE, PAGES

EXAMPLE = Path(__file__).resolve().parents[2] / "deploy" / "nginx" / "upstream-example.conf"
UPSTREAM = "cong_htx"
# The example's public-media snippet (deploy/nginx/media-s3.conf), which the bench leaves out.
MEDIA_INCLUDE = "include /etc/nginx/snippets/cong-htx-media-s3.conf;"
DIRECT, ONE, TWO = "1 host direct", "1 host behind nginx", "2 hosts behind nginx"
SETUPS = (DIRECT, ONE, TWO)
# The bare view, every anonymous page served from the cache, and one page that is not (each request mints a CSRF
# token): the pages whose cost is small enough for the hop and the balancing to show.
HOST_PAGES = [BARE, *[page for page in PAGES if page.cached], next(p for p in PAGES if p.name == "login page")]


def blocks(text: str) -> list[str]:
    """The top-level `name ... { ... }` blocks of an nginx file, comments dropped."""
    lines = (line.split("#", 1)[0].rstrip() for line in text.splitlines())
    body = "\n".join(line for line in lines if line)
    found, depth, start = [], 0, 0
    for index, char in enumerate(body):
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                found.append(body[start : index + 1].strip())
                start = index + 1
    if depth:
        raise ValueError("unbalanced braces in the nginx file")
    return found


def upstream_servers(upstream: str) -> list[str]:
    """The addresses of an upstream block's `server` lines, in order."""
    return re.findall(r"^\s*server\s+(\S+?)[\s;]", upstream, re.M)


def _upstream(example_upstream: str, name: str, hosts: list[str]) -> str:
    """The example's upstream with its server addresses replaced by `hosts` (its extra servers dropped)."""
    addresses = upstream_servers(example_upstream)
    if len(addresses) < len(hosts):
        raise ValueError(f"the example names {len(addresses)} servers, the bench needs {len(hosts)}")
    lines, seen = [], 0
    for line in example_upstream.splitlines():
        match = re.match(r"(\s*server\s+)(\S+?)([\s;].*)$", line)
        if match:
            if seen < len(hosts):
                lines.append(match.group(1) + hosts[seen] + match.group(3))
            seen += 1
            continue
        lines.append(line)
    text = "\n".join(lines)
    return re.sub(rf"^upstream\s+{UPSTREAM}\s*\{{", f"upstream {name} {{", text, count=1)


def _plain_server(tls_server: str, *, port: int, upstream: str) -> str:
    """The example's TLS server on a loopback port without TLS, proxying to `upstream`, logging which host answered."""
    lines = []
    for line in tls_server.splitlines():
        stripped = line.strip()
        if stripped.startswith("listen ") and "[::]" in stripped:
            continue
        if stripped.startswith("ssl_"):
            continue
        if re.match(r"listen\s+443\s+ssl", stripped):
            line = f"    listen 127.0.0.1:{port};"
        lines.append(line)
    # The bench has no media bucket and measures no picture: the example's public-media include goes.
    text = "\n".join(line for line in lines if line.strip() != MEDIA_INCLUDE)
    if "proxy_set_header X-Forwarded-Proto $scheme;" not in text or f"proxy_pass http://{UPSTREAM};" not in text:
        raise ValueError("the example's proxy location no longer has the lines the bench rewrites")
    # wrk talks plain HTTP to nginx and stands in for the TLS it does not measure, as with gunicorn directly.
    text = text.replace("proxy_set_header X-Forwarded-Proto $scheme;", "proxy_set_header X-Forwarded-Proto https;")
    text = text.replace(f"proxy_pass http://{UPSTREAM};", f"proxy_pass http://{upstream};")
    log = "    access_log {log} upstreams buffer=32k flush=1s;"
    return text.replace("server_tokens off;", "server_tokens off;\n" + log, 1)


def bench_config(example: str, *, hosts: list[str], listen_two: int, listen_one: int, workdir: Path) -> str:
    """A whole nginx.conf for the bench, made from the upstream example: port `listen_two` balances over `hosts`,
    port `listen_one` sends to the first host only; pid, logs and temporary files inside `workdir`."""
    found = blocks(example)
    upstream = next((b for b in found if re.match(rf"upstream\s+{UPSTREAM}\s*\{{", b)), None)
    tls = next((b for b in found if b.startswith("server") and re.search(r"listen\s+443\s+ssl", b)), None)
    if upstream is None or tls is None:
        raise ValueError(f"the example needs `upstream {UPSTREAM}` and a server listening on 443 ssl")
    log = workdir / "upstreams.log"
    two = _plain_server(tls, port=listen_two, upstream=UPSTREAM).replace("{log}", str(log))
    one = _plain_server(tls, port=listen_one, upstream=f"{UPSTREAM}_one").replace("{log}", str(log))
    mime = "/etc/nginx/mime.types"
    temp = "\n".join(
        f"    {kind}_temp_path {workdir}/tmp/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""# Made by ops/bench/hosts.py from deploy/nginx/upstream-example.conf for `make bench BENCH_HOSTS=2`.
# One worker: in production the balancer has a machine of its own; here it shares the cores with gunicorn and wrk.
worker_processes 1;
pid {workdir}/nginx.pid;
error_log {workdir}/error.log warn;
events {{
    worker_connections 1024;
}}
http {{
    {f"include {mime};" if os.path.exists(mime) else ""}
{temp}
    access_log off;
    log_format upstreams '$server_port $upstream_addr $upstream_status $status';

{_upstream(upstream, UPSTREAM, hosts)}

{_upstream(upstream, f"{UPSTREAM}_one", hosts[:1])}

{two}

{one}
}}
"""


def write_config(example: str, *, hosts: list[str], listen_two: int, listen_one: int, workdir: Path) -> Path:
    """Write `bench_config` to workdir/nginx.conf, with the folder nginx makes its temporary folders in."""
    (workdir / "tmp").mkdir(parents=True, exist_ok=True)
    path = workdir / "nginx.conf"
    path.write_text(bench_config(example, hosts=hosts, listen_two=listen_two, listen_one=listen_one, workdir=workdir))
    return path


def upstream_split(log: Path) -> dict:
    """Requests per nginx port and host from the bench's access log; a retried request names both hosts."""
    per_port: dict[str, Counter] = {}
    retried = Counter()
    failed = Counter()
    if log.exists():
        for line in log.read_text().splitlines():
            parts = line.split(" ", 1)
            if len(parts) != 2:
                continue
            port, rest = parts
            fields = rest.rsplit(" ", 1)
            status = fields[-1]
            addresses = re.findall(r"\d+\.\d+\.\d+\.\d+:\d+", rest)
            per_port.setdefault(port, Counter())
            if addresses:
                per_port[port][addresses[-1]] += 1
            if len(addresses) > 1:
                retried[port] += 1
            if status.startswith("5"):
                failed[port] += 1
    return {
        port: {"hosts": dict(counts), "retried": retried[port], "5xx": failed[port]}
        for port, counts in per_port.items()
    }


def measure(targets: dict, resolved: dict, duration: int) -> list[dict]:
    """Each page at each connection count, the setups one after another for the same page and count, so a change
    in the machine's load touches all three alike."""
    rows = []
    for page in HOST_PAGES:
        path = resolved.get(page.name, {}).get("path", page.path)
        row = {"name": page.name, "path": path, "cached": page.cached, "runs": {setup: {} for setup in targets}}
        try:
            for setup, base in targets.items():
                status, _ = fetch(base, path)  # also warms the cache (shared by both hosts)
                if status != 200:
                    raise RuntimeError(f"{setup}: HTTP {status} before load")
            for connections in CONNECTIONS:
                for setup, base in targets.items():
                    print(f"  wrk {page.name} c={connections} {setup} {duration}s", flush=True)
                    row["runs"][setup][str(connections)] = wrk(base, path, connections, duration)
                    drain(base)
        except (OSError, RuntimeError, ValueError, subprocess.TimeoutExpired) as exc:
            row["error"] = str(exc)[:300]
        rows.append(row)
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    config = commands.add_parser("config", help="write nginx.conf from the upstream example")
    config.add_argument("--example", default=str(EXAMPLE))
    config.add_argument("--hosts", nargs=2, required=True, metavar="127.0.0.1:PORT")
    config.add_argument("--listen-two", type=int, required=True)
    config.add_argument("--listen-one", type=int, required=True)
    config.add_argument("--dir", required=True)
    run = commands.add_parser("measure", help="wrk against one host, and through nginx with one and two hosts")
    run.add_argument("--direct", required=True)
    run.add_argument("--one", required=True)
    run.add_argument("--two", required=True)
    run.add_argument("--queries", required=True)
    run.add_argument("--duration", type=int, default=10)
    run.add_argument("--workers", type=int, default=0, help="gunicorn workers per host (for the report)")
    run.add_argument("--log", required=True, help="the bench nginx's access log")
    run.add_argument("--output", required=True)
    args = parser.parse_args(argv)

    if args.command == "config":
        workdir = Path(args.dir).resolve()
        workdir.mkdir(parents=True, exist_ok=True)
        for host in args.hosts:
            if not re.fullmatch(r"127\.0\.0\.1:\d+", host):
                raise SystemExit(f"bench hosts are loopback ports, not {host}")
        path = write_config(
            Path(args.example).read_text(),
            hosts=list(args.hosts),
            listen_two=args.listen_two,
            listen_one=args.listen_one,
            workdir=workdir,
        )
        print(path)
        return 0

    if not 1 <= args.duration <= 600:
        raise SystemExit("BENCH_DURATION must be 1..600 seconds")
    queries = json.loads(Path(args.queries).read_text()) if Path(args.queries).exists() else {}
    resolved = next(iter(queries.values()))["pages"] if queries else {}
    targets = {DIRECT: args.direct, ONE: args.one, TWO: args.two}
    load_before = os.getloadavg()
    pages = measure(targets, resolved, args.duration)
    loadavg = {"before": [round(x, 2) for x in load_before], "after": [round(x, 2) for x in os.getloadavg()]}
    time.sleep(1.5)  # the access log is flushed every second
    split = upstream_split(Path(args.log))
    ports = {setup: re.search(r":(\d+)", base).group(1) for setup, base in targets.items()}
    upstreams = {setup: split.get(ports[setup], {}) for setup in (ONE, TWO)}
    result = {
        "setups": list(SETUPS),
        "workers_per_host": args.workers,
        "cores": os.cpu_count(),
        "pages": pages,
        "upstreams": upstreams,
        "loadavg": loadavg,
    }
    Path(args.output).write_text(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Write ops/bench/RESULTS.md and ops/bench/results.csv from one run's JSON files, and print the tables.

python -m ops.bench.report --out ops/bench/out --results ops/bench
"""

import argparse
import csv
import datetime
import json
import os
import platform
import re
import statistics
import subprocess
import sys
from pathlib import Path

CACHED_RATIO = 0.5  # pages served to anonymous visitors from cache, × the bare view's requests/s
UNCACHED_RATIO = 0.15  # uncached public pages, officers' and admin pages
P99_MS = 250  # at 16 connections
SEARCH_P50_MS = 100
WORKER_MB = 250
# The portal beside the Wagtail peer (../shared/peers/side_by_side.sh), written by hand from its output.
SIDE_BY_SIDE = Path(__file__).parent / "side_by_side.md"


def _read(path: Path, default):
    return json.loads(path.read_text()) if path.exists() else default


def machine() -> dict:
    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), re.M)
        cpu = found.group(1).strip() if found else cpu
    mem = (
        re.search(r"MemTotal:\s+(\d+) kB", Path("/proc/meminfo").read_text())
        if Path("/proc/meminfo").exists()
        else None
    )

    def git(*args):
        done = subprocess.run(["git", *args], capture_output=True, text=True, check=False)
        return done.stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    if git("status", "--porcelain", "--untracked-files=no"):
        commit += " (with uncommitted changes)"
    recorded = Path(os.environ.get("BENCH_OUT", "ops/bench/out")) / "commit.txt"
    if recorded.exists():  # written by run.sh when the run started: the code that was measured
        commit = recorded.read_text().strip()
    return {
        "nproc": os.cpu_count(),
        "memory_gb": round(int(mem.group(1)) / 1024 / 1024, 1) if mem else None,
        "cpu": cpu,
        "python": platform.python_version(),
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit,
    }


def page_rows(load: dict, queries: dict) -> list[dict]:
    """One row per page and connection count, with its targets checked."""
    pages = load.get("pages", [])
    bare = next((p for p in pages if p["name"] == "bare Django view"), None)
    demo = queries.get("demo", {}).get("pages", {})
    scaled = queries.get("scale", {}).get("pages", {})
    rows = []
    for page in pages:
        is_bare = page is bare
        q_demo = demo.get(page["name"], {}).get("queries_cold")
        q_scale = scaled.get(page["name"], {}).get("queries_cold")
        cpu = scaled.get(page["name"], {}).get("cpu_ms")
        for connections in ("1", "16"):
            run = page.get("runs", {}).get(connections)
            row = {
                "kind": "page",
                "name": page["name"],
                "path": page["path"],
                "session": page["login"] or "anonymous",
                "connections": int(connections),
                "queries_demo": q_demo,
                "queries_scale": q_scale,
                "cpu_ms": cpu,
            }
            targets, failures = [], []
            if run is None:
                row["result"] = "FAIL"
                row["note"] = page.get("error", "not measured")
                rows.append(row)
                continue
            base_rps = (bare or {}).get("runs", {}).get(connections, {}).get("rps")
            ratio = round(run["rps"] / base_rps, 3) if base_rps else None
            row.update(
                rps=run["rps"],
                ratio=ratio,
                p50_ms=run["p50_ms"],
                p99_ms=run["p99_ms"],
                errors=run["errors"],
                requests=run["requests"],
            )
            if not is_bare:
                need = CACHED_RATIO if page["cached"] else UNCACHED_RATIO
                targets.append(f"≥{need}× bare")
                if ratio is None or ratio < need:
                    failures.append(f"{ratio}× < {need}×")
            if connections == "16":
                targets.append(f"p99<{P99_MS} ms")
                if run["p99_ms"] >= P99_MS:
                    failures.append(f"p99 {run['p99_ms']} ms")
            if page.get("search"):
                targets.append(f"p50<{SEARCH_P50_MS} ms")
                if run["p50_ms"] >= SEARCH_P50_MS:
                    failures.append(f"p50 {run['p50_ms']} ms")
            targets.append("0 errors")
            if run["errors"]:
                failures.append(f"{run['errors']} errors")
            if not is_bare:
                targets.append("queries demo = scale")
                if q_demo is None or q_demo != q_scale:
                    failures.append(f"queries {q_demo} → {q_scale}")
            row["target"] = "; ".join(targets)
            row["result"] = "FAIL" if failures else "pass"
            row["note"] = "; ".join(failures)
            rows.append(row)
    return rows


def job_rows(jobs: list) -> list[dict]:
    rows = []
    for job in jobs:
        row = {"kind": "job", "name": job["name"], "path": job["callable"]}
        target = job.get("target_seconds")
        row["target"] = f"<{target:g} s" if target else "measured (no target)"
        if not job.get("available"):
            row.update(result="not yet available", note=job.get("reason", ""))
        elif "error" in job:
            row.update(result="FAIL", note=job["error"])
        else:
            row.update(seconds=job["seconds"], peak_mb=job["peak_mb"])
            row["result"] = "FAIL" if target and job["seconds"] >= target else "pass"
        rows.append(row)
    return rows


def worker_rows(workers: list) -> list[dict]:
    return [
        {
            "kind": "worker",
            "name": f"gunicorn worker {w['pid']}",
            "rss_mb": w["rss_mb"],
            "peak_mb": w["hwm_mb"],
            "target": f"<{WORKER_MB} MB",
            "result": "pass" if w["hwm_mb"] < WORKER_MB else "FAIL",
        }
        for w in workers
    ]


def host_rows(hosts: dict) -> list[dict]:
    """One row per page, connection count and setup of the two-host phase (`make bench BENCH_HOSTS=2`); req/s is
    compared with the same page on one host reached directly. No throughput target: the hosts share the cores."""
    rows = []
    for page in hosts.get("pages", []):
        for connections in ("1", "16"):
            direct = page.get("runs", {}).get(hosts_setups(hosts)[0], {}).get(connections, {}).get("rps")
            for setup in hosts_setups(hosts):
                run = page.get("runs", {}).get(setup, {}).get(connections)
                row = {
                    "kind": "hosts",
                    "setup": setup,
                    "name": page["name"],
                    "path": page["path"],
                    "session": "anonymous",
                    "connections": int(connections),
                    "target": "0 errors",
                }
                if run is None:
                    row.update(result="FAIL", note=page.get("error", "not measured"))
                else:
                    row.update(
                        rps=run["rps"],
                        ratio=round(run["rps"] / direct, 3) if direct else None,
                        p50_ms=run["p50_ms"],
                        p99_ms=run["p99_ms"],
                        errors=run["errors"],
                        requests=run["requests"],
                        result="FAIL" if run["errors"] else "pass",
                        note=f"{run['errors']} errors" if run["errors"] else "",
                    )
                rows.append(row)
    return rows


def hosts_setups(hosts: dict) -> list[str]:
    return hosts.get("setups") or ["1 host direct", "1 host behind nginx", "2 hosts behind nginx"]


def hosts_markdown(hosts: dict, rows: list, duration: str) -> list[str]:
    """The two-host section of RESULTS.md."""
    if not hosts:
        return []
    workers = hosts.get("workers_per_host") or os.environ.get("BENCH_WORKERS", "2")
    cores = hosts.get("cores") or os.cpu_count()
    lines = [
        "## Two hosts behind nginx",
        "",
        f"Two gunicorn hosts on this machine ({workers} sync workers each, no access log, each with its own static, "
        "media and private media folders; the same PostgreSQL database and Redis) behind one nginx whose "
        "configuration is made from `deploy/nginx/upstream-example.conf` (least_conn, keepalive, "
        "`proxy_next_upstream error timeout http_502 http_503`; plain HTTP on loopback instead of TLS). "
        f"wrk {duration} s per run, the three setups one after another for each page and connection count:",
        "",
        "- **1 host direct**: wrk straight to host A's gunicorn;",
        "- **1 host behind nginx**: the same nginx, an upstream holding host A only: the cost of the nginx hop;",
        "- **2 hosts behind nginx**: the example's upstream with both hosts.",
        "",
        f"This machine has {cores} cores and both hosts, nginx, wrk, PostgreSQL and Redis share them, so a second "
        "host cannot double the requests per second here: the cores, not the workers, are the limit. What these "
        "rows show is the cost of the extra hop and of balancing, and that nothing breaks (no error, both hosts "
        "answering, one shared cache). On separate machines each host brings its own cores.",
        "",
    ]
    if hosts.get("loadavg"):
        lines += [
            f"Load average before this phase: {hosts['loadavg']['before']}, after: {hosts['loadavg']['after']}.",
            "",
        ]
    summary = []
    for connections in (1, 16):
        for setup in hosts_setups(hosts)[1:]:
            ratios = sorted(
                r["ratio"]
                for r in rows
                if r["setup"] == setup and r["connections"] == connections and r.get("ratio") is not None
            )
            if ratios:
                summary.append(
                    f"{setup} at {connections} connection{'s' if connections > 1 else ''}: median "
                    f"{statistics.median(ratios):.2f} × 1 host direct ({ratios[0]:.2f}–{ratios[-1]:.2f})"
                )
    if summary:
        lines += ["Over these pages, req/s " + "; ".join(summary) + ".", ""]
    lines += [
        "| page | conns | setup | req/s | × 1 host direct | p50 ms | p99 ms | errors | result |",
        "|---|---:|---|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        result = r["result"] + (f" ({r['note']})" if r.get("note") else "")
        lines.append(
            f"| {r['name']} `{r['path']}` | {r['connections']} | {r['setup']} | {_fmt(r.get('rps'))} | "
            f"{_fmt(r.get('ratio'))} | {_fmt(r.get('p50_ms'))} | {_fmt(r.get('p99_ms'))} | {_fmt(r.get('errors'))} | "
            f"{result} |"
        )
    for setup, split in hosts.get("upstreams", {}).items():
        if split:
            served = ", ".join(f"{address} {count}" for address, count in sorted(split.get("hosts", {}).items()))
            lines += [
                "",
                f"Requests nginx sent per host, {setup} (its access log): {served}; retried on the other host: "
                f"{split.get('retried', 0)}; 5xx answers: {split.get('5xx', 0)}.",
            ]
    lines.append("")
    return lines


def pending_pages(pages_source: str) -> list[str]:
    """The issue's pages still commented out in ops/bench/pages.py."""
    return re.findall(r'^\s*#\s*Page\("([^"]+)"', pages_source, re.M)


def _fmt(value, suffix=""):
    if value is None or value == "":
        return "–"
    return f"{value}{suffix}"


def markdown(
    info: dict,
    pages: list,
    jobs: list,
    workers: list,
    seed: dict,
    queries: dict,
    pending: list,
    duration: str,
    hosts: dict | None = None,
    hosts_rows: list | None = None,
) -> str:
    lines = [
        "# Benchmark results",
        "",
        f"Machine: {info['nproc']} cores, {info['memory_gb']} GB, {info['cpu']}; Python {info['python']}.  ",
        f"Date: {info['date']}. Commit: {info['commit']}.  ",
        # The workers counted from /proc after the load (deploy/gunicorn.conf.py decides how many), else the setting.
        f"Server: gunicorn, {len(workers) or os.environ.get('BENCH_WORKERS', '2')} sync workers, DJANGO_DEBUG=0, "
        "PostgreSQL, Redis "
        f"cache; wrk on the same machine for {duration} s per run (`make bench`).",
        "",
    ]
    if info.get("loadavg"):
        before, after = info["loadavg"]["before"], info["loadavg"]["after"]
        lines += [
            f"Load average (1/5/15 min) before the load phase: {before}, after: {after} (other work on the machine "
            "competes with gunicorn and wrk for the cores).",
            "",
        ]
    rows = {size: data.get("rows") for size, data in queries.items()}
    if rows:
        lines.append("Data: " + "; ".join(f"{size}: {counts}" for size, counts in rows.items()) + ".")
    if seed:

        def said(secs):
            return "not yet available" if secs is None else secs if isinstance(secs, str) else f"{secs} s"

        timings = ", ".join(f"{name} {said(secs)}" for name, secs in seed["seconds"].items())
        lines += [f"`seed_scale` sizes {seed['sizes']}: {timings}; total {seed['total']} s.", ""]
    lines += [
        "## Pages",
        "",
        "| page | session | conns | req/s | × bare | p50 ms | p99 ms | errors | queries demo/scale | CPU ms "
        "| target | result |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for r in pages:
        result = r["result"] + (f" ({r['note']})" if r.get("note") else "")
        lines.append(
            f"| {r['name']} `{r['path']}` | {r['session']} | {r['connections']} | {_fmt(r.get('rps'))} | "
            f"{_fmt(r.get('ratio'))} | {_fmt(r.get('p50_ms'))} | {_fmt(r.get('p99_ms'))} | {_fmt(r.get('errors'))} | "
            f"{_fmt(r.get('queries_demo'))}/{_fmt(r.get('queries_scale'))} | {_fmt(r.get('cpu_ms'))} | "
            f"{r.get('target', '–')} | {result} |"
        )
    if pending:
        lines += [
            "",
            "Not measured yet (commented out in `ops/bench/pages.py` until their apps land): "
            + ", ".join(pending)
            + ".",
        ]
    lines += ["", *hosts_markdown(hosts or {}, hosts_rows or [], duration)]
    if SIDE_BY_SIDE.exists():  # measured apart, beside the Wagtail peer: kept across `make bench` runs
        lines += [SIDE_BY_SIDE.read_text().rstrip(), ""]
    lines += [
        "## Timed jobs",
        "",
        "| job | callable | seconds | peak MB | target | result |",
        "|---|---|---:|---:|---|---|",
    ]
    for r in jobs:
        result = r["result"] + (f" ({r['note']})" if r.get("note") else "")
        lines.append(
            f"| {r['name']} | `{r['path']}` | {_fmt(r.get('seconds'))} | {_fmt(r.get('peak_mb'))} | {r['target']} | "
            f"{result} |"
        )
    lines += [
        "",
        "## Gunicorn workers after the load",
        "",
        "| worker | RSS MB | peak MB | target | result |",
        "|---|---:|---:|---|---|",
    ]
    for r in workers:
        lines.append(f"| {r['name']} | {r['rss_mb']} | {r['peak_mb']} | {r['target']} | {r['result']} |")
    lines += [
        "",
        "CPU ms: median CPU time of the Django process per warm request at scale, measured in-process with the "
        "test client (steadier than wall time when other work shares the machine; the database server's time is "
        "not in it). "
        "Queries are counted with the test client (`manage.py bench_queries`) on a cold cache, at demo size "
        "(scale rows removed inside a rolled-back transaction) and at scale. Errors are wrk's non-2xx/3xx answers "
        "plus socket errors. Peak memory of a job is the subprocess's ru_maxrss (Django loaded included).",
        "Why the rows below target fall short, and what would close each gap: `ops/bench/NOTES.md`.",
        "",
    ]
    return "\n".join(lines)


CSV_FIELDS = [
    "kind",
    "setup",
    "name",
    "path",
    "session",
    "connections",
    "rps",
    "ratio",
    "p50_ms",
    "p99_ms",
    "errors",
    "requests",
    "queries_demo",
    "queries_scale",
    "cpu_ms",
    "seconds",
    "peak_mb",
    "rss_mb",
    "target",
    "result",
    "note",
]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default="ops/bench/out")
    parser.add_argument("--results", default="ops/bench")
    parser.add_argument("--duration", default=os.environ.get("BENCH_DURATION", "10"))
    args = parser.parse_args(argv)
    out, results = Path(args.out), Path(args.results)
    load = _read(out / "load.json", {})
    queries = _read(out / "queries.json", {})
    pages = page_rows(load, queries)
    jobs = job_rows(_read(out / "jobs.json", []))
    workers = worker_rows(load.get("workers", []))
    seed = _read(out / "seed.json", {})
    pending = pending_pages((Path(__file__).parent / "pages.py").read_text())
    hosts = _read(out / "hosts.json", {})
    hosts_table = host_rows(hosts)
    info = {**machine(), "loadavg": load.get("loadavg")}
    text = markdown(info, pages, jobs, workers, seed, queries, pending, args.duration, hosts, hosts_table)
    (results / "RESULTS.md").write_text(text)
    with open(results / "results.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_FIELDS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows([*pages, *hosts_table, *jobs, *workers])
    print(text)
    failed = [r for r in [*pages, *hosts_table, *jobs, *workers] if r["result"] == "FAIL"]
    print(f"{len(failed)} row(s) below target." if failed else "Every measured row meets its target.")
    return 0


if __name__ == "__main__":
    sys.exit(main())

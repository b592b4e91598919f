from ops.bench.measure import parse_wrk
from ops.bench.report import job_rows, page_rows

WRK_OUTPUT = """Running 10s test @ http://127.0.0.1:8090/
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    41.50ms   10.21ms 120.30ms   70.00%
    Req/Sec   174.00     20.00   210.00     70.00%
  Latency Distribution
     50%   41.50ms
     75%   48.00ms
     90%   60.00ms
     99%    1.20s
  3480 requests in 10.00s, 12.00MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 4
Requests/sec:    348.01
Transfer/sec:      1.20MB
"""


def test_wrk_output_is_read_into_milliseconds_and_counted_errors():
    result = parse_wrk(WRK_OUTPUT)
    assert result["rps"] == 348.01
    assert result["p50_ms"] == 41.5
    assert result["p99_ms"] == 1200.0
    assert result["requests"] == 3480
    assert result["errors"] == 4 + 3


def _run(rps, p99=20.0, errors=0):
    return {"rps": rps, "p50_ms": 5.0, "p99_ms": p99, "errors": errors, "requests": 100}


def _page(name, rps, cached=False, p99=20.0):
    return {
        "name": name,
        "path": "/",
        "login": None,
        "cached": cached,
        "search": False,
        "runs": {"1": _run(rps), "16": _run(rps, p99=p99)},
    }


def test_pages_pass_or_fail_against_the_issue_targets():
    load = {
        "pages": [
            _page("bare Django view", 1000),
            _page("cached but slow", 400, cached=True),
            _page("uncached and fine", 200),
            _page("queries grow", 900),
            _page("slow tail", 900, p99=300.0),
        ]
    }
    queries = {
        "demo": {
            "pages": {
                "cached but slow": {"queries_cold": 1},
                "uncached and fine": {"queries_cold": 3},
                "queries grow": {"queries_cold": 3},
                "slow tail": {"queries_cold": 1},
            }
        },
        "scale": {
            "pages": {
                "cached but slow": {"queries_cold": 1},
                "uncached and fine": {"queries_cold": 3},
                "queries grow": {"queries_cold": 4},
                "slow tail": {"queries_cold": 1},
            }
        },
    }
    results = {(r["name"], r["connections"]): r for r in page_rows(load, queries)}
    assert results[("bare Django view", 1)]["result"] == "pass"
    assert results[("cached but slow", 1)]["result"] == "FAIL"
    assert results[("cached but slow", 1)]["ratio"] == 0.4
    assert results[("uncached and fine", 16)]["result"] == "pass"
    assert results[("queries grow", 1)]["note"] == "queries 3 → 4"
    assert results[("slow tail", 1)]["result"] == "pass"
    assert results[("slow tail", 16)]["note"] == "p99 300.0 ms"


def test_a_page_that_could_not_be_loaded_is_a_failure_not_a_gap():
    load = {
        "pages": [
            _page("bare Django view", 1000),
            {
                "name": "officer",
                "path": "/x/",
                "login": "hongdan",
                "cached": False,
                "search": False,
                "runs": {},
                "error": "HTTP 302 before load",
            },
        ]
    }
    rows = [r for r in page_rows(load, {}) if r["name"] == "officer"]
    assert [r["result"] for r in rows] == ["FAIL", "FAIL"]
    assert rows[0]["note"] == "HTTP 302 before load"


def test_jobs_not_built_yet_are_reported_as_not_available_and_slow_jobs_fail():
    rows = job_rows(
        [
            {"name": "snapshot", "callable": "fund.x.y", "target_seconds": 60, "available": False, "reason": "no"},
            {
                "name": "import",
                "callable": "a.b",
                "target_seconds": 60,
                "available": True,
                "seconds": 75.0,
                "peak_mb": 300.0,
            },
        ]
    )
    assert [r["result"] for r in rows] == ["not yet available", "FAIL"]

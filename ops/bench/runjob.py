"""Run one job of ops/bench/jobs.py in this (fresh) process and print one JSON line: seconds and peak memory.

python -m ops.bench.runjob INDEX
python -m ops.bench.runjob --all --output ops/bench/out/jobs.json   # each job in its own subprocess
"""

import importlib
import json
import os
import resource
import sys
import time


class NotYetAvailable(Exception):
    pass


def _import(path: str):
    """The object at `path`; NotYetAvailable when its module (or the attribute) does not exist yet.
    Any other import error (a broken module that does exist) is raised as it is."""
    module, _, name = path.rpartition(".")
    try:
        found = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name and (module == exc.name or module.startswith(exc.name + ".")):
            raise NotYetAvailable(f"module {exc.name} does not exist yet") from exc
        raise
    if not hasattr(found, name):
        raise NotYetAvailable(f"{module} has no {name} yet")
    return getattr(found, name)


def run_all(output: str, timeout: int = 900) -> list[dict]:
    import subprocess
    from pathlib import Path

    from ops.bench.jobs import JOBS

    results = []
    for index, job in enumerate(JOBS):
        print(f"  job {job.name}", flush=True)
        row = {"name": job.name, "callable": job.callable, "target_seconds": job.target_seconds}
        try:
            done = subprocess.run(
                [sys.executable, "-m", "ops.bench.runjob", str(index)],
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
            if done.returncode == 0:
                row.update(json.loads(done.stdout.strip().splitlines()[-1]))
            else:
                row.update({"available": True, "error": done.stderr.strip().splitlines()[-1][:300]})
        except subprocess.TimeoutExpired:
            row.update({"available": True, "error": f"did not finish in {timeout} s"})
        results.append(row)
    Path(output).write_text(json.dumps(results, indent=2, ensure_ascii=False))
    return results


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--all"]:
        run_all(argv[argv.index("--output") + 1])
        return 0
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from ops.bench.jobs import JOBS

    job = JOBS[int(argv[0])]
    try:
        func = _import(job.callable)
    except NotYetAvailable as exc:
        print(json.dumps({"available": False, "reason": str(exc)}))
        return 0
    kwargs = _import(job.setup)() if job.setup else {}
    before_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    from django.db import transaction

    # Rolled back at the end, so the bench database stays as seeded and the job can run again.
    with transaction.atomic():
        started = time.perf_counter()
        func(**kwargs)
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # ru_maxrss is in kB on Linux
    print(
        json.dumps(
            {
                "available": True,
                "seconds": round(seconds, 2),
                "peak_mb": round(peak_mb, 1),
                "before_mb": round(before_mb, 1),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

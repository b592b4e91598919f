"""Values the settings derive for a deployment of several hosts: the release the code is, and the operator's
changes to the periodic schedule. Kept out of settings.py so that it still reads top to bottom."""

import hashlib
import json
from pathlib import Path

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

# What makes one release's pickles differ from another's: our own code and the pinned libraries. Tests, templates,
# static files and documents are left out (nothing in them is pickled into the cache).
RELEASE_SOURCES = ("config", "ops", "public", "directives", "fund", "cooperatives", "portal")
RELEASE_FILES = ("requirements.txt",)


def code_release(base_dir: Path) -> str:
    """A short hash of the Python source of the project and of requirements.txt.

    Two hosts running the same checkout get the same value; any change of code or of a pinned library gives another.
    Reading the ~200 files costs a few milliseconds, once per process."""
    digest = hashlib.sha256()
    paths = [base_dir / name for name in RELEASE_FILES]
    for package in RELEASE_SOURCES:
        paths += sorted((base_dir / package).rglob("*.py"))
    for path in paths:
        if path.is_file():
            digest.update(str(path.relative_to(base_dir)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


CRONTAB_FIELDS = ("minute", "hour", "day_of_month", "month_of_year", "day_of_week")


def _schedule(name: str, change) -> float | crontab:
    if not isinstance(change, dict) or len(change) != 1 or not ({"every", "crontab"} >= set(change)):
        raise ImproperlyConfigured(
            f'PORTAL_BEAT_SCHEDULE["{name}"] must be {{"every": <seconds>}} or {{"crontab": "<m h dom mon dow>"}}, '
            f"not {change!r}."
        )
    if "every" in change:
        every = change["every"]
        if isinstance(every, bool) or not isinstance(every, int | float) or every < 1:
            raise ImproperlyConfigured(f'PORTAL_BEAT_SCHEDULE["{name}"]["every"] must be a number of seconds >= 1.')
        return float(every)
    fields = str(change["crontab"]).split()
    if len(fields) != len(CRONTAB_FIELDS):
        raise ImproperlyConfigured(
            f'PORTAL_BEAT_SCHEDULE["{name}"]["crontab"] must have five fields (minute hour day-of-month month '
            f'day-of-week), e.g. "0 8 * * *"; got {change["crontab"]!r}.'
        )
    try:
        return crontab(**dict(zip(CRONTAB_FIELDS, fields, strict=True)))
    except ValueError as exc:
        raise ImproperlyConfigured(f'PORTAL_BEAT_SCHEDULE["{name}"]["crontab"]: {exc}') from exc


def beat_schedule(schedule: dict, overrides: str) -> dict:
    """`schedule` (CELERY_BEAT_SCHEDULE) with the times an operator moved in PORTAL_BEAT_SCHEDULE (JSON), e.g.
    {"directives-deadline-reminders": {"crontab": "0 8 * * *"}, "portal-flush-counters": {"every": 30}}.
    A name that is not in the schedule, or a value that is not a time, stops the start with a message saying which."""
    if not overrides.strip():
        return schedule
    try:
        changes = json.loads(overrides)
    except ValueError as exc:
        raise ImproperlyConfigured(f"PORTAL_BEAT_SCHEDULE is not valid JSON: {exc}") from exc
    if not isinstance(changes, dict):
        raise ImproperlyConfigured("PORTAL_BEAT_SCHEDULE must be a JSON object: {entry name: new time}.")
    unknown = sorted(set(changes) - set(schedule))
    if unknown:
        raise ImproperlyConfigured(
            f"PORTAL_BEAT_SCHEDULE names no periodic task {', '.join(unknown)}; known: {', '.join(sorted(schedule))}."
        )
    return {
        name: {**entry, "schedule": _schedule(name, changes[name])} if name in changes else entry
        for name, entry in schedule.items()
    }

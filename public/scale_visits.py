"""Scale data for the visit statistics (`manage.py seed_scale --visits N`): N hits folded into daily rows.

The portal stores visits as one `DailyVisit` row per day (public.counters flushes the cache counters into them),
so a million hits are about a thousand rows, not a million. `DailyVisit` has no field to mark a row with, so the
scale rows are the days FIRST_DAY..LAST_DAY (2000-2002), years before the portal existed: the demo fills the last
120 days and live traffic lands on today, so neither ever writes there, and `reset` wipes exactly those days.
"""

from datetime import date, timedelta

from django.db.models import Sum

from portal.scale import SKIPPED, Context, bulk, raw_delete

from .models import DailyVisit

FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2002, 12, 31)  # three years: 1,096 days


def _scale_days():
    return DailyVisit.objects.filter(day__range=(FIRST_DAY, LAST_DAY))


def seed(ctx: Context):
    """`n` hits over the days FIRST_DAY..LAST_DAY, more on weekdays; the rows add up to exactly `n`."""
    n = ctx.sizes["visits"]
    found = _scale_days().aggregate(total=Sum("visits", default=0))["total"]
    if found == n and (n == 0 or _scale_days().exists()):
        ctx.say(f"  visits: đã có {n}, bỏ qua")
        return SKIPPED
    reset(ctx)
    if n == 0:
        return None
    days = [FIRST_DAY + timedelta(days=i) for i in range((LAST_DAY - FIRST_DAY).days + 1)]
    weights = [(3 if day.weekday() < 5 else 1) * ctx.rng.uniform(0.6, 1.4) for day in days]
    scale = n / sum(weights)
    counts = [int(w * scale) for w in weights]
    counts[-1] += n - sum(counts)  # what rounding down left over
    rows = bulk(DailyVisit, [DailyVisit(day=day, visits=count) for day, count in zip(days, counts, strict=True)])
    ctx.say(f"  visits: {n} lượt truy cập trong {len(rows)} dòng theo ngày")
    return None


def reset(ctx: Context) -> None:
    raw_delete(_scale_days())

"""Scale data for the public site (`manage.py seed_scale --articles N --visits N`): news articles and visit statistics.

Articles go into the demo's categories, are published over the last eight years (so the news list's first pages
are scale articles at scale), and have their folded `search_text` filled by the model's own helper. Slugs start
with `scale-`, which is how `reset_articles` finds them.

Visits: N hits folded into daily rows. The portal stores visits as one `DailyVisit` row per day (public.counters
flushes the cache counters into them), so a million hits are about a thousand rows, not a million. `DailyVisit` has
no field to mark a row with, so the scale rows are the days FIRST_DAY..LAST_DAY (2000-2002), years before the portal
existed: the demo fills the last 120 days and live traffic lands on today, so neither ever writes there, and
`reset_visits` wipes exactly those days.

See portal/scale.py for the conventions.
"""

from datetime import date, timedelta

from django.db.models import Sum
from django.utils import timezone

from portal.scale import BATCH, SKIPPED, SLUG_MARK, Context, Seeder, bulk, raw_delete

from .models import Article, Category, DailyVisit

# Articles -----------------------------------------------------------------------------------------------------

TOPICS = [
    "Hợp tác xã {place} nâng cao thu nhập cho thành viên nhờ liên kết tiêu thụ",
    "Đại hội thành viên thường niên của {place} thành công tốt đẹp",
    "Tập huấn Luật Hợp tác xã năm 2023 cho cán bộ {place}",
    "Mô hình tôm - lúa của {place} cho lợi nhuận cao",
    "Quỹ hỗ trợ phát triển HTX giải ngân vốn vay cho {place}",
    "Kinh tế tập thể ở {place}: kết quả và hướng đi",
    "Chuyển đổi số trong hợp tác xã: kinh nghiệm từ {place}",
    "Sản phẩm OCOP của {place} vươn ra thị trường",
]
PLACES = ["Phước Long", "Hồng Dân", "Đông Hải", "Vĩnh Lợi", "Hòa Bình", "Giá Rai", "Ninh Quới", "Gành Hào"]
PARAGRAPHS = [
    "Thời gian qua, phong trào kinh tế tập thể trên địa bàn tỉnh tiếp tục có bước phát triển; nhiều hợp tác xã "
    "đổi mới phương thức hoạt động, liên kết với doanh nghiệp để bao tiêu sản phẩm cho thành viên.",
    "Theo Liên minh Hợp tác xã tỉnh, năm qua toàn tỉnh thành lập mới nhiều hợp tác xã và tổ hợp tác, "
    "doanh thu bình quân của một hợp tác xã tăng so với cùng kỳ, thu nhập của người lao động được cải thiện.",
    "Bên cạnh kết quả đạt được, khu vực kinh tế tập thể vẫn còn khó khăn: vốn hoạt động ít, trình độ cán bộ "
    "quản lý chưa đồng đều, việc ứng dụng khoa học công nghệ còn hạn chế.",
    "Trong thời gian tới, Liên minh Hợp tác xã tỉnh tiếp tục tư vấn, hỗ trợ thành lập mới, củng cố hợp tác xã "
    "yếu kém và nhân rộng các mô hình hiệu quả.",
]


def seed_articles(ctx: Context):
    """`n` published articles spread over the categories and the last eight years, newest first by pk."""
    n = ctx.sizes["articles"]
    scale_articles = Article.objects.filter(slug__startswith=SLUG_MARK)
    if scale_articles.count() == n:
        ctx.say(f"  articles: đã có {n}, bỏ qua")
        return SKIPPED
    reset_articles(ctx)
    if n == 0:
        return None
    categories = list(Category.objects.order_by("pk"))
    if not categories:
        raise RuntimeError("Chưa có chuyên mục tin: chạy `manage.py load_demo` trước.")
    rng = ctx.rng
    now = timezone.now().replace(microsecond=0)
    span = 8 * 365 * 24 * 3600  # seconds: publish times over eight years, the oldest article first
    made = 0
    for start in range(0, n, BATCH):
        rows = []
        for i in range(start, min(n, start + BATCH)):
            place = rng.choice(PLACES)
            title = rng.choice(TOPICS).format(place=place)
            body = "".join(f"<p>{p}</p>" for p in rng.sample(PARAGRAPHS, 3))
            article = Article(
                category=categories[i % len(categories)],
                title=f"{title} ({i + 1})",
                slug=f"{SLUG_MARK}tin-{i + 1:06d}",
                lead=PARAGRAPHS[i % len(PARAGRAPHS)][:200],
                body=body,
                author_initials="QM",
                status=Article.Status.PUBLISHED,
                publish_at=now - timedelta(seconds=span - span * i // n + 3600),
                featured=i % 97 == 0,
                view_count=rng.randrange(0, 5000),
            )
            article.refresh_search_text()
            rows.append(article)
        Article.objects.bulk_create(rows, batch_size=BATCH)
        made += len(rows)
    ctx.say(f"  articles: {made} tin bài trong {len(categories)} chuyên mục")
    return None


def reset_articles(ctx: Context) -> None:
    articles = Article.objects.filter(slug__startswith=SLUG_MARK)
    raw_delete(Article.tags.through.objects.filter(article__in=articles))
    raw_delete(Article.related_documents.through.objects.filter(article__in=articles))
    raw_delete(articles)


# Visits -------------------------------------------------------------------------------------------------------

FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2002, 12, 31)  # three years: 1,096 days


def _scale_days():
    return DailyVisit.objects.filter(day__range=(FIRST_DAY, LAST_DAY))


def seed_visits(ctx: Context):
    """`n` hits over the days FIRST_DAY..LAST_DAY, more on weekdays; the rows add up to exactly `n`."""
    n = ctx.sizes["visits"]
    found = _scale_days().aggregate(total=Sum("visits", default=0))["total"]
    if found == n and (n == 0 or _scale_days().exists()):
        ctx.say(f"  visits: đã có {n}, bỏ qua")
        return SKIPPED
    reset_visits(ctx)
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


def reset_visits(ctx: Context) -> None:
    raw_delete(_scale_days())


SEEDERS = [
    Seeder("articles", seed_articles, reset_articles, 50_000, "tin bài"),
    Seeder("visits", seed_visits, reset_visits, 1_000_000, "lượt truy cập, gộp thành dòng theo ngày"),
]

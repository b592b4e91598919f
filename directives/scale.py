"""Scale data for the document library and reporting (`manage.py seed_scale --documents N --report-requests N`).

Documents: N documents of every type over 2015-2022, with a paragraph of full text each; slugs start with scale-.

Report requests: a year of report requests to N agencies. Twelve monthly requests on the collective economy, for the
twelve months before the current one, each addressed to the first N scale agencies (portal.scale's agencies
seeder), with reports in every state: the older requests mostly accepted, some submitted late, returned, still in
draft or never started; the latest one (its deadline may not have come) mostly not started yet. Reports carry a
value for each of the request's indicators and the transitions that led to their state. Request titles start with
SCALE-, which is how `reset_report_requests` finds them; rows are written with bulk_create (values are not
pre-filled from the registry: 2,400 reports would mean 30,000 queries).
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.dispatch import receiver
from django.utils import timezone

from portal.models import Agency, User
from portal.scale import BATCH, MARK, SKIPPED, SLUG_MARK, Context, Seeder, bulk, raw_delete, scale_agencies_deleting

from .models import Document, Report, ReportFile, ReportRequest, ReportTransition, ReportValue, TaskAssignment

# Documents ----------------------------------------------------------------------------------------------------

ISSUERS = [
    "Ủy ban nhân dân tỉnh Bạc Liêu",
    "Liên minh Hợp tác xã tỉnh Bạc Liêu",
    "Sở Nông nghiệp và Phát triển nông thôn tỉnh Bạc Liêu",
    "Sở Kế hoạch và Đầu tư tỉnh Bạc Liêu",
    "Chính phủ",
]
SUBJECTS = [
    "về việc triển khai thực hiện Luật Hợp tác xã năm 2023",
    "về việc báo cáo tình hình phát triển kinh tế tập thể",
    "về việc tổ chức đại hội thành viên thường niên",
    "về việc hỗ trợ hợp tác xã ứng dụng công nghệ cao",
    "về việc củng cố, giải thể hợp tác xã ngừng hoạt động",
    "về kế hoạch phát triển kinh tế tập thể giai đoạn 2021-2025",
]
FIELDS = ["Kinh tế tập thể", "Nông nghiệp", "Tài chính", "Đầu tư", ""]


def seed_documents(ctx: Context) -> None:
    """`n` documents of every type over 2015-2022, with a paragraph of full text each."""
    n = ctx.sizes["documents"]
    if Document.objects.filter(slug__startswith=SLUG_MARK).count() == n:
        ctx.say(f"  documents: đã có {n}, bỏ qua")
        return SKIPPED
    reset_documents(ctx)
    rng = ctx.rng
    types = list(Document.Type.values)
    made = 0
    for start in range(0, n, BATCH):
        docs = []
        for i in range(start, min(n, start + BATCH)):
            issued = date(2015, 1, 1) + timedelta(days=rng.randrange(0, 8 * 365))
            subject = rng.choice(SUBJECTS)
            doc = Document(
                doc_type=types[i % len(types)],
                number=f"{i + 1}/{issued.year}/QM",
                slug=f"{SLUG_MARK}vb-{i + 1:06d}",
                issuer=rng.choice(ISSUERS),
                signer="Nguyễn Văn A",
                issue_date=issued,
                effective_date=issued + timedelta(days=rng.choice([0, 10, 45])),
                field=rng.choice(FIELDS),
                summary=subject[0].upper() + subject[1:],
                full_text=f"Căn cứ tình hình thực tế, {subject}. " * 5,
                status=Document.Status.IN_FORCE if i % 5 else Document.Status.EXPIRED,
                is_public=i % 10 != 0,
            )
            doc.refresh_search_text()
            docs.append(doc)
        Document.objects.bulk_create(docs, batch_size=BATCH)
        made += len(docs)
    ctx.say(f"  documents: {made} văn bản")


def reset_documents(ctx: Context) -> None:
    raw_delete(Document.objects.filter(slug__startswith=SLUG_MARK))


# Report requests ----------------------------------------------------------------------------------------------

MONTHS = 12
INDICATORS = ["htx_total", "htx_active", "members", "workers", "revenue", "loans_disbursed"]
MONEY = {"revenue", "loans_disbursed"}
SECTIONS = "Kết quả đạt được\nKhó khăn, vướng mắc\nĐề xuất, kiến nghị"


def _scale_requests():
    return ReportRequest.objects.filter(title__startswith=MARK)


def _at(day, hour=9):
    return timezone.make_aware(datetime.combine(day, time(hour)))


def seed_report_requests(ctx: Context):
    n = ctx.sizes["report_requests"]
    requests = _scale_requests()
    if requests.count() == (MONTHS if n else 0) and (
        not n or ReportRequest.agencies.through.objects.filter(reportrequest__in=requests).count() == MONTHS * n
    ):
        ctx.say(f"  report_requests: đã có {n}, bỏ qua")
        return SKIPPED
    reset_report_requests(ctx)
    if n == 0:
        return None
    agencies = list(Agency.objects.filter(unit__code__startswith=MARK).order_by("pk")[:n])
    if len(agencies) < n:
        raise RuntimeError(f"Cần {n} cơ quan quy mô, mới có {len(agencies)}: chạy seed_scale với --agencies {n}.")
    officers = {u.agency_id: u for u in User.objects.filter(agency__in=agencies, username__startswith="scale-")}
    staff = User.objects.filter(username="lienminh").first() or User.objects.filter(is_superuser=True).first()
    if staff is None:
        raise RuntimeError("Chưa có cán bộ Liên minh: chạy `manage.py load_demo` trước.")
    rng = ctx.rng
    today = timezone.localdate()
    first_of_month = today.replace(day=1)
    made = []
    for k in range(MONTHS, 0, -1):  # oldest first
        end = first_of_month - timedelta(days=1)
        for _ in range(k - 1):
            end = end.replace(day=1) - timedelta(days=1)
        start = end.replace(day=1)
        made.append(
            ReportRequest(
                title=f"{MARK}{MONTHS - k + 1:02d} Báo cáo tình hình kinh tế tập thể tháng {end:%m/%Y}",
                kind=ReportRequest.Kind.OTHER,
                period_start=start,
                period_end=end,
                deadline=end + timedelta(days=10),
                sections=SECTIONS,
                indicator_codes=INDICATORS,
                instructions="Báo cáo theo mẫu; số liệu tính đến hết ngày cuối tháng.",
            )
        )
    made = bulk(ReportRequest, made)
    through = ReportRequest.agencies.through
    bulk(through, [through(reportrequest_id=r.pk, agency_id=a.pk) for r in made for a in agencies], batch=5000)
    reports, plans = [], []
    for request in made:
        latest = request is made[-1]
        for agency in agencies:
            roll = rng.random()
            if latest:
                state = None if roll < 0.5 else "draft" if roll < 0.8 else "submitted"
            else:
                state = (
                    None
                    if roll < 0.05
                    else "draft"
                    if roll < 0.1
                    else "returned"
                    if roll < 0.15
                    else "submitted"
                    if roll < 0.3
                    else "accepted"
                )
            if state is None:
                continue
            sent = None
            if state != "draft":
                late = rng.random() < 0.2
                sent = request.deadline + timedelta(days=rng.randrange(1, 15) if late else -rng.randrange(0, 9))
                sent = min(sent, today)
            officer = officers.get(agency.pk, staff)
            report = Report(
                request=request,
                agency=agency,
                state=state,
                narrative={"Kết quả đạt được": "Các hợp tác xã trên địa bàn hoạt động ổn định."},
                first_submitted_at=_at(sent) if sent else None,
                submitted_at=_at(sent) if sent else None,
                last_comment="Đề nghị rà soát lại số thành viên." if state == "returned" else "",
                updated_by=officer,
            )
            reports.append(report)
            plans.append((report, officer, sent))
    reports = bulk(Report, reports)
    values, transitions = [], []

    def step(report, action, to_state, by, at, from_state="submitted", **extra):
        transitions.append(
            ReportTransition(
                report=report, action=action, from_state=from_state, to_state=to_state, by=by, at=at, **extra
            )
        )

    for report, officer, sent in plans:
        for code in INDICATORS:
            value = Decimal(rng.randrange(1, 500)) * (1_000_000 if code in MONEY else 1)
            values.append(ReportValue(report=report, code=code, value=value))

        if sent:
            step(report, "submit", "submitted", officer, _at(sent), from_state="draft")
        if report.state == "accepted":
            step(report, "accept", "accepted", staff, _at(sent, 15))
        if report.state == "returned":
            step(report, "return", "returned", staff, _at(sent, 15), comment=report.last_comment)
    bulk(ReportValue, values, batch=5000)
    bulk(ReportTransition, transitions, batch=5000)
    ctx.say(f"  report_requests: {len(made)} yêu cầu tới {n} cơ quan, {len(reports)} báo cáo")
    return None


def reset_report_requests(ctx: Context) -> None:
    requests = _scale_requests()
    reports = Report.objects.filter(request__in=requests)
    for model in (ReportValue, ReportTransition, ReportFile):
        raw_delete(model.objects.filter(report__in=reports))
    raw_delete(reports)
    raw_delete(ReportRequest.agencies.through.objects.filter(reportrequest__in=requests))
    raw_delete(requests)


@receiver(scale_agencies_deleting)
def _remove_demo_assignments_to_scale_agencies(sender, *, agencies, **kwargs):
    """The demo directives' tasks that a `load_demo` older than this one assigned to every district, the scale ones
    too (the assignment protects its agency)."""
    TaskAssignment.objects.filter(agency__in=agencies).delete()


SEEDERS = [
    Seeder("documents", seed_documents, reset_documents, 20_000, "văn bản (directives.Document)"),
    Seeder(
        "report_requests",
        seed_report_requests,
        reset_report_requests,
        200,
        "cơ quan nhận yêu cầu báo cáo trong một năm, kèm báo cáo",
        needs=("agencies",),
    ),
]

"""Nothing private leaks: every answer of every API endpoint (each page of each list, each item) and every bulk
file and the catalogue are searched for every private value in the database: people's ID numbers and phones, the
fund's borrowers and loans, internal reports and notes, accounts, contact messages, drafts and unpublished items,
and what each cooperative chose not to publish."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from cooperatives.models import NEVER_PUBLIC, PUBLIC_FIELD_CHOICES, Cooperative, Person, YearlyFigure
from directives.models import Document, Report, ReportTransition, TaskAssignment
from fund.models import Loan, MemberBorrower
from opendata import bulk
from opendata.serializers import OPTIONAL_FIELDS
from portal.models import Agency, User
from public.models import Article, Category, ContactMessage

from .conftest import every_page

pytestmark = pytest.mark.django_db

MIN_LENGTH = 6  # shorter values ("A", "nam") appear anywhere by chance


@pytest.fixture
def planted(whole_demo):
    """Private values beside the demo's own, each unmistakable, on records the public lists do show."""
    unit = Cooperative.objects.order_by("pk").first().unit
    hidden = Cooperative.objects.create(
        name="Hợp tác xã Kín Đáo",
        slug="htx-kin-dao",
        unit=unit,
        sector="crops",
        public_fields=[],
        address="Ấp Không Công Khai 17",
        phone="0291 777 0001",
        email="kin.dao@htx.example",
        tax_code="1999888777",
        legal_representative="Lê Không Công Khai",
        charter_capital=Decimal("1357924680"),
        representative_phone="0988 000 111",
        representative_id_number="079188000111",
    )
    YearlyFigure.objects.create(
        cooperative=hidden, year=2025, revenue=Decimal("8642097531"), assets=Decimal("7531864209"), workers=4321
    )
    open_one = Cooperative.objects.create(
        name="Hợp tác xã Công Khai",
        slug="htx-cong-khai",
        unit=unit,
        sector="crops",
        public_fields=[key for key, _ in PUBLIC_FIELD_CHOICES],
        representative_phone="0988 000 222",
        representative_id_number="079188000222",
    )
    Person.objects.create(cooperative=open_one, full_name="Phạm Thành Viên Kín", phone="0977 123 456",
                          id_number="079177123456")  # fmt: skip
    Article.objects.create(
        category=Category.objects.first(), title="Bản nháp chưa duyệt về quỹ", slug="ban-nhap-chua-duyet",
        status=Article.Status.DRAFT,
    )  # fmt: skip
    Article.objects.create(
        category=Category.objects.first(), title="Tin hẹn giờ tuần sau về đại hội", slug="tin-hen-gio-tuan-sau",
        status=Article.Status.SCHEDULED, publish_at=timezone.now() + timedelta(days=7),
    )  # fmt: skip
    Document.objects.create(
        doc_type="cong_van", number="77/MẬT-LMHTX", slug="van-ban-noi-bo", issuer="Liên minh HTX tỉnh",
        issue_date=timezone.localdate(), summary="Văn bản nội bộ chưa công khai", is_public=False,
    )  # fmt: skip
    ContactMessage.objects.create(name="Người Gửi Thư", email="nguoi.gui@thu.example", phone="0903 222 333",
                                  subject="Hỏi riêng", body="Nội dung thư riêng của người dân")  # fmt: skip
    return hidden


def _private_values() -> dict[str, str]:
    """value -> where it comes from, for every private text in the database."""
    found: dict[str, str] = {}

    def add(source, values):
        for value in values:
            text = str(value or "").strip()
            if len(text) >= MIN_LENGTH:
                found.setdefault(text, source)

    for field in NEVER_PUBLIC:
        add(f"Cooperative.{field}", Cooperative.objects.values_list(field, flat=True))
    for cooperative in Cooperative.objects.all():
        for field in OPTIONAL_FIELDS:
            if not cooperative.shows(field):
                add(f"Cooperative.{field} (not public)", [getattr(cooperative, field)])
    public_names = set(Cooperative.objects.values_list("legal_representative", flat=True))
    add("Person.phone", Person.objects.values_list("phone", flat=True))
    add("Person.id_number", Person.objects.values_list("id_number", flat=True))
    add("Person.full_name", Person.objects.exclude(full_name__in=public_names).values_list("full_name", flat=True))
    for field in ("full_name", "id_number", "address"):
        add(f"MemberBorrower.{field}", MemberBorrower.objects.values_list(field, flat=True))
    for field in ("code", "project_name", "purpose", "collateral"):
        add(f"Loan.{field}", Loan.objects.values_list(field, flat=True))
    add("Report.last_comment", Report.objects.values_list("last_comment", flat=True))
    add("ReportTransition.comment", ReportTransition.objects.values_list("comment", flat=True))
    add("TaskAssignment.progress_note", TaskAssignment.objects.values_list("progress_note", flat=True))
    add("TaskAssignment.extension_reason", TaskAssignment.objects.values_list("extension_reason", flat=True))
    add("User.email", User.objects.values_list("email", flat=True))
    add("User.phone", User.objects.values_list("phone", flat=True))
    add("Agency.email", Agency.objects.values_list("email", flat=True))
    for field in ("email", "phone", "body", "name"):
        add(f"ContactMessage.{field}", ContactMessage.objects.values_list(field, flat=True))
    published = Article.objects.published().values_list("pk", flat=True)
    add("Article.title (unpublished)", Article.objects.exclude(pk__in=published).values_list("title", flat=True))
    add("Document.number (not public)", Document.objects.filter(is_public=False).values_list("number", flat=True))
    add("Document.summary (not public)", Document.objects.filter(is_public=False).values_list("summary", flat=True))
    for money in ("charter_capital",):
        for cooperative in Cooperative.objects.exclude(**{money: None}):
            if not cooperative.shows(money) and getattr(cooperative, money):
                add(f"Cooperative.{money} (not public)", [str(int(getattr(cooperative, money)))])
    for figure in YearlyFigure.objects.select_related("cooperative"):
        if not figure.cooperative.shows("figures") and figure.revenue >= 10**6:
            add("YearlyFigure.revenue (not public)", [str(int(figure.revenue))])
        if figure.assets >= 10**6:  # never on a public page
            add("YearlyFigure.assets", [str(int(figure.assets))])
    return found


def _everything_published(api) -> dict[str, str]:
    """Every answer of every endpoint and every bulk file: where -> its text."""
    texts = {}
    schema = api.get("/api/v1/schema/?format=json").json()
    for path in sorted(schema["paths"]):
        if "{" in path:
            continue
        if path.rstrip("/") == "/api/v1/fund/figures":
            texts[path] = api.get(path).content.decode()
            continue
        rows = every_page(api, path)
        texts[path] = repr(rows)
        item_path = next((p for p in schema["paths"] if p.startswith(path) and "{" in p), None)
        if item_path is None:
            continue
        param = item_path[item_path.index("{") + 1 : item_path.index("}")]
        key = {"slug": "slug", "code": "code", "id": "id"}[param]
        for row in rows:
            url = item_path.replace("{" + param + "}", str(row[key]))
            response = api.get(url)
            assert response.status_code == 200, url
            texts[url] = response.content.decode()
    assert bulk.refresh(force=True)
    for dataset in bulk.ALL:
        for fmt in ("csv", "json"):
            response = api.get(f"/du-lieu-mo/{dataset.slug}.{fmt}")
            assert response.status_code == 200, (dataset.slug, fmt)
            texts[f"/du-lieu-mo/{dataset.slug}.{fmt}"] = b"".join(response.streaming_content).decode("utf-8-sig")
    texts["/du-lieu-mo/danh-muc.json"] = api.get("/du-lieu-mo/danh-muc.json").content.decode()
    texts["/du-lieu-mo/"] = api.get("/du-lieu-mo/").content.decode()
    return texts


def test_no_private_value_appears_in_any_answer_or_file(api, planted, settings):
    settings.PORTAL_API_REQUESTS_PER_MINUTE = 0
    private = _private_values()
    # The planted values are among those searched for, so the search is known to look where they would be.
    for value in ("079188000111", "0988 000 222", "079177123456", "kin.dao@htx.example", "1357924680", "8642097531",
                  "77/MẬT-LMHTX", "Bản nháp chưa duyệt về quỹ", "Tin hẹn giờ tuần sau về đại hội",
                  "nguoi.gui@thu.example"):  # fmt: skip
        assert value in private, value
    assert any(source.startswith("Loan.") for source in private.values())
    assert any(source.startswith("MemberBorrower.") for source in private.values())
    published = _everything_published(api)
    assert len(published) > 100
    leaks = [
        (source, value, where)
        for where, text in published.items()
        for value, source in private.items()
        if value in text
    ]
    assert leaks == []
    # And what is public does appear: the search would see a leak.
    everything = "".join(published.values())
    assert "Hợp tác xã Kín Đáo" in everything and "0988 000 222" not in everything
    # What is worked out from private figures is as private: the size class of one that keeps its figures.
    assert api.get("/api/v1/cooperatives/htx-kin-dao/").json()["size_class"] is None

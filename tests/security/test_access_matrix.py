"""Access control matrix.

Every URL the resolver knows (the public site, the officers' workspace, every file and PDF download and the whole
admin) is asked for with GET by each role, and the answer must be the one the matrix below writes down. Objects
owned by district A (Huyện Hồng Dân) and district B (Huyện Đông Hải) are asked for by the officers of both.
While walking, every SQL statement is watched: a GET may write only the tables listed in GET_MAY_WRITE; and no HTML
page served to a role may name a private object it may not open (MUST_NOT_READ), lists and dashboards included.

The site matrix is explicit on purpose; the admin's is derived from `admin.site._registry` with one row of rights
per model. A URL added without a row here, or a model registered without a row, fails
`test_every_url_and_admin_model_has_an_expectation`, so new pages are never left out of the walk.
"""

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from io import StringIO
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections, transaction
from django.shortcuts import resolve_url
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

# django_db on every test: the module's world needs the test database even when only one test is selected.
pytestmark = [pytest.mark.security, pytest.mark.django_db]

PUBLIC_MEDIA_FILE = "cong-khai.txt"
BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120 Safari/537.36"

# role -> the actors fixture of tests/conftest.py (None: nobody logged in)
ROLES = {
    "anon": None,
    "hongdan": "officer_hong_dan",
    "donghai": "officer_dong_hai",
    "fund": "fund_officer",
    "editor": "editor",
    "alliance": "alliance_staff",
}

# What a response is, in the matrix's words:
#   200   a page                       pdf    a PDF (200, application/pdf)
#   file  a download (200, attachment) login  sent to /dang-nhap/ (302)
#   adm   sent to /admin/login/ (302)  302    another redirect
#   403 / 404 / 405                    refused (403 when the page exists for nobody of this kind, 404 when an object
#                                      is out of the user's scope: it must not confirm that it exists)
#
# Cases: "-" no object; "A"/"B" an object owned by district A (Hồng Dân) or B (Đông Hải); other words as named.
SITE_MATRIX = """
# url name                          case      anon   hongdan donghai fund   editor alliance
home                                -         200    200     200     200    200    200
healthz                             -         200    200     200     200    200    200
login                               -         200    302     302     302    302    302
logout                              -         405    405     405     405    405    405
security:otp_enrol                  -         login  403     403     200    200    200
security:otp_verify                 -         login  302     302     302    302    302
notifications:inbox                 -         login  200     200     200    200    200
# Each role's start page: /lam-viec/ sends everyone signed in on (portal.navigation); the alliance staff's figures
# and the editors' desk are theirs alone.
start                               -         login  302     302     302    302    302
directives:staff_home               -         login  404     404     404    404    200
public:editor_home                  -         login  403     403     403    200    200
notifications:mark_all_read         -         login  405     405     405    405    405
notifications:open                  -         login  405     405     405    405    405
signing:sign                        -         login  405     405     405    405    405
# Officers see the whole scorecard; the report and task lists behind it need their own district (?unit=), and the
# whole province's answers 404 to them. The news editor has no registry scope.
directives:scorecard                -         login  200     200     200    404    200
directives:scorecard_xlsx           -         login  file    file    file   404    file
directives:scorecard_pdf            -         login  pdf     pdf     pdf    404    pdf
directives:scorecard_reports        -         login  404     404     200    404    200
directives:scorecard_tasks          -         login  404     404     200    404    200
cooperatives:registry_list          -         login  200     200     200    404    200
cooperatives:pilot_cooperatives     -         login  200     200     200    404    200
cooperatives:pilot_investments      -         login  200     200     200    404    200

public:article_list                 -         200    200     200     200    200    200
public:category                     -         200    200     200     200    200    200
public:tag                          -         200    200     200     200    200    200
public:article                      published 200    200     200     200    200    200
public:article                      draft     404    404     404     404    404    404
public:article_print                published 200    200     200     200    200    200
public:article_print                draft     404    404     404     404    404    404
public:article_pdf                  published pdf    pdf     pdf     pdf    pdf    pdf
public:article_pdf                  draft     404    404     404     404    404    404
public:about                        -         200    200     200     200    200    200
public:contact                      -         200    200     200     200    200    200
public:page                         -         200    200     200     200    200    200
public:poll_list                    -         200    200     200     200    200    200
public:poll                         -         200    200     200     200    200    200
public:poll_vote                    -         405    405     405     405    405    405
public:search                       -         200    200     200     200    200    200
public:rss                          -         200    200     200     200    200    200
public:rss_category                 -         200    200     200     200    200    200
public:sitemap                      -         200    200     200     200    200    200
public:robots                       -         200    200     200     200    200    200
public:favicon                      -         200    200     200     200    200    200
admin_moved_to_public               -         301    301     301     301    301    301

cooperatives:directory              -         200    200     200     200    200    200
cooperatives:statistics             -         200    200     200     200    200    200
cooperatives:profile                A         200    200     200     200    200    200
cooperatives:profile_pdf            A         pdf    pdf     pdf     pdf    pdf    pdf
cooperatives:notices                -         login  302     302     302    302    302
cooperatives:notices_mark_read      -         login  405     405     405    405    405
cooperatives:dashboard              -         login  200     200     200    404    200
cooperatives:report_pdf             -         login  pdf     pdf     pdf    404    pdf
cooperatives:internal_profile       A         login  200     404     200    404    200
cooperatives:internal_profile       B         login  404     200     200    404    200
cooperatives:congress_document      A         login  file    404     file   404    file
cooperatives:congress_document      B         login  404     file    file   404    file
cooperatives:import_start           -         adm    adm     adm     404    404    200
cooperatives:import_job             -         adm    adm     adm     200    404    200
cooperatives:import_file            -         adm    adm     adm     file   404    file
cooperatives:import_confirm         -         adm    adm     adm     405    405    405
cooperatives:import_template        -         adm    adm     adm     file   file   file
cooperatives:export                 -         adm    adm     adm     file   404    file

directives:document_list            -         200    200     200     200    200    200
directives:signature_check          -         200    200     200     200    200    200
directives:document_detail          public    200    200     200     200    200    200
directives:document_detail          internal  404    404     404     200    404    200
directives:document_file            public    file   file    file    file   file   file
directives:document_file            internal  404    404     404     file   404    file
directives:document_file_ocr        public    pdf    pdf     pdf     pdf    pdf    pdf
directives:document_file_ocr        internal  404    404     404     pdf    404    pdf
directives:workspace                -         login  200     200     200    200    200
directives:report_edit              A         login  200     404     404    404    404
directives:report_edit              B         login  404     200     404    404    404
directives:report_autosave          A         login  200     404     404    404    404
directives:report_autosave          B         login  404     200     404    404    404
directives:report_detail            A         login  200     404     200    404    200
directives:report_detail            B         login  404     200     200    404    200
directives:report_review            A         login  405     405     405    405    405
directives:report_pdf               A         login  pdf     404     pdf    404    pdf
directives:report_pdf               B         login  404     pdf     pdf    404    pdf
directives:report_file              A         login  file    404     file   404    file
directives:report_file              B         login  404     file    file   404    file
directives:report_file_delete       A         login  405     405     405    405    405
directives:assignment_detail        A         login  200     404     200    404    200
directives:assignment_detail        B         login  404     200     200    404    200
directives:province_matrix          -         login  404     404     200    404    200
directives:province_request         -         login  404     404     200    404    200
directives:province_request_xlsx    -         login  404     404     file   404    file
directives:province_request_pdf     -         login  404     404     pdf    404    pdf
directives:province_directive       -         login  404     404     200    404    200
directives:summary_issue            -         login  404     404     404    404    200
directives:reminder_letter          -         login  404     404     404    404    200
directives:issued_file              A         login  file    404     file   404    file
directives:issued_file              B         login  404     file    file   404    file

# An issued document's file (sổ văn bản đi): its agency's officers and the province-wide staff.
official:issued_file                A         login  file    404     file   404    file
official:issued_file                B         login  404     file    file   404    file

fund:home                           -         200    200     200     200    200    200
fund:loan_list                      -         login  403     403     200    403    200
fund:loan_detail                    A         login  403     403     200    403    200
fund:schedule_pdf                   A         login  403     403     pdf    403    pdf
fund:loan_document                  A         login  404     404     file   404    file
fund:loan_document                  B         login  404     404     file   404    file
fund:loan_action                    A         405    405     405     405    405    405
fund:import                         -         login  403     403     200    403    403
fund:report                         -         login  403     403     200    403    200
fund:appraisal_list                 -         login  200     200     200    200    200
fund:appraisal_detail               A         login  200     404     200    404    200
fund:appraisal_detail               B         login  404     200     200    404    200
# The open data (opendata): anonymous and the same for everyone, signed in or not (the API reads no session).
opendata:api-root                   -         200    200     200     200    200    200
opendata:cooperative-list           -         200    200     200     200    200    200
opendata:cooperative-detail         A         200    200     200     200    200    200
opendata:document-list              -         200    200     200     200    200    200
opendata:document-detail            public    200    200     200     200    200    200
opendata:document-detail            internal  404    404     404     404    404    404
opendata:article-list               -         200    200     200     200    200    200
opendata:article-detail             published 200    200     200     200    200    200
opendata:article-detail             draft     404    404     404     404    404    404
opendata:poll-list                  -         200    200     200     200    200    200
opendata:poll-detail                closed    200    200     200     200    200    200
opendata:poll-detail                open      404    404     404     404    404    404
opendata:loan-product-list          -         200    200     200     200    200    200
opendata:loan-product-detail        A         200    200     200     200    200    200
opendata:unit-list                  -         200    200     200     200    200    200
opendata:unit-detail                A         200    200     200     200    200    200
opendata:agency-list                -         200    200     200     200    200    200
opendata:agency-detail              A         200    200     200     200    200    200
opendata:fund-figures               -         200    200     200     200    200    200
opendata:schema                     -         200    200     200     200    200    200
opendata:docs                       -         200    200     200     200    200    200
opendata:index                      -         200    200     200     200    200    200
opendata:catalogue                  -         200    200     200     200    200    200
opendata:download                   -         file   file    file    file   file   file
"""

# Patterns that exist only under some settings (DEBUG serves MEDIA_ROOT; `make bench`'s bare view).
OPTIONAL_SITE_MATRIX = """
^media/(?P<path>.*)$                -         200    200     200     200    200    200
bench-bare                          -         200    200     200     200    200    200
"""

# The admin: what each staff role may do with each registered model (v view, a add, c change, d delete), as the
# admin really grants it (a ModelAdmin may take away add or change, e.g. the security log is read-only).
# Officers (not staff) and anonymous visitors are sent to the admin's login page for every admin URL.
ADMIN_MATRIX = """
# model                          fund   editor alliance
auth.group                       -      -      -
portal.administrativeunit        -      -      vacd
portal.unitchange                -      -      va
portal.agencychange              -      -      va
portal.unitmapping               -      -      vacd
portal.agency                    v      -      vacd
portal.user                      -      -      v
portal.sitesettings              -      -      vc
public.category                  -      vacd   vacd
public.tag                       -      vacd   vacd
public.article                   -      vacd   vacd
public.page                      -      vacd   vacd
public.poll                      -      vacd   vacd
public.weblinkgroup              -      vacd   vacd
public.dailyvisit                -      v      v
public.contactmessage            -      vc     vc
portal.securityevent             -      -      -
portal.issueddocument            -      -      v
portal.registercounter           -      -      v
portal.signingcertificate        -      -      -
portal.trustedroot               -      -      -
cooperatives.cooperative         v      -      vacd
cooperatives.person              v      -      vacd
cooperatives.congress            v      -      vacd
cooperatives.yearlyfigure        v      -      vacd
cooperatives.evaluation          v      -      vacd
cooperatives.improvementplan     v      -      vacd
cooperatives.evaluationcriterion v      -      vacd
cooperatives.sizethreshold       v      -      vacd
cooperatives.unittarget          v      -      vacd
cooperatives.sectordepartment    v      -      vacd
cooperatives.congressreminder    v      -      vd
cooperatives.importjob           v      -      vcd
cooperatives.pilotinvestment     v      -      vacd
directives.document              -      v      vacd
directives.task                  -      -      vacd
directives.taskassignment        -      -      vacd
directives.reportrequest         -      -      vacd
directives.report                -      -      vacd
directives.reportfile            -      -      vacd
directives.reminder              -      -      vacd
fund.fundcapital                 vacd   -      v
fund.fundthreshold               vacd   -      v
fund.disbursementplan            vacd   -      v
fund.loanproduct                 vacd   -      v
fund.memberborrower              vacd   -      v
fund.relatedcooperative          vacd   -      v
fund.loan                        vacd   -      v
fund.loansnapshot                vd     -      v
axes.accessattempt               -      -      -
axes.accesslog                   -      -      -
axes.accessfailurelog            -      -      -
otp_totp.totpdevice              -      -      -
"""

# Which right each admin page of a model needs (by the suffix of its URL name; "" is the bare <id>/ redirect).
# "post" pages refuse GET (405) to everyone who gets past the admin's login.
ADMIN_PAGE_RIGHT = {
    "changelist": "v",
    "add": "a",
    "change": "v",
    "history": "v",
    "delete": "d",
    "simple_history": "v",  # django-simple-history: one past version of a row
    "import": "a",  # django-import-export
    "process_import": "post",  # POST only: 405 to GET, before any right is checked
    "export": "v",
    "config": "v",  # django-otp: a device's key
    "qrcode": "v",
    "auth_user_password_change": "c",  # UserAdmin: set another user's password
    "preview": "c",  # ArticleAdmin: the public page of the article as saved (GET) or as the form holds it (POST)
    "preview_add": "post",  # ArticleAdmin: the add form's unsaved article, POST only
    "propose": "post",  # UnitMappingAdmin: propose rows from the conversion table, POST only
    "sheet": "vfile",  # UnitMappingAdmin: the table as a spreadsheet, to those who may view it
    "": "redirect",
}

# The admin site's own pages, per staff role (anonymous visitors and officers: always `adm`, except the login page).
ADMIN_SITE_MATRIX = """
# url name                       anon   hongdan donghai fund   editor alliance
# (the admin sends a visitor who is not staff from its logout URL to its index, which then asks them to log in)
admin:index                      adm    adm     adm     200    200    200
admin:login                      200    200     200     302    302    302
admin:logout                     302    302     302     405    405    405
admin:password_change            adm    adm     adm     200    200    200
admin:password_change_done       adm    adm     adm     200    200    200
admin:autocomplete               adm    adm     adm     403    403    403
admin:jsi18n                     adm    adm     adm     200    200    200
admin:view_on_site               adm    adm     adm     302    302    302
admin:catch_all                  adm    adm     adm     404    404    404
"""

# A GET may write only these tables, and why:
# Whose private words (world.private_words) must appear on no HTML page a role is served.
MUST_NOT_READ = {"anon": "AB", "hongdan": "B", "donghai": "A", "fund": "", "editor": "AB", "alliance": ""}
# ...and whose must appear on at least one page (so the check above cannot pass by looking at nothing).
MUST_READ = {"anon": "", "hongdan": "A", "donghai": "B", "fund": "AB", "editor": "", "alliance": "AB"}

GET_MAY_WRITE = {
    # Sessions: the second-factor page keeps the pending key in the session; middleware refreshes idle expiry.
    "django_session": "sessions are state of the visitor, not of the portal",
    # The security log records every refused request: a 403 is meant to leave a trace.
    "portal_securityevent": "refusals are logged on purpose",
}


# --- parsing the matrices -------------------------------------------------------------------------------------------


def _rows(text):
    for line in text.strip().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            yield line.split()


def _site_expectations(text):
    table = {}
    for name, case, *answers in _rows(text):
        assert len(answers) == len(ROLES), f"{name} {case}: {len(answers)} answers for {len(ROLES)} roles"
        table[(name, case)] = dict(zip(ROLES, answers, strict=True))
    return table


SITE = _site_expectations(SITE_MATRIX)
OPTIONAL_SITE = _site_expectations(OPTIONAL_SITE_MATRIX)
ADMIN_RIGHTS = {
    label: dict(zip(["fund", "editor", "alliance"], rights, strict=True)) for label, *rights in _rows(ADMIN_MATRIX)
}
ADMIN_SITE = {name: dict(zip(ROLES, answers, strict=True)) for name, *answers in _rows(ADMIN_SITE_MATRIX)}


# --- the URL patterns, as the resolver has them ---------------------------------------------------------------------


@dataclass
class Route:
    key: str  # "namespace:name", or the route itself when unnamed
    route: str
    name: str | None
    namespace: str
    admin_model: str = ""  # "app.model" for a ModelAdmin's pages
    admin_page: str = ""  # its suffix (ADMIN_PAGE_RIGHT)
    converters: tuple = ()  # the names of its <converter:name> parts


def all_routes():
    """Every URL pattern of the project, recursively (admin included)."""
    found = []

    def walk(resolver, prefix, namespace):
        for entry in resolver.url_patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                inner = ":".join(filter(None, [namespace, entry.namespace])) if entry.namespace else namespace
                walk(entry, route, inner)
            elif isinstance(entry, URLPattern):
                name = entry.name
                key = f"{namespace}:{name}" if namespace and name else (name or route)
                converters = tuple(getattr(entry.pattern, "converters", {}))
                found.append(Route(key=key, route=route, name=name, namespace=namespace, converters=converters))

    walk(get_resolver(), "", "")
    return found


def _admin_model_pages():
    """{route: (model label, page suffix)} for every URL a registered ModelAdmin adds."""
    pages = {}
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        prefix = f"admin/{opts.app_label}/{opts.model_name}/"
        stem = f"{opts.app_label}_{opts.model_name}_"
        for pattern in model_admin.get_urls():
            name = pattern.name or ""
            suffix = name[len(stem) :] if name.startswith(stem) else name
            pages[prefix + str(pattern.pattern)] = (opts.label_lower, suffix)
    return pages


def classified_routes():
    routes = all_routes()
    model_pages = _admin_model_pages()
    for route in routes:
        if route.route in model_pages:
            route.admin_model, route.admin_page = model_pages[route.route]
        elif route.namespace == "admin" and route.name is None and route.route.endswith("(?P<url>.*)$"):
            route.key = "admin:catch_all"
    return routes


# --- the world: one of each thing, owned by district A or B where ownership applies ----------------------------------


def build_world():
    from django.utils.timezone import now

    from cooperatives.models import CongressDocument, ImportJob, InvestmentSource, PilotInvestment
    from directives.models import DocumentFile, Reminder, ReportFile
    from directives.services import letter_issue, report_get_or_create
    from fund.models import Appraisal, LoanDocument, RelatedCooperative
    from opendata import bulk
    from ops.management.commands.load_demo import demo_modules
    from portal.models import (
        AdministrativeUnit,
        Agency,
        AgencyChange,
        SecurityEvent,
        TrustedRoot,
        UnitChange,
        UnitMapping,
        User,
    )
    from portal.official import issued_render
    from public.models import Category, ContactMessage, Poll, Tag
    from tests.cooperatives.factories import CongressFactory, CooperativeFactory
    from tests.directives.factories import PDF_BYTES, DocumentFactory, assignment, report_request
    from tests.fund.factories import LoanFactory
    from tests.portal.signing_ca import make_ca
    from tests.public.factories import ArticleFactory, PageFactory

    # The small demo loaders (units, agencies, accounts, news, documents); the registry's and the fund's demo books
    # would make every changelist page ten times dearer, so one row of each of their models is written below.
    for module in demo_modules():
        if module.__name__ not in ("cooperatives.demo", "fund.demo"):
            module.load(StringIO())

    w = SimpleNamespace()
    users = {u.username: u for u in User.objects.all()}
    agency = {
        "A": Agency.objects.get(name="Ủy ban nhân dân Huyện Hồng Dân"),
        "B": Agency.objects.get(name="Ủy ban nhân dân Huyện Đông Hải"),
    }
    officer = {"A": users["hongdan"], "B": users["donghai"]}
    commune = {
        "A": AdministrativeUnit.objects.get(code="956-02"),
        "B": AdministrativeUnit.objects.get(code="960-02"),
    }

    w.cooperative, w.congress_document, w.report, w.report_file, w.assignment = {}, {}, {}, {}, {}
    w.request_for, w.loan, w.loan_document, w.appraisal, w.letter = {}, {}, {}, {}, {}
    shared_request = report_request(list(agency.values()), title="Báo cáo ma trận quyền truy cập")
    for case in "AB":
        coop = CooperativeFactory(
            unit=commune[case],
            name=f"HTX Ma Trận {case}",
            slug=f"htx-ma-tran-{case.lower()}",
            registration_code=f"MT-{case}",
        )
        w.cooperative[case] = coop
        congress = CongressFactory(cooperative=coop, fiscal_year=2024, held_date=date(2025, 3, 20))
        w.congress_document[case] = CongressDocument.objects.create(
            congress=congress,
            kind=CongressDocument.Kind.MINUTES,
            title=f"Biên bản đại hội riêng {case}",
            file=SimpleUploadedFile(f"bien-ban-{case}.pdf", PDF_BYTES),
        )
        w.request_for[case] = report_request([agency[case]], title=f"Báo cáo riêng {case}")
        report = report_get_or_create(request=shared_request, agency=agency[case])
        w.report[case] = report
        w.report_file[case] = ReportFile.objects.create(
            report=report,
            file=SimpleUploadedFile(f"phu-luc-{case}.pdf", PDF_BYTES),
            original_name=f"phu-luc-{case}.pdf",
            size=len(PDF_BYTES),
            uploaded_by=officer[case],
        )
        w.assignment[case] = assignment(agency[case])
        # A letter of the alliance addressed to the district: its officers, and province staff, may open it.
        w.letter[case] = letter_issue(
            subject=f"V/v đôn đốc báo cáo ma trận {case}",
            body="Đề nghị gửi báo cáo.",
            addressees=[agency[case]],
            signatory=None,
            drafting_code="VP",
            by=users["lienminh"],
        )
        w.letter[case] = issued_render(w.letter[case].pk)  # what the worker does once the letter commits
        # Approved, so it has a schedule: the schedule PDF of a loan without one is a 404 for everyone.
        loan = LoanFactory(
            cooperative=coop,
            code=f"MT-VAY-{case}",
            status="approved",
            approved_amount=Decimal(100_000_000),
            approved_term_months=12,
            approved_rate=Decimal("12"),
            approved_on=date(2024, 1, 10),
            approved_by=users["quy"],
        )
        w.loan[case] = loan
        w.loan_document[case] = LoanDocument.objects.create(
            loan=loan, title="Phương án vay", file=SimpleUploadedFile(f"phuong-an-{case}.pdf", PDF_BYTES)
        )
        w.appraisal[case] = Appraisal.objects.create(loan=loan, agency=agency[case], requested_on=date(2024, 1, 5))
        PilotInvestment.objects.create(
            cooperative=coop, year=2024, source=InvestmentSource.PROVINCE, amount=Decimal(50_000_000), purpose="Máy sấy"
        )
    w.shared_request = shared_request
    w.issued = {case: _issued_document(agency[case], officer[case], case) for case in "AB"}
    # Words that only those who may see district A's (B's) private objects may find on any page.
    w.private_words = {
        case: [
            w.request_for[case].title,
            w.congress_document[case].get_absolute_url(),  # profiles link the minutes by kind, not by title
            w.report_file[case].original_name,
            w.loan[case].code,
            w.letter[case].subject,  # the workspace lists the letters addressed to the officer's agency
        ]
        for case in "AB"
    }
    w.directive = w.assignment["A"].task.document

    w.import_job = ImportJob.objects.create(
        resource="cooperatives",
        file=SimpleUploadedFile("danh-sach.xlsx", b"PK\x03\x04"),
        original_name="danh-sach.xlsx",
        created_by=users["lienminh"],
    )
    w.document, w.document_file = {}, {}
    for case, public in (("public", True), ("internal", False)):
        document = DocumentFactory(is_public=public)
        w.document[case] = document
        w.document_file[case] = DocumentFile.objects.create(
            document=document, file=SimpleUploadedFile("van-ban.pdf", PDF_BYTES), original_name="van-ban.pdf"
        )
        w.document_file[case].ocr_file.save("ocr.pdf", SimpleUploadedFile("ocr.pdf", PDF_BYTES))  # as if scanned
    w.article = {"published": ArticleFactory(), "draft": ArticleFactory(status="draft")}
    w.category, w.tag = Category.objects.first(), Tag.objects.first()
    w.page, w.poll = PageFactory(), Poll.objects.first()
    closes = Poll.objects.exclude(closes_at=None)
    w.polls = {
        "closed": closes.filter(closes_at__lte=now()).first(),
        "open": Poll.objects.filter(closes_at=None).first(),
    }
    w.agency_of_loan = {"A": Agency.objects.order_by("pk").first()}

    # Rows for admin pages the demo loaders above leave empty, so every change page renders a real row.
    _registry_and_fund_rows(w, commune["A"].parent)
    RelatedCooperative.objects.create(cooperative=w.cooperative["A"], related=w.cooperative["B"], reason="Cùng chủ")
    ContactMessage.objects.create(name="Người dân", email="dan@example.invalid", subject="Hỏi", body="Xin hỏi")
    SecurityEvent.objects.create(kind="login", username="lienminh")
    TrustedRoot.objects.create(name="CA thử nghiệm", certificate_pem=make_ca().root_pem)
    merged = UnitChange.objects.create(kind="merge", effective_on=date(2025, 7, 1), legal_source="NQ 1655/NQ-UBTVQH15")
    merged.before.set([commune["A"], commune["B"]])
    agencies_merged = AgencyChange.objects.create(
        kind="merge", effective_on=date(2025, 7, 1), legal_source="QĐ 1/QĐ-UBND", after=agency["A"]
    )
    agencies_merged.before.set([agency["A"], agency["B"]])
    UnitMapping.objects.update_or_create(old_unit=commune["A"], defaults={"new_unit": commune["B"], "note": "Thử"})
    Reminder.objects.create(agency=agency["A"], key="matrix", subject="Nhắc", body="Nhắc hạn", link="/bao-cao/")
    _axes_and_device_rows(users["quantri"])

    (Path(settings.MEDIA_ROOT) / PUBLIC_MEDIA_FILE).write_text("Tệp công khai")  # what DEBUG's /media/ serves

    bulk.refresh(force=True)  # the open data's files, as load_demo leaves them

    w.admin_object = {}
    for model in admin.site._registry:
        row = model._default_manager.order_by("pk").first()
        assert row is not None, f"add a {model._meta.label} row to build_world() so its admin pages are walked"
        history = getattr(model._meta, "simple_history_manager_attribute", None)
        if history and not getattr(row, history).exists():
            row.save()  # rows the demo bulk-created have no past version yet; the history pages need one
        w.admin_object[model._meta.label_lower] = row
    return w


def _registry_and_fund_rows(w, district):

    from cooperatives.models import (
        CongressReminder,
        Evaluation,
        EvaluationCriterion,
        ImprovementPlan,
        Person,
        SectorDepartment,
        SizeThreshold,
        UnitTarget,
        YearlyFigure,
    )
    from fund.models import DisbursementPlan, FundThreshold, LoanSnapshot
    from portal.models import Agency
    from tests.fund.factories import MemberFactory, capital

    coop = w.cooperative["A"]
    Person.objects.create(cooperative=coop, full_name="Lê Văn Thử")
    YearlyFigure.objects.create(cooperative=coop, year=2024)
    evaluation = Evaluation.objects.create(cooperative=coop, year=2024)
    ImprovementPlan.objects.create(evaluation=evaluation, title="Củng cố bộ máy")
    if not EvaluationCriterion.objects.exists():
        EvaluationCriterion.objects.create(code="T1", title="Tiêu chí thử", max_points=10)
    if not SizeThreshold.objects.exists():
        SizeThreshold.objects.create(
            sector_group="agriculture", size_class="small", min_members=10, min_revenue=0, min_capital=0
        )
    UnitTarget.objects.create(unit=district, year=2024, new_cooperatives=2)
    SectorDepartment.objects.create(sector="crops", agency=Agency.objects.filter(kind="department").first())
    CongressReminder.objects.create(
        cooperative=coop, congress_kind="annual", due_date=date(2025, 6, 30), stage=CongressReminder.Stage.values[0]
    )
    capital()
    threshold = FundThreshold.objects.order_by("pk").first()
    if threshold is None:
        FundThreshold.objects.create(key="group2_days", value=10, valid_from=date(2024, 7, 1), legal_source="Thử")
    else:
        threshold.save()  # its first past version now: a threshold saved later would drop the snapshot below
    DisbursementPlan.objects.create(year=2024, amount=Decimal(1_000_000_000))
    MemberFactory(cooperative=coop)
    zero = Decimal(0)
    LoanSnapshot.objects.create(
        loan=w.loan["A"], on=date(2024, 6, 30), status="received", disbursed=zero, outstanding_principal=zero,
        overdue_principal=zero, overdue_interest=zero, penalty_due=zero, days_past_due=0, debt_group=1, provision=zero,
    )  # fmt: skip


def _issued_document(agency, officer, case):
    """A row of the register with its file, as portal.official.document_issue leaves it (without rendering)."""
    from portal.models import IssuedDocument, RegisterCounter
    from tests.directives.factories import PDF_BYTES

    counter, _ = RegisterCounter.objects.get_or_create(agency=agency, year=2024)
    counter.last_number += 1
    counter.save()
    return IssuedDocument.objects.create(
        agency=agency, kind="BC", year=2024, number=counter.last_number, symbol="BC-UBND", issued_on=date(2024, 4, 2),
        place=agency.place_name, issuer_name=agency.name.upper(), subject=f"Báo cáo đã phát hành {case}",
        body_html="<p>Nội dung</p>", issued_by=officer, pdf=SimpleUploadedFile(f"bc-{case}.pdf", PDF_BYTES),
    )  # fmt: skip


def _axes_and_device_rows(superuser):
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django_otp.plugins.otp_totp.models import TOTPDevice

    common = {
        "user_agent": "test",
        "ip_address": "203.0.113.9",
        "username": "ai-do",
        "http_accept": "*/*",
        "path_info": "/dang-nhap/",
    }
    AccessAttempt.objects.create(**common, get_data="", post_data="", failures_since_start=1)
    AccessLog.objects.create(**common)
    AccessFailureLog.objects.create(**common, locked_out=False)
    TOTPDevice.objects.create(user=superuser, name="Ứng dụng xác thực", confirmed=True)


# --- building each URL ---------------------------------------------------------------------------------------------

SITE_KWARGS = {
    "admin_moved_to_public": lambda w, c: {"model": "article", "rest": f"{w.article['published'].pk}/change/"},
    "public:category": lambda w, c: {"slug": w.category.slug},
    "public:tag": lambda w, c: {"slug": w.tag.slug},
    "public:article": lambda w, c: {"slug": w.article[c].slug},
    "public:article_print": lambda w, c: {"slug": w.article[c].slug},
    "public:article_pdf": lambda w, c: {"slug": w.article[c].slug},
    "public:page": lambda w, c: {"slug": w.page.slug},
    "public:poll": lambda w, c: {"slug": w.poll.slug},
    "public:poll_vote": lambda w, c: {"slug": w.poll.slug},
    "public:rss_category": lambda w, c: {"slug": w.category.slug},
    "cooperatives:profile": lambda w, c: {"slug": w.cooperative[c].slug},
    "cooperatives:profile_pdf": lambda w, c: {"slug": w.cooperative[c].slug},
    "cooperatives:internal_profile": lambda w, c: {"slug": w.cooperative[c].slug},
    "cooperatives:congress_document": lambda w, c: {"pk": w.congress_document[c].pk},
    "cooperatives:import_job": lambda w, c: {"pk": w.import_job.pk},
    "notifications:open": lambda w, c: {"pk": 1},
    "signing:sign": lambda w, c: {"pk": 1},
    "cooperatives:import_file": lambda w, c: {"pk": w.import_job.pk},
    "cooperatives:import_confirm": lambda w, c: {"pk": w.import_job.pk},
    "cooperatives:import_template": lambda w, c: {"resource": "cooperatives", "fmt": "xlsx"},
    "cooperatives:export": lambda w, c: {"resource": "cooperatives", "fmt": "csv"},
    "directives:document_detail": lambda w, c: {"slug": w.document[c].slug},
    "directives:document_file": lambda w, c: {"pk": w.document_file[c].pk},
    "directives:document_file_ocr": lambda w, c: {"pk": w.document_file[c].pk},
    "directives:report_edit": lambda w, c: {"request_pk": w.request_for[c].pk},
    "directives:report_autosave": lambda w, c: {"request_pk": w.request_for[c].pk},
    "directives:report_detail": lambda w, c: {"pk": w.report[c].pk},
    "directives:report_review": lambda w, c: {"pk": w.report[c].pk},
    "directives:report_pdf": lambda w, c: {"pk": w.report[c].pk},
    "directives:report_file": lambda w, c: {"pk": w.report_file[c].pk},
    "directives:report_file_delete": lambda w, c: {"pk": w.report_file[c].pk},
    "directives:assignment_detail": lambda w, c: {"pk": w.assignment[c].pk},
    "directives:province_request": lambda w, c: {"pk": w.shared_request.pk},
    "directives:province_request_xlsx": lambda w, c: {"pk": w.shared_request.pk},
    "directives:province_request_pdf": lambda w, c: {"pk": w.shared_request.pk},
    "directives:province_directive": lambda w, c: {"slug": w.directive.slug},
    "directives:summary_issue": lambda w, c: {"pk": w.shared_request.pk},
    "directives:reminder_letter": lambda w, c: {"pk": w.shared_request.pk},
    "directives:issued_file": lambda w, c: {"pk": w.letter[c].pk},
    "fund:loan_detail": lambda w, c: {"pk": w.loan[c].pk},
    "fund:schedule_pdf": lambda w, c: {"pk": w.loan[c].pk},
    "fund:loan_document": lambda w, c: {"pk": w.loan_document[c].pk},
    "fund:loan_action": lambda w, c: {"pk": w.loan[c].pk, "action": "approve"},
    "fund:appraisal_detail": lambda w, c: {"pk": w.appraisal[c].pk},
    "official:issued_file": lambda w, c: {"pk": w.issued[c].pk},
    "opendata:cooperative-detail": lambda w, c: {"slug": w.cooperative[c].slug},
    "opendata:document-detail": lambda w, c: {"slug": w.document[c].slug},
    "opendata:article-detail": lambda w, c: {"slug": w.article[c].slug},
    "opendata:poll-detail": lambda w, c: {"slug": w.polls[c].slug},
    "opendata:loan-product-detail": lambda w, c: {"code": w.loan[c].product.code},
    "opendata:unit-detail": lambda w, c: {"code": w.cooperative[c].unit.code},
    "opendata:agency-detail": lambda w, c: {"id": w.agency_of_loan[c].pk},
    "opendata:download": lambda w, c: {"slug": "hop-tac-xa", "fmt": "csv"},
}


def site_url(world, name, case):
    if name == "^media/(?P<path>.*)$":
        return settings.MEDIA_URL + PUBLIC_MEDIA_FILE
    build = SITE_KWARGS.get(name)
    return reverse(name, kwargs=build(world, case) if build else None)


def admin_model_url(world, route):
    row = world.admin_object[route.admin_model]
    if route.name is None:  # the bare <id>/ that redirects to the change page
        return "/" + route.route.replace("<path:object_id>", str(row.pk))
    name = f"admin:{route.name}"
    if route.admin_page == "simple_history":
        history = getattr(row, row._meta.simple_history_manager_attribute).order_by("history_id").first()
        return reverse(name, args=[row.pk, history.history_id])
    return reverse(name, kwargs={converter: row.pk for converter in route.converters})


def admin_site_url(world, key):
    if key == "admin:view_on_site":
        from django.contrib.contenttypes.models import ContentType

        article = world.article["published"]
        return reverse(
            key, kwargs={"content_type_id": ContentType.objects.get_for_model(article).pk, "object_id": article.pk}
        )
    if key == "admin:catch_all":
        return "/admin/khong-co-trang-nay/"
    return reverse(key)


# --- the walk --------------------------------------------------------------------------------------------------------


@dataclass
class Request:
    url: str
    label: str  # what the report says
    expected: dict  # role -> answer


def requests_to_make(world, routes):
    """One Request per URL and case, with each role's expected answer."""
    made = []
    for route in routes:
        if route.admin_model:
            made.extend(_admin_model_requests(world, route))
        elif route.key == "admin:app_list":
            made.extend(_app_list_requests(route))
        elif route.namespace == "admin":
            made.append(Request(admin_site_url(world, route.key), route.key, ADMIN_SITE[route.key]))
        else:
            for (name, case), expected in {**OPTIONAL_SITE, **SITE}.items():
                if name == route.key:
                    made.append(Request(site_url(world, name, case), f"{name} [{case}]", expected))
    return made


def _admin_model_requests(world, route):
    label, page = route.admin_model, route.admin_page
    need = ADMIN_PAGE_RIGHT[page]
    expected = {"anon": "adm", "hongdan": "adm", "donghai": "adm"}
    for role in ("fund", "editor", "alliance"):
        rights = ADMIN_RIGHTS[label][role]
        if need == "post":
            expected[role] = "405"
        elif need == "redirect":
            expected[role] = "302"
        elif need == "vfile":
            expected[role] = "file" if set(rights) & {"v", "c"} else "403"
        else:
            allowed = need in rights or (need == "v" and "c" in rights)  # Django: change implies view
            # Django's history page looks the row up before it checks the right, so a row outside the user's
            # queryset is refused as missing (404, or the admin's "does not exist" redirect) rather than with 403.
            expected[role] = "200" if allowed else ("refused" if page == "history" else "403")
    url = admin_model_url(world, route)
    return [Request(url, f"admin {label} {page or '<id>'}", expected)]


def _app_list_requests(route):
    made = []
    for app_label in sorted({model._meta.app_label for model in admin.site._registry}):
        expected = {"anon": "adm", "hongdan": "adm", "donghai": "adm"}
        for role in ("fund", "editor", "alliance"):
            sees = any(ADMIN_RIGHTS[label][role] != "-" for label in ADMIN_RIGHTS if label.startswith(app_label + "."))
            expected[role] = "200" if sees else "404"
        made.append(
            Request(reverse("admin:app_list", kwargs={"app_label": app_label}), f"admin app {app_label}", expected)
        )
    return made


def answer(response) -> str:
    """The response in the matrix's words."""
    status = response.status_code
    if status in (301, 302):
        location = response["Location"]
        if location.startswith(resolve_url(settings.LOGIN_URL) + "?"):
            return "login"
        if location.startswith(reverse("admin:login") + "?"):
            return "adm"
        return str(status)
    if status == 200:
        if response.get("Content-Type", "").startswith("application/pdf"):
            return "pdf"
        if response.get("Content-Disposition", "").startswith("attachment"):
            return "file"
    return str(status)


WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?([\w.]+)"?', re.IGNORECASE)


class WriteWatcher:
    """Notes every table an SQL statement writes while it is installed (connection.execute_wrapper)."""

    def __init__(self):
        self.tables = []

    def __call__(self, execute, sql, params, many, context):
        match = WRITE.match(sql)
        if match:
            self.tables.append(match.group(1))
        return execute(sql, params, many, context)


def row_counts():
    counts = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.db_table not in GET_MAY_WRITE:
            counts[model._meta.db_table] = model._base_manager.count()
    return counts


# --- fixtures ---------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once for the module inside a transaction that is rolled back at the end."""
    roots = {
        "MEDIA_ROOT": tmp_path_factory.mktemp("media"),
        "PORTAL_PRIVATE_MEDIA_ROOT": tmp_path_factory.mktemp("private"),
    }
    with django_db_blocker.unblock(), override_settings(**roots), transaction.atomic():
        w = build_world()
        w.roots = roots
        yield w
        transaction.set_rollback(True)


@pytest.fixture(scope="module", autouse=True)
def _pdf_layout_skipped():
    """PDF views still build their context and render their HTML template; only WeasyPrint's layout, which costs
    up to a second a document and says nothing about who may read it, is replaced (tests/portal/test_pdf.py and
    each app's PDF tests render real ones)."""
    from weasyprint import HTML

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(HTML, "write_pdf", lambda self, *args, **kwargs: b"%PDF-1.7\n%%EOF\n")
        yield


@pytest.fixture(autouse=True)
def _uploads_in_tmp(settings, world):
    """The files of the world stay where it wrote them (replaces the root conftest's per-test folders)."""
    settings.MEDIA_ROOT = world.roots["MEDIA_ROOT"]
    settings.PORTAL_PRIVATE_MEDIA_ROOT = world.roots["PORTAL_PRIVATE_MEDIA_ROOT"]


# --- tests ---------------------------------------------------------------------------------------------------------


def test_every_url_and_admin_model_has_an_expectation():
    routes = classified_routes()
    site_names = {name for name, _case in SITE}
    optional_names = {name for name, _case in OPTIONAL_SITE}
    missing, seen = [], set()
    for route in routes:
        seen.add(route.key)
        if route.admin_model:
            if route.admin_model not in ADMIN_RIGHTS:
                missing.append(f"{route.route}: model {route.admin_model} has no row in ADMIN_MATRIX")
            if route.admin_page not in ADMIN_PAGE_RIGHT:
                missing.append(f"{route.route}: admin page '{route.admin_page}' has no entry in ADMIN_PAGE_RIGHT")
        elif route.key == "admin:app_list":
            continue
        elif route.namespace == "admin":
            if route.key not in ADMIN_SITE:
                missing.append(f"{route.route}: {route.key} has no row in ADMIN_SITE_MATRIX")
        elif route.key not in site_names | optional_names:
            missing.append(f"{route.route}: {route.key} has no row in SITE_MATRIX")
    registered = {model._meta.label_lower for model in admin.site._registry}
    stale = sorted(site_names - seen) + sorted(set(ADMIN_RIGHTS) - registered) + sorted(set(ADMIN_SITE) - seen)
    assert not missing, "URLs without an expectation:\n" + "\n".join(missing)
    assert not stale, f"expectations for URLs or models that no longer exist: {stale}"


@pytest.mark.parametrize("role", list(ROLES))
def test_each_role_gets_the_expected_answer_from_every_url_and_no_get_writes(role, world, request):
    client = Client(HTTP_USER_AGENT=BROWSER_UA)
    if ROLES[role]:
        client.force_login(request.getfixturevalue(ROLES[role]))
    to_make = requests_to_make(world, classified_routes())
    before = row_counts()
    wrong, writes, read = [], [], []
    forbidden_words = [word for case in MUST_NOT_READ[role] for word in world.private_words[case]]
    unseen_words = {word for case in MUST_READ[role] for word in world.private_words[case]}
    for item in to_make:
        watcher = WriteWatcher()
        with connections["default"].execute_wrapper(watcher):
            response = client.get(item.url)
        got = answer(response)
        if got != item.expected[role] and not (item.expected[role] == "refused" and got in ("302", "403", "404")):
            wrong.append(f"{item.label}: {item.url} expected {item.expected[role]}, got {got}")
        if response.streaming:
            # Read to the end: the test client then closes the file (closing it again ourselves would fire
            # request_finished and close the database connection under the module's transaction).
            b"".join(response.streaming_content)
        if response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
            html = response.content.decode()
            read.extend(f"{item.label}: {item.url} shows “{word}”" for word in forbidden_words if word in html)
            unseen_words -= {word for word in unseen_words if word in html}
        unexpected = sorted(set(watcher.tables) - set(GET_MAY_WRITE))
        if unexpected:
            writes.append(f"{item.label}: {item.url} wrote {unexpected}")
    after = row_counts()
    changed = {table: (before[table], after[table]) for table in before if before[table] != after[table]}
    assert not wrong, f"{role}: {len(wrong)} of {len(to_make)} answers differ from the matrix:\n" + "\n".join(wrong)
    assert not read, f"{role}: pages show what only another district may see:\n" + "\n".join(read)
    assert not unseen_words, f"{role}: no page showed {sorted(unseen_words)}, which this role may see"
    assert not writes, f"{role}: GET requests wrote to the database:\n" + "\n".join(writes)
    assert not changed, f"{role}: row counts changed by GET requests: {changed}"

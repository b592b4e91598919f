"""Official documents the portal issues, in the form of Nghị định 30/2020/NĐ-CP (Phụ lục I): reports and letters.

A caller (a unit's report, the alliance's summary, a reminder letter) describes its document as a `DocumentDraft`;
`render_draft_pdf` shows it as a draft (no number yet), and `document_issue` gives it the next number of the
issuing agency's register for the year and keeps it as an `IssuedDocument`; the worker then renders it as PDF/A
from that row alone (`issued_render`). The printed form
is one template (templates/pdf/official/document.html) with its stylesheet (static/css/official.css) and the
Liberation Serif fonts (metric-compatible with Times New Roman) from static/vendor/liberation-serif.

What the decree asks of each element, and where we do it:
- governing body (cơ quan chủ quản) in capitals, regular, above the issuing body in capitals, bold, with a short
  line under it; quốc hiệu in capitals, bold; tiêu ngữ bold, with a line under it as long as the text;
- "Số: 05/BC-UBND" (numbers below 10 with a leading zero), the place and date line in italics with day and month
  below 10 (day) or 3 (month) written with a leading zero;
- the type in capitals, bold, and the subject (trích yếu) bold under it; for a letter "V/v ..." under the number;
- "Kính gửi:" for letters; the body; the signature block (TM., KT. and the title in capitals, bold, the name bold);
- "Nơi nhận:" bold italic, its list in 11 pt; A4 with margins 20 mm top and bottom, 30 mm left, 15 mm right.
"""

import logging
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone

from .models import Agency, IssuedDocument, RegisterCounter, Signatory
from .pdf import render_html_pdf
from .text import clean_html

logger = logging.getLogger(__name__)

# The variant every issued document is written in: an archive keeps it readable (ISO 19005-2, level B).
PDFA_VARIANT = "pdf/a-2b"
# The only classes a body keeps through the sanitiser: figures in tables are right-aligned (official.css).
BODY_CLASSES = {"td": {"num"}, "th": {"num"}, "table": {"wide"}}


@dataclass
class SignatureBlock:
    """The signature block as printed: 'TM. ỦY BAN NHÂN DÂN' / 'KT. CHỦ TỊCH' / 'PHÓ CHỦ TỊCH' / name."""

    on_behalf: str = ""  # "TM. ỦY BAN NHÂN DÂN" for a collective body, else ""
    deputy_of: str = ""  # "KT. CHỦ TỊCH" when a deputy signs for the head, else ""
    title: str = ""  # "PHÓ CHỦ TỊCH"
    name: str = ""

    def as_dict(self) -> dict:
        return {"on_behalf": self.on_behalf, "deputy_of": self.deputy_of, "title": self.title, "name": self.name}


def signature_block(agency: Agency, signatory: Signatory | None) -> SignatureBlock:
    """How `signatory` signs for `agency` (Điều 13, Nghị định 30/2020/NĐ-CP)."""
    on_behalf = f"TM. {agency.collective_name}".upper() if agency.collective_name else ""
    if signatory is None:
        return SignatureBlock(on_behalf=on_behalf, title=agency.head_title.upper())
    deputy_of = "" if signatory.is_head else f"KT. {agency.head_title}".upper()
    title = signatory.title.upper()
    return SignatureBlock(on_behalf=on_behalf, deputy_of=deputy_of, title=title, name=signatory.full_name)


@dataclass
class DocumentDraft:
    """Everything a document says before it has a number."""

    agency: Agency
    kind: str  # IssuedDocument.Kind
    subject: str
    body_html: str
    issued_on: date | None = None
    addressees: list[str] = field(default_factory=list)  # Kính gửi (letters)
    recipients: list[str] = field(default_factory=list)  # Nơi nhận
    signatory: Signatory | None = None
    drafting_code: str = ""  # a letter's drafting unit in its symbol, e.g. "VP" in 12/LMHTX-VP

    def symbol(self) -> str:
        code = self.agency.doc_code or (self.agency.short_name or "").upper()
        if self.kind == IssuedDocument.Kind.LETTER:
            return f"{code}-{self.drafting_code}" if self.drafting_code else code
        return f"{self.kind}-{code}"


def date_line(place: str, day: date) -> str:
    """'Hồng Dân, ngày 05 tháng 01 năm 2022': day below 10 and month below 3 with a leading zero (Điều 10)."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


TEMPLATE = "pdf/official/document.html"


def _printed(draft: DocumentDraft, *, number: int | None, issued_on: date) -> IssuedDocument:
    """`draft` as the register keeps it (unsaved): every element printed on the document, as printed."""
    agency = draft.agency
    return IssuedDocument(
        agency=agency,
        kind=draft.kind,
        year=issued_on.year,
        number=number or 0,
        symbol=draft.symbol(),
        issued_on=issued_on,
        place=agency.place_name or agency.unit.name,
        governing_body=agency.governing_body.upper(),
        issuer_name=(agency.letterhead_name or agency.name).upper(),
        subject=draft.subject,
        addressees=list(draft.addressees),
        body_html=clean_html(draft.body_html, classes=BODY_CLASSES),
        signature=signature_block(agency, draft.signatory).as_dict(),
        recipients=list(draft.recipients),
    )


def _html(doc: IssuedDocument, *, is_draft: bool) -> str:
    """The document's page, from what the register keeps of it: the issued PDF is rendered from the row alone."""
    kind_label = IssuedDocument.Kind(doc.kind).label
    return render_to_string(
        TEMPLATE,
        {
            "governing_body": doc.governing_body,
            "issuer_name": doc.issuer_name,
            "number": f"{doc.number:02d}" if doc.number else "",
            "symbol": doc.symbol,
            "date_line": date_line(doc.place, doc.issued_on),
            "is_letter": doc.kind == IssuedDocument.Kind.LETTER,
            "kind_label": kind_label.upper(),
            "subject": doc.subject,
            "addressees": doc.addressees,
            "body_html": doc.body_html,
            "signature": SignatureBlock(**doc.signature),
            "recipients": doc.recipients,
            "is_draft": is_draft,
            "title": f"{kind_label} {doc.subject}",
        },
    )


def render_document_pdf(
    draft: DocumentDraft, *, number: int | None = None, is_draft: bool = False, pdf_variant: str | None = PDFA_VARIANT
) -> bytes:
    """`draft` printed in the form, with `number` (blank when None). Outside the register: for a draft, or for a
    document another body issued (the demo's copy of a provincial letter)."""
    doc = _printed(draft, number=number, issued_on=draft.issued_on or timezone.localdate())
    return render_html_pdf(_html(doc, is_draft=is_draft), pdf_variant=pdf_variant)


def render_draft_pdf(draft: DocumentDraft) -> bytes:
    """The document as it would be issued, marked "DỰ THẢO", with the number left blank."""
    return render_document_pdf(draft, is_draft=True, pdf_variant=None)


def _next_number(agency: Agency, year: int) -> int:
    """The next number of `agency`'s register for `year`; the caller holds a transaction, and the counter row stays
    locked (UPDATE) until it ends, so a second issue waits rather than taking the same number."""
    for _ in range(2):
        if RegisterCounter.objects.filter(agency=agency, year=year).exists():
            break
        try:
            with transaction.atomic():
                RegisterCounter.objects.create(agency=agency, year=year)
        except IntegrityError:  # another issue created it at the same moment
            pass
    RegisterCounter.objects.filter(agency=agency, year=year).update(last_number=F("last_number") + 1)
    return RegisterCounter.objects.get(agency=agency, year=year).last_number


def document_issue(
    *,
    draft: DocumentDraft,
    by,
    source=None,
    replaces: IssuedDocument | None = None,
    addressed_to=(),
    token=None,
) -> IssuedDocument:
    """Give `draft` the next number of its agency's register and keep it, as printed, as an `IssuedDocument`; the
    worker writes its PDF/A once the transaction commits (`issued_render`), so a request never waits for the
    renderer, and a number is taken only with the caller's transaction.

    `addressed_to`: the agencies a letter goes to (their officers see it). `token`: the issuing form's one-time
    token; the same token again (a double click, a resent POST) returns the document already issued."""
    if token is not None:
        found = IssuedDocument.objects.filter(issue_token=token).first()
        if found is not None:
            return found
    try:
        return _issue(draft=draft, by=by, source=source, replaces=replaces, addressed_to=addressed_to, token=token)
    except IntegrityError:
        if token is None:
            raise
        # The same form issued a moment ago in another request: its number, not a second one.
        return IssuedDocument.objects.get(issue_token=token)


def _issue(*, draft, by, source, replaces, addressed_to, token) -> IssuedDocument:
    from .tasks import publish_on_commit, render_issued

    issued_on = draft.issued_on or timezone.localdate()
    with transaction.atomic():
        number = _next_number(draft.agency, issued_on.year)
        doc = _printed(draft, number=number, issued_on=issued_on)
        doc.issued_by = by
        doc.replaces = replaces
        doc.issue_token = token
        if source is not None:
            doc.source_type = ContentType.objects.get_for_model(source)
            doc.source_id = source.pk
        doc.save()
        if addressed_to:
            doc.addressed_to.set(addressed_to)
        publish_on_commit(render_issued, doc.pk)
    return doc


def issued_render(pk: int) -> IssuedDocument | None:
    """Write the PDF/A of issued document `pk` from its row, once (a second call finds it written and does
    nothing). A rendering failure is logged and kept in `render_error` for the register's admin, which offers to try
    again (`issued_render_again`); the document keeps its number. A database fault is raised for the worker to retry."""
    try:
        with transaction.atomic():
            doc = IssuedDocument.objects.select_for_update().filter(pk=pk).first()
            if doc is None or doc.pdf:
                return doc
            data = render_html_pdf(_html(doc, is_draft=False), pdf_variant=PDFA_VARIANT)
            doc.pdf.save(f"{doc.kind.lower()}-{doc.number}.pdf", ContentFile(data), save=False)
            doc.render_error = ""
            doc.save(update_fields=["pdf", "render_error"])
            return doc
    except DatabaseError:
        raise
    except Exception as exc:
        logger.exception("Rendering issued document %s failed", pk)
        IssuedDocument.objects.filter(pk=pk).update(render_error=f"{type(exc).__name__}: {exc}"[:2000])
        return IssuedDocument.objects.filter(pk=pk).first()


def issued_render_again(pks) -> int:
    """Clear the failure of documents `pks` still without a PDF and hand them to the worker again (the register
    admin's action); a document that has its PDF keeps it. Returns how many were handed over."""
    from .tasks import publish_on_commit, render_issued

    waiting = list(IssuedDocument.objects.filter(pk__in=list(pks), pdf="").values_list("pk", flat=True))
    IssuedDocument.objects.filter(pk__in=waiting).update(render_error="")
    for pk in waiting:
        publish_on_commit(render_issued, pk)
    return len(waiting)


def issued_render_pending(*, older_than_seconds: float = 120) -> int:
    """Enqueue the documents whose PDF is still missing (the broker was down when they were issued, or the worker
    stopped) and whose last attempt did not fail; the sweep runs it every few minutes. Returns how many."""
    from .tasks import publish, render_issued

    since = timezone.now() - timedelta(seconds=older_than_seconds)
    pending = IssuedDocument.objects.filter(pdf="", render_error="", issued_at__lte=since).values_list("pk", flat=True)
    return sum(publish(render_issued, pk) for pk in pending[:500])


def issued_for(source) -> IssuedDocument | None:
    """The latest document issued for `source` (a report, a request, a letter), or None."""
    ct = ContentType.objects.get_for_model(source)
    return IssuedDocument.objects.filter(source_type=ct, source_id=source.pk).order_by("-issued_at", "-pk").first()


def issued_visible_to(user):
    """The issued documents `user` may open: all of them for province-wide staff; for an agency's officers, those
    their agency issued and the letters addressed to it; for anyone else (an editor, a reader), none."""
    from .access import user_scope

    scope = user_scope(user)
    if scope.everything:
        return IssuedDocument.objects.all()
    if not scope.agency_ids:
        return IssuedDocument.objects.none()
    addressed = IssuedDocument.objects.filter(addressed_to__in=scope.agency_ids).values("pk")
    return IssuedDocument.objects.filter(Q(agency_id__in=scope.agency_ids) | Q(pk__in=addressed))


def issued_file_name(doc: IssuedDocument) -> str:
    """The name a download gets: '05-BC-UBND-2022.pdf'."""
    return f"{doc.reference.replace('/', '-')}-{doc.year}.pdf"

"""Digital signatures (PAdES) on the documents the portal issues, with pyHanko.

An officer of the issuing agency signs its issued PDF with the agency's active certificate (portal.keystore),
typing the certificate's passphrase each time. The signature is PAdES baseline B-B (CAdES detached, SHA-256),
or B-T when a timestamp authority is configured (settings.PORTAL_TSA_URL, RFC 3161 over HTTP). It is written as an
incremental update, so the issued PDF/A's bytes stay as they were, with a visible stamp (signer, body, time, in
Liberation Serif embedded as a subset so Vietnamese diacritics render) in the space of the signature block on the
last page. A document is signed once.

Law: Luật Giao dịch điện tử 2023 (Điều 22-23: chữ ký số), Nghị định 30/2020/NĐ-CP Phụ lục I (văn bản điện tử: the
body's digital signature, its position and appearance).
"""

import asyncio
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from io import BytesIO
from pathlib import Path

from asn1crypto import tsp
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables
from pyhanko.pdf_utils.font.opentype import GlyphAccumulator, GlyphAccumulatorFactory
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.layout import AxisAlignment, Margins, SimpleBoxLayoutRule
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import fields, signers
from pyhanko.sign.timestamps import TimeStamper
from pyhanko.sign.timestamps.common_utils import TimestampRequestError, set_tsp_headers
from pyhanko.stamp import TextStampStyle
from pypdf import PdfReader

from . import keystore
from .access import user_scope
from .models import Agency, IssuedDocument, SigningCertificate
from .official import issued_render
from .roles import AGENCY_OFFICER, ALLIANCE_STAFF

SIGN_PERMISSION = "portal.sign_issueddocument"
FONT = Path(settings.BASE_DIR) / "static" / "vendor" / "liberation-serif" / "LiberationSerif-Regular.ttf"
FIELD_NAME = "ChuKySo"
# The stamp's box, in PDF points (1/72 in). The form's signature column is the right half of the text area (A4,
# left margin 30 mm, right 15 mm: portal.official); the stamp sits in the 30 mm left for the signature.
PAGE_WIDTH = 595.28
SIGN_COLUMN_CENTRE = 30 / 25.4 * 72 + (PAGE_WIDTH - 45 / 25.4 * 72) * 0.75
STAMP_WIDTH, STAMP_HEIGHT = 228, 52
STAMP_TEXT = "Ký bởi: %(signer)s\nCơ quan: %(org)s\nThời gian ký: %(when)s"


class _EmGlyphAccumulator(GlyphAccumulator):
    """pyHanko 0.38 writes a glyph's width (/W) in the font's own units, where PDF expects thousandths of an em: for
    a TrueType font of 2048 units per em such as Liberation Serif, readers spread the stamp's letters twice as wide.
    Shaping at 1,000 units per em makes HarfBuzz's advances and the widths agree with PDF's text space."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._font_units = self.units_per_em
        self.hb_font.scale = (1000, 1000)
        self.units_per_em = 1000

    def _get_cid_and_width(self, glyph_id: int) -> tuple[int, int]:
        if glyph_id not in self._glyphs:
            cid, width = super()._get_cid_and_width(glyph_id)
            self._glyphs[glyph_id] = (cid, round(width * 1000 / self._font_units))
        return self._glyphs[glyph_id]


class _EmGlyphAccumulatorFactory(GlyphAccumulatorFactory):
    def create_font_engine(self, writer, obj_stream=None) -> GlyphAccumulator:
        if obj_stream is None and writer.stream_xrefs and self.create_objstream_if_needed:
            obj_stream = writer.prepare_object_stream()
        with open(self.font_file, "rb") as handle:
            font = BytesIO(handle.read())
        return _EmGlyphAccumulator(writer=writer, font_handle=font, font_size=self.font_size, obj_stream=obj_stream)


class SigningError(Exception):
    """A signature that cannot be made; the message is Vietnamese and names no secret."""


def certificate_store(*, agency: Agency, data: bytes, passphrase: str, label: str, by=None) -> SigningCertificate:
    """Keep `data`, a PKCS#12 file that opens with `passphrase`, as `agency`'s active certificate (the one it had
    is retired). Raises ValidationError (Vietnamese) from the check; the passphrase is forgotten afterwards."""
    info = keystore.check_pkcs12(data, passphrase)
    with transaction.atomic():
        SigningCertificate.objects.filter(agency=agency, is_active=True).update(is_active=False)
        return SigningCertificate.objects.create(
            agency=agency, label=label, pkcs12_encrypted=keystore.wrap(data), uploaded_by=by, **info.as_fields()
        )


def may_sign(user, document: IssuedDocument) -> bool:
    """An officer of the issuing agency, or alliance staff for the alliance's documents, with the permission."""
    if not getattr(user, "is_authenticated", False) or not user.has_perm(SIGN_PERMISSION):
        return False
    groups = set(user.groups.values_list("name", flat=True))
    if document.agency.kind == Agency.Kind.ALLIANCE and ALLIANCE_STAFF in groups:
        return True
    return AGENCY_OFFICER in groups and user.agency_id == document.agency_id


def may_see(user, document: IssuedDocument) -> bool:
    """Whether `user` may know the document exists (else a 404): its agency's area is in the user's scope."""
    return user_scope(user).sees_unit(document.agency.unit_id)


def _stamp_box(pdf: bytes, document: IssuedDocument) -> tuple[int, tuple[float, float, float, float]]:
    """(page index, box) for the stamp: between the signer's title and name on the page that carries them (the last
    page with the title), else at the foot of the last page."""
    reader = PdfReader(BytesIO(pdf))
    wanted = {(document.signature or {}).get(k, "").strip() for k in ("title", "name")} - {""}
    found: dict[str, float] = {}
    page_index = len(reader.pages) - 1
    for index in range(len(reader.pages) - 1, -1, -1):

        def visit(text, cm, tm, font_dict, font_size, found=found):
            line = text.strip()
            if line in wanted and line not in found:
                found[line] = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]  # y of the text origin on the page

        reader.pages[index].extract_text(visitor_text=visit)
        if found:
            page_index = index
            break
    x0 = SIGN_COLUMN_CENTRE - STAMP_WIDTH / 2
    title_y = found.get((document.signature or {}).get("title", "").strip())
    name_y = found.get((document.signature or {}).get("name", "").strip())
    if title_y is not None and name_y is not None and title_y - name_y > STAMP_HEIGHT + 16:
        middle = (title_y + name_y + 10) / 2  # baselines: the title's box ends ~4 pt below, the name's ~10 above
        y0 = middle - STAMP_HEIGHT / 2 - 2
    elif title_y is not None:
        y0 = title_y - 8 - STAMP_HEIGHT
    else:
        y0 = 57  # 20 mm bottom margin
    return page_index, (x0, y0, x0 + STAMP_WIDTH, y0 + STAMP_HEIGHT)


class UrllibTimeStamper(TimeStamper):
    """RFC 3161 over HTTP with the standard library: pyHanko's own clients need `requests` or `aiohttp`, which the
    portal does not otherwise use."""

    def __init__(self, url: str, timeout: float):
        self.url, self.timeout = url, timeout
        super().__init__()

    def _post(self, body: bytes) -> bytes:
        request = urllib.request.Request(self.url, data=body, headers=set_tsp_headers({}), method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - an admin's URL
                if response.headers.get("Content-Type") != "application/timestamp-reply":
                    raise TimestampRequestError("Timestamp server response is malformed.")
                return response.read()
        except (OSError, ValueError) as exc:
            raise TimestampRequestError("Error in communication with timestamp server") from exc

    async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        return tsp.TimeStampResp.load(await asyncio.to_thread(self._post, req.dump()))


def _timestamper():
    url = settings.PORTAL_TSA_URL
    return UrllibTimeStamper(url, timeout=settings.PORTAL_TSA_TIMEOUT) if url else None


@sensitive_variables()
def _sign_pdf(pdf: bytes, pkcs12_data: bytes, passphrase: str, *, document: IssuedDocument, cert, when) -> bytes:
    signer = signers.SimpleSigner.load_pkcs12_data(pkcs12_data, other_certs=[], passphrase=passphrase.encode())
    page, box = _stamp_box(pdf, document)
    style = TextStampStyle(
        stamp_text=STAMP_TEXT,
        text_box_style=TextBoxStyle(
            font=_EmGlyphAccumulatorFactory(str(FONT)),
            font_size=10,
            leading=13,
            box_layout_rule=SimpleBoxLayoutRule(
                x_align=AxisAlignment.ALIGN_MIN, y_align=AxisAlignment.ALIGN_MID, margins=Margins.uniform(5)
            ),
        ),
        inner_content_layout=SimpleBoxLayoutRule(
            x_align=AxisAlignment.ALIGN_MID, y_align=AxisAlignment.ALIGN_MID, margins=Margins.uniform(1)
        ),
        border_width=2,  # drawn on the box edge: half of it is clipped, the rest reads as a 1 pt frame
        background=None,
    )
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        location=document.place,
        name=cert.subject_cn,
    )
    pdf_signer = signers.PdfSigner(
        meta,
        signer=signer,
        timestamper=_timestamper(),
        stamp_style=style,
        new_field_spec=fields.SigFieldSpec(FIELD_NAME, on_page=page, box=box),
    )
    out = BytesIO()
    params = {
        "signer": cert.subject_cn,
        "org": cert.subject_o or cert.subject_cn,
        "when": f"{timezone.localtime(when):%d/%m/%Y %H:%M} (giờ Việt Nam)",
    }
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    _outside_event_loop(lambda: pdf_signer.sign_pdf(writer, output=out, appearance_text_params=params))
    return out.getvalue()


def _outside_event_loop(call):
    """pyHanko's synchronous API runs its own event loop (asyncio.run), which fails in a thread that already runs
    one (an async caller, a browser test's driver): there it runs in a worker thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return call()
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call).result()


@sensitive_variables()
def document_sign(*, document: IssuedDocument, passphrase: str, by) -> IssuedDocument:
    """Sign `document`'s issued PDF with its agency's active certificate, opened with `passphrase` (typed by `by`,
    never kept). Refuses (SigningError, Vietnamese, nothing changed) a document already signed, an agency without a
    valid certificate, a wrong passphrase, a timestamp authority that does not answer; PermissionDenied when `by`
    may not sign for the agency."""
    if not may_sign(by, document):
        raise PermissionDenied("Bạn không có quyền ký số văn bản của cơ quan này.")
    with transaction.atomic():
        doc = IssuedDocument.objects.select_for_update().select_related("agency").get(pk=document.pk)
        if doc.signed_pdf:
            when = timezone.localtime(doc.signed_at).strftime("%H:%M %d/%m/%Y") if doc.signed_at else ""
            raise SigningError(f"Văn bản {doc.reference} đã được ký số lúc {when}; không ký lại được.")
        if not doc.pdf:  # the worker has not written it yet: the signer waits for it here rather than come back
            doc = issued_render(doc.pk)
            if not doc.pdf:
                raise SigningError(f"Chưa tạo được bản PDF của văn bản {doc.reference}; hãy thử lại sau.")
        cert = SigningCertificate.objects.filter(agency=doc.agency, is_active=True).first()
        if cert is None:
            raise SigningError(f"{doc.agency.name} chưa có chứng thư số để ký. Hãy nhờ quản trị viên tải lên.")
        now = timezone.now()
        if cert.not_after < now:
            raise SigningError(
                f"Chứng thư số của {doc.agency.name} đã hết hạn ngày {timezone.localtime(cert.not_after):%d/%m/%Y}."
                " Hãy nhờ quản trị viên tải lên chứng thư mới."
            )
        if cert.not_before > now:
            raise SigningError(
                f"Chứng thư số của {doc.agency.name} chưa có hiệu lực"
                f" (từ {timezone.localtime(cert.not_before):%d/%m/%Y})."
            )
        try:
            data = keystore.unwrap(cert.pkcs12_encrypted)
            keystore.open_pkcs12(data, passphrase)
        except keystore.KeystoreError as exc:
            raise SigningError(str(exc)) from None
        with doc.pdf.open("rb") as stored:
            pdf = stored.read()
        try:
            signed = _sign_pdf(pdf, data, passphrase, document=doc, cert=cert, when=now)
        except OSError:  # the timestamp authority did not answer (pyHanko raises requests' errors, OSErrors)
            raise SigningError("Không kết nối được máy chủ cấp dấu thời gian; hãy thử lại sau.") from None
        doc.signed_pdf.save(f"{doc.kind.lower()}-{doc.number}-ky-so.pdf", ContentFile(signed), save=False)
        doc.signed_at = now
        doc.signed_by = by
        doc.save(update_fields=["signed_pdf", "signed_at", "signed_by"])
    return doc


@sensitive_variables()
def pdf_sign(*, pdf: bytes, agency: Agency, passphrase: str, signature: dict, place: str) -> bytes:
    """`pdf` (a document printed in the form, issued outside this portal's register: the demo's copy of a provincial
    letter) signed with `agency`'s active certificate, the stamp between the title and name of `signature` (as in
    IssuedDocument.signature). Raises SigningError as document_sign does."""
    cert = SigningCertificate.objects.filter(agency=agency, is_active=True).first()
    if cert is None:
        raise SigningError(f"{agency.name} chưa có chứng thư số để ký. Hãy nhờ quản trị viên tải lên.")
    try:
        data = keystore.unwrap(cert.pkcs12_encrypted)
        keystore.open_pkcs12(data, passphrase)
    except keystore.KeystoreError as exc:
        raise SigningError(str(exc)) from None
    printed = IssuedDocument(agency=agency, signature=signature, place=place)
    return _sign_pdf(pdf, data, passphrase, document=printed, cert=cert, when=timezone.now())

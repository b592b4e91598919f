"""The text of every attachment, extracted once after upload so that search finds words inside files.

Each attachment model inherits `ExtractedText` (the fields below) and its app registers it in AppConfig.ready
(portal.extract_hooks.extract_on_upload): a file saved new or replaced is marked "chờ" and a Celery task
(portal.tasks.extract_text) calls `attachment_extract_text` once the transaction commits. The web request never
waits for it.

How each kind is read:
- PDF: pypdf, page by page; a page with (almost) no text is a scan: it is rendered with pdftoppm at 300 dpi and
  read by Tesseract (vie+eng). Tesseract also draws that page's invisible text layer, which is laid over a copy of
  the PDF (`ocr_file`, in the same storage as the original). The original is never changed: it may carry a
  signature that any change would break.
- Images (PNG, JPEG, GIF, WEBP): Tesseract.
- DOCX: python-docx (paragraphs, then tables). XLSX: openpyxl read-only (sheet names and cell values, bounded rows);
  each sheet is one "page".
- DOC, XLS, ODT, ODS: not read ("không hỗ trợ"): there is no LibreOffice on our servers to convert them.

`text` holds the pages separated by a form feed ("\\f"), so a search hit can say on which page it is. Every
subprocess gets a fixed argument list (no shell), runs in a temporary folder and has a timeout.
"""

import hashlib
import logging
import os
import re
import shutil
import subprocess
import tempfile
import unicodedata
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

import docx
from celery.exceptions import SoftTimeLimitExceeded
from django.apps import apps
from django.conf import settings
from django.core.files import File
from django.db import models
from django.db.models.functions import Substr
from django.utils import timezone
from openpyxl import load_workbook
from PIL import Image
from pypdf import PdfReader, PdfWriter, Transformation

from .contentcache import bump_on_commit
from .search import fold
from .storage import PrivateStorage, generated_name
from .text import highlight
from .uploads import ZipBomb, detect_kind

logger = logging.getLogger(__name__)

PAGE_BREAK = "\f"
NO_TESSERACT = "Máy chủ chưa cài Tesseract (tesseract-ocr-vie)."
NO_POPPLER = "Máy chủ chưa cài poppler-utils (pdftoppm)."
BROKEN = "Không đọc được nội dung tệp: tệp hỏng hoặc không đúng định dạng."
TOO_SLOW = "Quá thời gian nhận dạng chữ một trang (trang %(page)s)."
TOO_LONG = "Tệp quá dài: hết thời gian trích xuất (30 phút). Hãy tách tệp thành nhiều phần rồi trích xuất lại."
UNSUPPORTED = "Chưa hỗ trợ trích xuất nội dung tệp %(ext)s; hãy đính kèm thêm bản PDF hoặc DOCX."

TEXT_EXTENSIONS = {".pdf", ".docx", ".xlsx", ".png", ".jpg", ".jpeg", ".gif", ".webp"}
IMAGE_EXTENSIONS = {".png", ".jpg", ".jpeg", ".gif", ".webp"}
# Text and format characters other than these break PostgreSQL (NUL) or only add noise to the index.
_KEPT_CONTROLS = {"\n", "\t", PAGE_BREAK}


class TextState(models.TextChoices):
    PENDING = "pending", "Chờ"
    RUNNING = "running", "Đang trích xuất"
    OCR = "ocr", "Nhận dạng chữ (OCR)"
    DONE = "done", "Xong"
    FAILED = "failed", "Lỗi"
    UNSUPPORTED = "unsupported", "Không hỗ trợ"


class TextMethod(models.TextChoices):
    TEXT = "text", "Văn bản"
    OCR = "ocr", "OCR"


def ocr_copy_path(instance, filename):
    return generated_name("ocr", filename)


class ExtractedText(models.Model):
    """Abstract: the extracted text of an attachment and the state of its extraction (progress included).

    The fields are derived data, written only by `attachment_extract_text` (through `update`, so the row's own
    save logic and history do not run for them). A model whose file is public (public.Attachment) redeclares
    `ocr_file` in the public storage."""

    text_state = models.CharField(
        "trích xuất nội dung", max_length=12, choices=TextState.choices, default=TextState.PENDING, editable=False
    )
    text = models.TextField("nội dung trích xuất", blank=True, default="", editable=False)
    text_pages = models.PositiveIntegerField("số trang", default=0, editable=False)
    text_done_pages = models.PositiveIntegerField("số trang đã xử lý", default=0, editable=False)
    text_method = models.CharField(
        "cách trích xuất", max_length=4, choices=TextMethod.choices, blank=True, default="", editable=False
    )
    text_error = models.CharField("lỗi trích xuất", max_length=300, blank=True, default="", editable=False)
    text_updated_at = models.DateTimeField("trích xuất lúc", null=True, blank=True, editable=False)
    ocr_file = models.FileField(
        "bản có lớp chữ (OCR)", upload_to=ocr_copy_path, storage=PrivateStorage, blank=True, editable=False
    )

    class Meta:
        abstract = True

    @property
    def text_pending(self) -> bool:
        return self.text_state in {TextState.PENDING, TextState.RUNNING, TextState.OCR}

    def text_progress(self) -> str:
        """ "OCR: trang 3/12", "Đang trích xuất: trang 40/120", "Xong (văn bản, 12 trang)", "Lỗi: ..."."""
        state = TextState(self.text_state)
        if state == TextState.OCR:
            return f"OCR: trang {self.text_done_pages}/{self.text_pages}"
        if state == TextState.RUNNING and self.text_pages:
            return f"Đang trích xuất: trang {self.text_done_pages}/{self.text_pages}"
        if state == TextState.DONE:
            method = self.get_text_method_display().lower() if self.text_method == TextMethod.TEXT else "OCR"
            note = f" – {self.text_error}" if self.text_error else ""
            return f"Xong ({method}, {self.text_pages} trang){note}"
        if state in {TextState.FAILED, TextState.UNSUPPORTED}:
            return f"{state.label}: {self.text_error}" if self.text_error else state.label
        return state.label


# Fields that are not the record's own history (portal's HistoricalRecords exclude them).
TEXT_FIELDS = [
    "text_state",
    "text",
    "text_pages",
    "text_done_pages",
    "text_method",
    "text_error",
    "text_updated_at",
    "ocr_file",
]


# --- extraction of one local file -----------------------------------------------------------------------------


class ExtractionError(Exception):
    """A file that cannot be read, with the Vietnamese message staff see."""


@dataclass
class Extraction:
    pages: list[str] = field(default_factory=list)
    total_pages: int = 0
    method: str = TextMethod.TEXT
    state: str = TextState.DONE
    error: str = ""
    ocr_pdf: str | None = None  # path of the copy with a text layer, inside the temporary folder

    @property
    def text(self) -> str:
        return clean_text(PAGE_BREAK.join(self.pages))[: settings.PORTAL_EXTRACT_MAX_CHARS]


Progress = Callable[[int, int, bool], None]  # (pages done, pages in all, doing OCR now)


def clean_text(value: str) -> str:
    """NFC, no NUL or other control characters (PostgreSQL refuses NUL), page breaks and line breaks kept."""
    value = unicodedata.normalize("NFC", value or "")
    return "".join(
        ch for ch in value if ch in _KEPT_CONTROLS or unicodedata.category(ch) not in {"Cc", "Cs", "Co", "Cn"}
    ).strip()


def _run(args: list[str], *, cwd: str, timeout: int) -> subprocess.CompletedProcess:
    # A fixed argument list and no shell: the file names are ours (inside the temporary folder) anyway.
    return subprocess.run(args, cwd=cwd, capture_output=True, timeout=timeout, check=False)  # noqa: S603


def tesseract_available() -> bool:
    return shutil.which("tesseract") is not None


def _tesseract(image: str, base: str, *, cwd: str, page: int, pdf: bool) -> str:
    """Text of one page image; with `pdf`, also `<base>.pdf`: that page's invisible text layer."""
    if not tesseract_available():
        raise ExtractionError(NO_TESSERACT)
    args = ["tesseract", image, base, "--dpi", "300", "-l", settings.PORTAL_OCR_LANGUAGES]
    args += ["-c", "textonly_pdf=1", "txt", "pdf"] if pdf else ["txt"]
    try:
        done = _run(args, cwd=cwd, timeout=settings.PORTAL_OCR_PAGE_TIMEOUT)
    except subprocess.TimeoutExpired as exc:
        raise ExtractionError(TOO_SLOW % {"page": page}) from exc
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace")
        if "Failed loading language" in message or "Error opening data file" in message:
            raise ExtractionError(NO_TESSERACT)
        logger.warning("tesseract failed on page %s: %s", page, message[-500:])
        raise ExtractionError(BROKEN)
    with open(os.path.join(cwd, f"{base}.txt"), encoding="utf-8", errors="replace") as handle:
        return handle.read()


def _render_page(source: str, number: int, *, cwd: str) -> str:
    if shutil.which("pdftoppm") is None:
        raise ExtractionError(NO_POPPLER)
    base = f"page-{number}"
    # A raw greyscale image (PGM): pdftoppm's PNG encoder spends 17 s on a noisy A4 scan at 300 dpi, PGM 0.2 s, and
    # Tesseract reads both to the same text.
    args = ["pdftoppm", "-r", "300", "-gray", "-f", str(number), "-l", str(number), "-singlefile", source, base]
    try:
        done = _run(args, cwd=cwd, timeout=settings.PORTAL_OCR_PAGE_TIMEOUT)
    except subprocess.TimeoutExpired as exc:
        raise ExtractionError(TOO_SLOW % {"page": number}) from exc
    if done.returncode != 0:
        raise ExtractionError(BROKEN)
    return f"{base}.pgm"


def _needs_ocr(text: str) -> bool:
    return sum(1 for ch in text if not ch.isspace()) < settings.PORTAL_OCR_MIN_CHARS


def extract_pdf(path: str, *, cwd: str, progress: Progress) -> Extraction:
    reader = PdfReader(path)
    if reader.is_encrypted and not reader.decrypt(""):
        raise ExtractionError("Tệp PDF có mật khẩu: không đọc được nội dung.")
    total = len(reader.pages)
    limit = min(total, settings.PORTAL_EXTRACT_MAX_PAGES)
    result = Extraction(total_pages=limit)
    layers: dict[int, str] = {}
    for index in range(limit):
        page_text = reader.pages[index].extract_text() or ""
        if _needs_ocr(page_text):
            progress(index, limit, True)
            image = _render_page(path, index + 1, cwd=cwd)
            base = f"ocr-{index + 1}"
            page_text = _tesseract(image, base, cwd=cwd, page=index + 1, pdf=True)
            layers[index] = os.path.join(cwd, f"{base}.pdf")
            os.unlink(os.path.join(cwd, image))
        result.pages.append(page_text)
        progress(index + 1, limit, bool(layers))
    if total > limit:
        result.error = f"Chỉ trích xuất {limit}/{total} trang đầu."
    if layers:
        result.method = TextMethod.OCR
        writer = PdfWriter(clone_from=reader)
        for index, layer_path in layers.items():
            layer = PdfReader(layer_path).pages[0]
            target = writer.pages[index]
            box, own = target.mediabox, layer.mediabox
            scale = Transformation().scale(float(box.width) / float(own.width), float(box.height) / float(own.height))
            target.merge_transformed_page(layer, scale.translate(float(box.left), float(box.bottom)))
        result.ocr_pdf = os.path.join(cwd, "ocr-copy.pdf")
        with open(result.ocr_pdf, "wb") as handle:
            writer.write(handle)
    return result


def extract_image(path: str, *, cwd: str, progress: Progress) -> Extraction:
    progress(0, 1, True)
    with Image.open(path) as image:
        image.load()
        # Tesseract reads PNG surely; GIF and WEBP support depends on how Leptonica was built.
        image.convert("L").save(os.path.join(cwd, "image.png"), dpi=(300, 300))
    text = _tesseract("image.png", "image", cwd=cwd, page=1, pdf=False)
    progress(1, 1, True)
    return Extraction(pages=[text], total_pages=1, method=TextMethod.OCR)


def extract_docx(path: str, *, cwd: str, progress: Progress) -> Extraction:
    document = docx.Document(path)
    lines = [p.text for p in document.paragraphs if p.text.strip()]
    for table in document.tables:
        for row in table.rows:
            cells = list(dict.fromkeys(cell.text.strip() for cell in row.cells if cell.text.strip()))
            if cells:
                lines.append(" | ".join(cells))
    progress(1, 1, False)
    return Extraction(pages=["\n".join(lines)], total_pages=1)


def extract_xlsx(path: str, *, cwd: str, progress: Progress) -> Extraction:
    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        sheets = workbook.worksheets[: settings.PORTAL_EXTRACT_MAX_PAGES]
        result = Extraction(total_pages=len(sheets))
        for number, sheet in enumerate(sheets, start=1):
            lines = [sheet.title]
            for row in sheet.iter_rows(max_row=settings.PORTAL_EXTRACT_MAX_ROWS, values_only=True):
                values = [str(v) for v in row if v is not None and str(v).strip()]
                if values:
                    lines.append(" | ".join(values))
            result.pages.append("\n".join(lines))
            progress(number, len(sheets), False)
        return result
    finally:
        workbook.close()


READERS = {".pdf": extract_pdf, ".docx": extract_docx, ".xlsx": extract_xlsx}
READERS.update(dict.fromkeys(IMAGE_EXTENSIONS, extract_image))


def extract_path(path: str, extension: str, *, cwd: str, progress: Progress | None = None) -> Extraction:
    """Read the file at `path` (of kind `extension`); never raises: failures come back as state "lỗi"."""
    reader = READERS.get(extension.lower())
    if reader is None:
        message = UNSUPPORTED % {"ext": extension.upper().lstrip(".") or "này"}
        return Extraction(state=TextState.UNSUPPORTED, error=message, method="")
    try:
        return reader(path, cwd=cwd, progress=progress or (lambda done, total, ocr: None))
    except ExtractionError as exc:
        return Extraction(state=TextState.FAILED, error=str(exc), method="")
    except SoftTimeLimitExceeded:
        return Extraction(state=TextState.FAILED, error=TOO_LONG, method="")
    except Exception:  # noqa: BLE001 - parsers of untrusted files raise anything; the row says "lỗi", the worker lives
        logger.warning("Extraction failed for a %s file", extension, exc_info=True)
        return Extraction(state=TextState.FAILED, error=BROKEN, method="")


# Results of OCR this process has already done, by the file's SHA-256 and the settings that shape the result: the
# same bytes read again (a file uploaded twice, the demo loaded again) are not read by Tesseract again. Only results
# that needed OCR are kept (the rest is quick to redo), at most MEMO_SIZE of them, with the text-layer copy's bytes.
MEMO_SIZE = 8
_memo: "OrderedDict[tuple, tuple[Extraction, bytes | None]]" = OrderedDict()


def _memo_key(path: str, extension: str) -> tuple:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    limits = (settings.PORTAL_OCR_LANGUAGES, settings.PORTAL_EXTRACT_MAX_PAGES, settings.PORTAL_OCR_MIN_CHARS)
    return (digest.hexdigest(), extension, limits)


def extract_path_once(path: str, extension: str, *, cwd: str, progress: Progress | None = None) -> Extraction:
    """`extract_path`, reusing the result of an OCR this process did on the same bytes (see `_memo`)."""
    key = _memo_key(path, extension)
    if key in _memo:
        _memo.move_to_end(key)
        kept, layer = _memo[key]
        result = Extraction(
            pages=list(kept.pages), total_pages=kept.total_pages, method=kept.method, state=kept.state, error=kept.error
        )
        if layer is not None:
            result.ocr_pdf = os.path.join(cwd, "ocr-copy.pdf")
            with open(result.ocr_pdf, "wb") as handle:
                handle.write(layer)
        if progress:
            progress(result.total_pages, result.total_pages, result.method == TextMethod.OCR)
        return result
    result = extract_path(path, extension, cwd=cwd, progress=progress)
    if result.state == TextState.DONE and result.method == TextMethod.OCR:
        layer = None
        if result.ocr_pdf:
            with open(result.ocr_pdf, "rb") as handle:
                layer = handle.read()
        _memo[key] = (result, layer)
        while len(_memo) > MEMO_SIZE:
            _memo.popitem(last=False)
    return result


KIND_EXTENSIONS = {"pdf": ".pdf", "docx": ".docx", "xlsx": ".xlsx", "image": ".png"}


def _extension_by_content(path: str, extension: str) -> str:
    """A stored name without a known extension (rows older than generated names): judged by the bytes, as the
    upload check judges them (portal.uploads)."""
    try:
        with open(path, "rb") as handle:
            kind = detect_kind(handle, extension)
    except ZipBomb:
        return extension
    return KIND_EXTENSIONS.get(kind or "", extension)


# --- the registry and the service ---------------------------------------------------------------------------------


# "app.Model" -> name of the foreign key to the row whose search_text includes the file's text (or None).
REGISTRY: dict[str, str | None] = {}


def registered_model(label: str):
    if label not in REGISTRY:
        raise LookupError(f"{label} is not registered for text extraction")
    return apps.get_model(label)


def attachment_extract_text(*, label: str, pk: int) -> str | None:
    """Extract the text of one attachment, recording progress on the row as it goes; return the final state.

    Writes go through `update(...)` filtered on the file's stored name: if the file was replaced meanwhile, the
    old file's result is dropped (the replacement has its own task)."""
    model = registered_model(label)
    row = model.objects.filter(pk=pk).first()
    if row is None or not row.file:
        return None
    stored = row.file.name
    current = model.objects.filter(pk=pk, file=stored)

    def progress(done: int, total: int, ocr: bool) -> None:
        state = TextState.OCR if ocr else TextState.RUNNING
        current.update(text_state=state, text_done_pages=done, text_pages=total)

    current.update(text_state=TextState.RUNNING, text_done_pages=0, text_error="")
    extension = os.path.splitext(stored)[1].lower()
    with tempfile.TemporaryDirectory(prefix="extract-") as folder:
        source = os.path.join(folder, f"source{extension}")
        try:
            with row.file.open("rb") as src, open(source, "wb") as dst:
                shutil.copyfileobj(src, dst)
        except (FileNotFoundError, OSError):
            result = Extraction(state=TextState.FAILED, error="Không tìm thấy tệp trong kho lưu trữ.", method="")
        else:
            extension = extension if extension in READERS else _extension_by_content(source, extension)
            result = extract_path_once(source, extension, cwd=folder, progress=progress)
        ocr_name = ""
        if result.ocr_pdf and result.state == TextState.DONE:
            storage = model._meta.get_field("ocr_file").storage
            with open(result.ocr_pdf, "rb") as handle:
                ocr_name = storage.save(ocr_copy_path(row, "ocr.pdf"), File(handle))
    changed = current.update(
        text_state=result.state,
        text=result.text,
        text_pages=result.total_pages,
        text_done_pages=result.total_pages if result.state == TextState.DONE else 0,
        text_method=result.method if result.state == TextState.DONE else "",
        text_error=result.error[:300],
        text_updated_at=timezone.now(),
        ocr_file=ocr_name,
    )
    old_copy = row.ocr_file.name
    if changed and old_copy and old_copy != ocr_name:
        row.ocr_file.storage.delete(old_copy)
    if changed:
        parent_refresh(row, label)
    return result.state


def parent_refresh(row, label: str) -> None:
    """The parent's search_text again, now that its file's text changed (an update: no history row, no save
    logic), and the public pages' cache made stale."""
    parent_field = REGISTRY.get(label)
    if not parent_field:
        return
    parent = getattr(row, parent_field)
    parent.refresh_search_text()
    type(parent).objects.filter(pk=parent.pk).update(search_text=parent.search_text)
    bump_on_commit()


def search_text_of(files) -> str:
    """The files' text that goes into their parent's search_text: at most PORTAL_SEARCH_ATTACHMENT_CHARS
    characters in all (the file keeps its whole text), so the PostgreSQL tsvector stays far below its 1 MB limit."""
    cap = settings.PORTAL_SEARCH_ATTACHMENT_CHARS
    parts, used = [], 0
    for text in files.exclude(text="").annotate(head=Substr("text", 1, cap)).values_list("head", flat=True):
        parts.append(text[: cap - used])
        used += len(parts[-1])
        if used >= cap:
            break
    return " ".join(parts)


# --- where in a file a search hit is ----------------------------------------------------------------------------


@dataclass
class FileHit:
    name: str
    url: str
    page: int
    snippet: str


def _matches(folded: str, word: str) -> bool:
    return re.search(r"(?<![0-9a-z])" + re.escape(word), folded) is not None


def file_hit(name: str, url: str, text: str, words: list[str]) -> FileHit | None:
    """The first page of `text` holding every word (else the first word), with a highlighted snippet."""
    words = [w for w in words if w]
    if not words or not text:
        return None
    pages = text.split(PAGE_BREAK)
    folded = [fold(page) for page in pages]
    for wanted in (words, words[:1]):
        for number, page in enumerate(folded, start=1):
            if all(_matches(page, w) for w in wanted):
                return FileHit(name, url, number, highlight(pages[number - 1], words))
    return None


def missing_words(text: str, words: list[str]) -> list[str]:
    """The words of a query that `text` (a row's own fields) does not hold: those are in its attachments."""
    folded = fold(text)
    return [w for w in words if w and not _matches(folded, w)]


def file_hits(files, parent_field: str, words: dict, *, name_field: str, url: Callable) -> dict:
    """{parent id: FileHit} for the parents of `files` (one query), where `words` maps each parent id to the words
    to look for in its files; only the part of each file's text that search_text holds is searched."""
    cap = settings.PORTAL_SEARCH_ATTACHMENT_CHARS
    rows = (
        files.exclude(text="")
        .annotate(head=Substr("text", 1, cap))
        .order_by(parent_field, "pk")
        .values_list("pk", parent_field, name_field, "file", "head")
    )
    found: dict = {}
    for pk, parent_id, name, stored, text in rows:
        if parent_id in found:
            continue
        hit = file_hit(name, url(pk, stored), text, words[parent_id])
        if hit is not None:
            found[parent_id] = hit
    return found

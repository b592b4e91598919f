"""Text for the whole portal: the one normaliser every form and import goes through; rich text for the public site
(nh3 sanitising, plain-text extraction, highlighted search snippets)."""

import html
import re
import unicodedata

import nh3
from django.utils.html import escape
from django.utils.safestring import mark_safe

# Zero-width joiners shape emoji and some scripts; every other format character (BOM, zero-width space, bidi
# overrides that spoof a file name) is invisible noise pasted from the web or a word processor.
_KEPT_FORMAT = {"\u200c", "\u200d"}


def _is_noise(ch: str) -> bool:
    category = unicodedata.category(ch)
    if category == "Cc":
        return not ch.isspace()
    return category in ("Cf", "Cs") and ch not in _KEPT_FORMAT


def control_characters(value: str) -> list[str]:
    """The control characters in `value` that are neither white space nor harmless: NUL, BEL, ESC, DEL, C1 ...

    An import refuses a cell holding one (it is a broken or crafted file, not something a person typed); a form
    drops them (normalise)."""
    if value.isprintable():  # the common case, in C: no control, format or non-space separator character
        return []
    return [ch for ch in dict.fromkeys(value) if unicodedata.category(ch) == "Cc" and not ch.isspace()]


def normalise(value) -> str:
    """One line of text as it is compared and stored: invisible characters dropped, Unicode NFC, trimmed, every run
    of white space (tabs, line breaks, no-break spaces) one space. "5201000101 " and "5201000101" are one code,
    and a name typed with decomposed diacritics (macOS, some Vietnamese keyboards) equals one typed composed."""
    if value is None:
        return ""
    text = str(value)
    if not text.isprintable():
        text = "".join(ch for ch in text if not _is_noise(ch))
    return " ".join(unicodedata.normalize("NFC", text).split())


def normalise_multiline(value) -> str:
    """Rich or multi-line text: the same minus the collapsing, so paragraphs and indentation survive: invisible
    characters dropped except line breaks and tabs, CR LF and CR become LF, Unicode NFC, trimmed."""
    if value is None:
        return ""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(ch for ch in text if ch in "\n\t" or not (_is_noise(ch) or unicodedata.category(ch) == "Cc"))
    return unicodedata.normalize("NFC", text).strip()


ALLOWED_TAGS = {
    "p", "br", "strong", "b", "em", "i", "u", "s", "del", "a", "ul", "ol", "li", "h2", "h3", "h4", "blockquote",
    "pre", "code", "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "img", "figure", "figcaption",
    "div", "span", "sub", "sup", "hr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}


def clean_html(value: str, *, classes: dict[str, set[str]] | None = None) -> str:
    """Keep only harmless markup: no scripts, event handlers, styles, iframes or javascript: URLs. `classes` names the
    only class values kept, per tag (none by default)."""
    if not value:
        return ""
    return nh3.clean(
        value,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
        allowed_classes=classes or {},
    )


def safe_html(value: str) -> str:
    """Sanitised again at display time, then marked safe for the template."""
    return mark_safe(clean_html(value))  # noqa: S308 - nh3 has just cleaned it


_TAG = re.compile(r"<[^>]+>")


def html_to_text(value: str) -> str:
    if not value:
        return ""
    text = _TAG.sub(" ", value)
    return " ".join(html.unescape(text).split())


def _fold_char(ch: str) -> str:
    if ch in "đĐ":
        return "d"
    decomposed = unicodedata.normalize("NFD", ch)
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn").lower()


def highlight(text: str, words: list[str], *, width: int = 220, whole: bool = False) -> str:
    """A snippet of `text` around the first match, with every folded word prefix wrapped in <mark>.

    Matching is done on a per-character folded copy so that positions map back to the original text, which
    keeps its diacritics ("dai hoi" highlights "Đại hội").
    """
    text = " ".join((text or "").split())
    if not text:
        return ""
    folded_chars = [_fold_char(ch) for ch in text]
    folded = "".join(c[:1] or " " for c in folded_chars)  # one folded char per original char
    spans = []
    for word in words:
        if not word:
            continue
        for match in re.finditer(r"(?<![0-9a-z])" + re.escape(word), folded):
            spans.append((match.start(), match.end()))
    spans.sort()
    first = _best_start(spans, width // 2) if spans and not whole else 0
    start = 0 if whole else max(0, first - width // 3)
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < first else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > first else end
    out, pos = [], start
    for s, e in spans:
        if s < pos or s >= end:
            continue
        e = min(e, end)
        out.append(escape(text[pos:s]))
        out.append(f"<mark>{escape(text[s:e])}</mark>")
        pos = e
    out.append(escape(text[pos:end]))
    prefix = "… " if start else ""
    suffix = " …" if end < len(text) else ""
    return mark_safe(prefix + "".join(out) + suffix)  # noqa: S308 - every piece is escaped above


def _best_start(spans: list[tuple[int, int]], window: int) -> int:
    """Start of the match whose following `window` characters hold the most matches (ties: the earliest)."""
    best, best_count = spans[0][0], 0
    for i, (start, _end) in enumerate(spans):
        count = sum(1 for s, _e in spans[i:] if s < start + window)
        if count > best_count:
            best, best_count = start, count
    return best


def highlight_all(text: str, words: list[str]) -> str:
    """The whole (short) text with matches marked: for titles."""
    return highlight(text, words, width=len(text or ""), whole=True)

"""Server-rendered SVG bar charts: geometry computed here, drawn by templates/cooperatives/includes/bar_chart.html.

No inline styles or scripts (the Content-Security-Policy forbids them): only SVG attributes.

A label is right-aligned against its bar, so a label wider than its column would start left of the drawing and be
cut off ("…ừng hoạt động khôn…"). Labels are therefore wrapped on words into lines that fit the column (at most
`MAX_LINES`, the last one shortened with "…" if the label is longer still; the whole label stays in the bar's
tooltip and in the table for screen readers), and a row is as tall as its lines.
"""

import textwrap

LABEL_WIDTH = 210
BAR_AREA = 160
WIDTH = LABEL_WIDTH + BAR_AREA + 55
# Characters per label line: the column less its 8px gap, at the widest average glyph of the chart font
# (12.5px DejaVu Sans / Arial, about 7px a character with Vietnamese diacritics).
LINE_CHARS = 28
MAX_LINES = 2
LINE_HEIGHT = 14
ROW_PADDING = 14  # above and below the text, shared by the bar (20px high)
BAR_HEIGHT = 20


def label_lines(label: str, *, width: int = LINE_CHARS, max_lines: int = MAX_LINES) -> list[str]:
    """`label` wrapped on words into lines of at most `width` characters, at most `max_lines` of them."""
    lines = textwrap.wrap(label, width=width, break_long_words=True, break_on_hyphens=False) or [""]
    if len(lines) > max_lines:
        rest = " ".join(lines[max_lines - 1 :])
        lines = lines[: max_lines - 1] + [rest[: width - 1].rstrip() + "…"]
    return lines


def bar_chart(title: str, items, *, suffix: str = "") -> dict:
    items = [(str(label), value or 0) for label, value in items]
    peak = max((value for _, value in items), default=0) or 1
    rows = []
    y = 0
    for label, value in items:
        lines = label_lines(label)
        height = max(len(lines) * LINE_HEIGHT + ROW_PADDING, BAR_HEIGHT + 8)
        middle = y + height / 2
        first_baseline = middle - (len(lines) - 1) * LINE_HEIGHT / 2 + 4.5
        width = round(BAR_AREA * value / peak, 1)
        rows.append(
            {
                "label": label,
                "short": " ".join(lines),
                "lines": [
                    {"text": text, "y": round(first_baseline + i * LINE_HEIGHT, 1)} for i, text in enumerate(lines)
                ],
                "value": value,
                "y": y,
                "bar_y": round(middle - BAR_HEIGHT / 2, 1),
                "text_y": round(middle + 4.5, 1),
                "bar_width": max(width, 1 if value else 0),
                "value_x": LABEL_WIDTH + width + 6,
            }
        )
        y += height
    return {
        "title": title,
        "rows": rows,
        "height": y or BAR_HEIGHT + 8,
        "width": WIDTH,
        "label_width": LABEL_WIDTH,
        "label_x": LABEL_WIDTH - 8,
        "suffix": suffix,
    }


# --- columns over the years (the statistics page's trend) ---------------------------------------------------------

COLUMN_WIDTH = 420
PLOT_LEFT = 40  # the value axis' labels
PLOT_RIGHT_PAD = 16  # half a year label, so the latest year is not cut at the edge
PLOT_TOP = 10
PLOT_HEIGHT = 150
AXIS_BOTTOM = 24  # the years under the columns
MAX_YEAR_LABELS = 10


def _nice_ceiling(value: int) -> int:
    """The smallest of 1, 2, 5 × 10^k at or above `value`, so the axis reads in round numbers."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


def column_chart(title: str, years: list[int], series: list[tuple[str, str, list[int]]]) -> dict:
    """Columns per year, one per series side by side; `series`: (name, css class, one value per year)."""
    peak = _nice_ceiling(max((v for _, _, values in series for v in values), default=0) or 1)
    slot = (COLUMN_WIDTH - PLOT_LEFT - PLOT_RIGHT_PAD) / max(len(years), 1)
    bar = max(min(slot * 0.8 / max(len(series), 1), 18), 1.5)
    every = max(1, -(-len(years) // MAX_YEAR_LABELS))
    bottom = PLOT_TOP + PLOT_HEIGHT
    columns = []
    for index, year in enumerate(years):
        left = PLOT_LEFT + index * slot + (slot - bar * len(series)) / 2
        for position, (name, css, values) in enumerate(series):
            height = round(PLOT_HEIGHT * values[index] / peak, 1)
            columns.append(
                {
                    "x": round(left + position * bar, 1),
                    "y": round(bottom - height, 1),
                    "width": round(bar, 1),
                    "height": height,
                    "css": css,
                    "tooltip": f"{name} {year}: {values[index]}",
                }
            )
    labels = [
        {"x": round(PLOT_LEFT + (index + 0.5) * slot, 1), "text": year}
        for index, year in enumerate(years)
        if index % every == (len(years) - 1) % every  # counted back from the latest year, which is always shown
    ]
    ticks = [{"y": round(bottom - PLOT_HEIGHT * f, 1), "value": round(peak * f)} for f in (0, 0.5, 1)]
    return {
        "title": title,
        "width": COLUMN_WIDTH,
        "height": bottom + AXIS_BOTTOM,
        "plot_left": PLOT_LEFT,
        "plot_right": COLUMN_WIDTH - PLOT_RIGHT_PAD,
        "bottom": bottom,
        "label_y": bottom + 16,
        "columns": columns,
        "labels": labels,
        "ticks": ticks,
        "legend": [{"name": name, "css": css} for name, css, _ in series] if len(series) > 1 else [],
    }

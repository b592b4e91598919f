"""Server-rendered SVG bar charts: geometry computed here, drawn by templates/cooperatives/includes/bar_chart.html.

No inline styles or scripts (the Content-Security-Policy forbids them): only SVG attributes.
"""

ROW_HEIGHT = 28
LABEL_WIDTH = 150
BAR_AREA = 160
WIDTH = LABEL_WIDTH + BAR_AREA + 45


def bar_chart(title: str, items, *, suffix: str = "") -> dict:
    items = [(str(label), value or 0) for label, value in items]
    peak = max((value for _, value in items), default=0) or 1
    rows = []
    for index, (label, value) in enumerate(items):
        width = round(BAR_AREA * value / peak, 1)
        y = index * ROW_HEIGHT
        rows.append(
            {
                "label": label,
                "short": label if len(label) <= 21 else label[:20] + "…",
                "value": value,
                "y": y,
                "text_y": y + 18,
                "bar_width": max(width, 1 if value else 0),
                "value_x": LABEL_WIDTH + width + 6,
            }
        )
    return {
        "title": title,
        "rows": rows,
        "height": max(len(rows), 1) * ROW_HEIGHT,
        "width": WIDTH,
        "label_width": LABEL_WIDTH,
        "label_x": LABEL_WIDTH - 8,
        "suffix": suffix,
    }

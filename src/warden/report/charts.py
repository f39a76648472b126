"""Charts as inline SVG, written by hand: stacked bars over time, bar charts, histograms.

Reports embed these in the page (:mod:`warden.report.html`), so a chart is a string of
``<svg>`` with nothing external: no JavaScript, fonts or files. Output is deterministic —
the same figures give byte-identical SVG — so a published report can be regenerated and
compared. Every chart has a title, labelled axes, a legend when there is more than one
series, and a tooltip (``<title>``) on each bar; an empty chart says so instead of drawing
nothing.

Axes use "nice" steps (1, 2, 2.5 or 5 × 10ⁿ) and counts never get fractional ticks:
``nice_ticks(7)`` is ``[0, 2, 4, 6, 8]``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

from warden.report.html import Markup, escape, number

#: Categorical colours (Tableau 10), assigned to series in order.
PALETTE = (
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
)  # fmt: skip
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'Noto Sans CJK SC', sans-serif"
INK, MUTED, GRID = "#1f2430", "#5b6472", "#e3e6eb"
CHAR = 6.6  # approximate width of one 12px character, for layout


def nice_ticks(top: float, count: int = 5) -> list[float]:
    """Ticks from 0 to at least ``top``, at most ``count`` steps of a round size (whole
    numbers once ``top`` is 1 or more)."""
    if top <= 0:
        return [0, 1]
    raw = top / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    if top >= 1:
        step = max(1, step if step >= 1 else 1)
        if step != int(step):  # 2.5 → 3 would not be round; use 5 instead
            step = 5 * magnitude
    ticks = [0.0]
    while ticks[-1] < top:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def _f(value: float) -> str:
    """A coordinate, rounded so the output is stable and small."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _label(value: float) -> str:
    """A tick or bar value: ``1,200``, ``2.5``, ``0.025`` (at most 4 decimals, no trailing 0s)."""
    if value == int(value):
        return str(number(value))
    return f"{value:,.4f}".rstrip("0").rstrip(".")


def _clip(text: str, width: float) -> str:
    limit = max(int(width / CHAR), 4)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _frame(title: str, width: float, height: float, body: list[str]) -> Markup:
    label = escape(title)
    return Markup(
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_f(width)} '
        f'{_f(height)}" width="{_f(width)}" height="{_f(height)}" role="img" '
        f'aria-label="{label}" font-family="{FONT}" font-size="12" fill="{INK}">'
        f"<title>{label}</title>"
        f'<text x="0" y="16" font-size="14" font-weight="600">{label}</text>'
        + "".join(body)
        + "</svg>"
    )


def _empty(title: str, width: float, height: float) -> Markup:
    return _frame(
        title,
        width,
        height,
        [
            f'<rect x="0" y="28" width="{_f(width)}" height="{_f(height - 28)}" fill="#f5f6f8" '
            'rx="6"/>',
            f'<text x="{_f(width / 2)}" y="{_f(height / 2 + 14)}" text-anchor="middle" '
            f'fill="{MUTED}">nothing in this period</text>',
        ],
    )


def _legend(names: Sequence[str], colors: Sequence[str], width: float, y: float) -> list[str]:
    """Swatches and names in rows under the plot; returns the SVG parts."""
    parts, x = [], 0.0
    for name, color in zip(names, colors, strict=True):
        size = 18 + len(name) * CHAR + 16
        if x > 0 and x + size > width:
            x, y = 0.0, y + 18
        parts.append(
            f'<rect x="{_f(x)}" y="{_f(y - 10)}" width="12" height="12" rx="2" fill="{color}"/>'
            f'<text x="{_f(x + 17)}" y="{_f(y)}">{escape(name)}</text>'
        )
        x += size
    return parts


def _legend_rows(names: Sequence[str], width: float) -> int:
    rows, x = 1, 0.0
    for name in names:
        size = 18 + len(name) * CHAR + 16
        if x > 0 and x + size > width:
            rows, x = rows + 1, 0.0
        x += size
    return rows


def _y_axis(ticks: list[float], left: float, right: float, top: float, bottom: float) -> list[str]:
    parts = []
    span = ticks[-1] or 1
    for tick in ticks:
        y = bottom - (bottom - top) * tick / span
        parts.append(
            f'<line x1="{_f(left)}" x2="{_f(right)}" y1="{_f(y)}" y2="{_f(y)}" stroke="{GRID}"/>'
            f'<text x="{_f(left - 6)}" y="{_f(y + 4)}" text-anchor="end" fill="{MUTED}">'
            f"{_label(tick)}</text>"
        )
    parts.append(
        f'<line x1="{_f(left)}" x2="{_f(right)}" y1="{_f(bottom)}" y2="{_f(bottom)}" '
        f'stroke="{MUTED}"/>'
    )
    return parts


def stacked_bars(
    title: str,
    labels: Sequence[str],
    series: Mapping[str, Sequence[float]],
    *,
    x_label: str,
    y_label: str,
    colors: Mapping[str, str] | None = None,
    width: float = 520,
    height: float = 300,
) -> Markup:
    """One bar per label (e.g. per day), stacked by series (e.g. by action type).

    ``series`` maps a name to one value per label, in the order to stack (bottom first) and
    to list in the legend; series that are zero everywhere are left out.
    """
    names = [name for name, values in series.items() if any(values)]
    if not labels or not names:
        return _empty(title, width, height)
    palette = [(colors or {}).get(n, PALETTE[i % len(PALETTE)]) for i, n in enumerate(names)]
    totals = [sum(series[n][i] for n in names) for i in range(len(labels))]
    ticks = nice_ticks(max(totals))
    legend_rows = _legend_rows(names, width) if len(names) > 1 else 0
    left = 16 + max(len(_label(ticks[-1])) * CHAR, 20) + 8
    top, right = 40.0, width - 8
    bottom = height - 44 - 18 * legend_rows
    parts = _y_axis(ticks, left, right, top, bottom)
    band = (right - left) / len(labels)
    bar = max(min(band * 0.72, 56), 1)
    room = max(len(label) for label in labels) * CHAR * 0.85 + 8  # one label's width
    every = max(1, math.ceil(len(labels) * room / (right - left)))
    for i, label in enumerate(labels):
        x = left + band * i + (band - bar) / 2
        y = bottom
        for name, color in zip(names, palette, strict=True):
            value = series[name][i]
            if not value:
                continue
            h = (bottom - top) * value / ticks[-1]
            y -= h
            parts.append(
                f'<rect x="{_f(x)}" y="{_f(y)}" width="{_f(bar)}" height="{_f(h)}" '
                f'fill="{color}"><title>{escape(label)} · {escape(name)}: '
                f"{_label(value)}</title></rect>"
            )
        if i % every == 0:
            parts.append(
                f'<text x="{_f(x + bar / 2)}" y="{_f(bottom + 16)}" text-anchor="middle" '
                f'fill="{MUTED}">{escape(label)}</text>'
            )
    parts += _axis_titles(x_label, y_label, left, right, top, bottom)
    if legend_rows:
        parts += _legend(names, palette, width, bottom + 50)
    return _frame(title, width, height, parts)


def _axis_titles(
    x_label: str, y_label: str, left: float, right: float, top: float, bottom: float
) -> list[str]:
    return [
        f'<text x="{_f((left + right) / 2)}" y="{_f(bottom + 34)}" text-anchor="middle" '
        f'fill="{MUTED}">{escape(x_label)}</text>',
        f'<text transform="translate(12 {_f((top + bottom) / 2)}) rotate(-90)" '
        f'text-anchor="middle" fill="{MUTED}">{escape(y_label)}</text>',
    ]


def bars(
    title: str,
    values: Mapping[str, float],
    *,
    value_label: str,
    color: str = PALETTE[0],
    width: float = 520,
    formatter: Callable[[float], str] | None = None,
) -> Markup:
    """Horizontal bars, one per item, in the order given, each with its value at the end."""
    items = list(values.items())
    row = 26.0
    height = 56 + row * max(len(items), 1) + 24
    if not items:
        return _empty(title, width, 140)
    longest = max(len(name) for name, _ in items)
    left = min(16 + longest * CHAR, width * 0.4)
    top, right = 36.0, width - 72
    top_value = max(v for _, v in items)
    ticks = nice_ticks(top_value)
    tick_label = formatter or _label
    parts = []
    for tick in ticks:
        x = left + (right - left) * tick / ticks[-1]
        parts.append(
            f'<line x1="{_f(x)}" x2="{_f(x)}" y1="{_f(top)}" y2="{_f(top + row * len(items))}" '
            f'stroke="{GRID}"/><text x="{_f(x)}" y="{_f(top + row * len(items) + 16)}" '
            f'text-anchor="middle" fill="{MUTED}">{escape(tick_label(tick))}</text>'
        )
    for i, (name, value) in enumerate(items):
        y = top + row * i
        w = (right - left) * value / ticks[-1]
        shown = escape(formatter(value)) if formatter else _label(value)
        parts.append(
            f'<text x="{_f(left - 8)}" y="{_f(y + row / 2 + 4)}" text-anchor="end">'
            f"{escape(_clip(name, left - 16))}</text>"
            f'<rect x="{_f(left)}" y="{_f(y + 4)}" width="{_f(max(w, 1))}" '
            f'height="{_f(row - 8)}" rx="2" fill="{color}"><title>{escape(name)}: {shown}'
            f'</title></rect><text x="{_f(left + w + 6)}" y="{_f(y + row / 2 + 4)}" '
            f'font-weight="600">{shown}</text>'
        )
    parts.append(
        f'<text x="{_f((left + right) / 2)}" y="{_f(top + row * len(items) + 36)}" '
        f'text-anchor="middle" fill="{MUTED}">{escape(value_label)}</text>'
    )
    return _frame(title, width, height + 8, parts)


#: Bins a histogram falls back to when the values spread too far for one bar per value.
WIDE_BINS = ((2, 2), (3, 3), (4, 4), (5, 9), (10, 19), (20, 49), (50, 99), (100, 999), (1000, None))


def histogram(
    title: str,
    counts: Mapping[int, int],
    *,
    x_label: str,
    y_label: str,
    color: str = PALETTE[0],
    width: float = 520,
    height: float = 280,
    max_bars: int = 30,
) -> Markup:
    """Counts of integer values (e.g. ring sizes): one bar per value while they fit,
    otherwise the values are grouped into :data:`WIDE_BINS` (2, 3, 4, 5–9, 10–19, …)."""
    present = {k: v for k, v in counts.items() if v}
    if not present:
        return _empty(title, width, height)
    low, high = min(present), max(present)
    bins: list[tuple[str, int]]
    if high - low + 1 <= max_bars:
        bins = [(str(k), present.get(k, 0)) for k in range(low, high + 1)]
    else:
        bins = []
        for start, end in WIDE_BINS:
            total = sum(v for k, v in present.items() if k >= start and (end is None or k <= end))
            name = (
                f"{start}+" if end is None else (str(start) if start == end else f"{start}–{end}")
            )
            bins.append((name, total))
        below = sum(v for k, v in present.items() if k < WIDE_BINS[0][0])
        if below:
            bins.insert(0, (f"<{WIDE_BINS[0][0]}", below))
        while bins and bins[-1][1] == 0:
            bins.pop()
    labels = [name for name, _ in bins]
    return stacked_bars(
        title,
        labels,
        {y_label: [value for _, value in bins]},
        x_label=x_label,
        y_label=y_label,
        colors={y_label: color},
        width=width,
        height=height,
    )

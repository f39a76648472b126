"""A small toolkit for self-contained HTML reports: page, sections, headline figures, tables.

Reports are published and archived as single files, so a page needs nothing but itself: CSS
is inline, charts are inline SVG (:mod:`warden.report.charts`), and there is no JavaScript,
font or CDN to fetch — it renders offline in any browser and prints cleanly.

Every function returns :class:`Markup`, HTML that is already safe to embed. Anything else
passed in — a plain ``str`` such as a rule id or a title — is escaped, so data can never
inject markup::

    page("Report", [section("Actions", "What was done.", table(["type", "n"], [["close", 1200]]))])

Numbers are written for people: ``number(20000000)`` is ``'20,000,000'`` and
``share(0.05)`` is ``'5.00%'``; both return :class:`Num`, which tables align right.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

#: Placeholder for a figure that does not exist (a rate with nothing to divide by).
MISSING = "–"


class Markup(str):
    """HTML known to be safe (built by this toolkit); anything else gets escaped."""

    __slots__ = ()


class Num(Markup):
    """A number already formatted for people; tables align it right."""

    __slots__ = ()


def escape(value: object) -> Markup:
    """``value`` as HTML text (Markup passes through unchanged)."""
    if isinstance(value, Markup):
        return value
    return Markup(html.escape(str(value), quote=True))


def join(parts: Iterable[object], separator: str = "\n") -> Markup:
    """Escape each part that is not Markup and join them."""
    return Markup(separator.join(escape(part) for part in parts))


def number(value: float | None, digits: int = 0) -> Num:
    """``1234567`` → ``'1,234,567'``; ``None`` → ``'–'``."""
    if value is None:
        return Num(MISSING)
    return Num(f"{value:,.{digits}f}")


def share(value: float | None, digits: int = 2) -> Num:
    """A fraction as a percentage: ``0.0512`` → ``'5.12%'``; ``None`` → ``'–'``."""
    if value is None:
        return Num(MISSING)
    return Num(f"{value * 100:,.{digits}f}%")


def _cell(value: object) -> tuple[Markup, bool]:
    """The cell's HTML and whether it is a number (numbers are right-aligned)."""
    if isinstance(value, bool):
        return escape("yes" if value else "no"), False
    if isinstance(value, int | float):
        return number(value, 0 if isinstance(value, int) else 2), True
    if value is None:
        return Num(MISSING), True
    return escape(value), isinstance(value, Num)


@dataclass(frozen=True, slots=True)
class Stat:
    """One headline figure: a big value, what it is, and a line of context."""

    label: str
    value: str
    note: str = ""
    tone: str = ""  # "", "good", "bad"


def headline(stats: Sequence[Stat]) -> Markup:
    """The big numbers at the top of a report."""
    cards = []
    for stat in stats:
        tone = f" tone-{stat.tone}" if stat.tone else ""
        note = f'<div class="stat-note">{escape(stat.note)}</div>' if stat.note else ""
        cards.append(
            f'<div class="stat{tone}"><div class="stat-value">{escape(stat.value)}</div>'
            f'<div class="stat-label">{escape(stat.label)}</div>{note}</div>'
        )
    return Markup(f'<div class="headline">{"".join(cards)}</div>')


def section(
    title: str, intro: str | Markup, body: Markup | Sequence[Markup], *, anchor: str | None = None
) -> Markup:
    """A titled part of the page: a short explanation, then its figures."""
    ident = escape(anchor or title.lower().replace(" ", "-"))
    content = body if isinstance(body, str) else join(body)
    lead = f'<p class="intro">{escape(intro)}</p>' if intro else ""
    return Markup(f'<section id="{ident}"><h2>{escape(title)}</h2>{lead}\n{content}\n</section>')


def table(
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    caption: str | None = None,
    total: Sequence[object] | None = None,
) -> Markup:
    """A table; ints and :class:`Num` cells are right-aligned, ``total`` is a bold last row."""
    cap = f"<caption>{escape(caption)}</caption>" if caption else ""
    if not rows:
        title = f'<p class="empty-caption">{escape(caption)}</p>' if caption else ""
        return Markup(title + note("None in this period."))
    numeric = [False] * len(header)
    body = []
    for row in [*rows, *([total] if total is not None else [])]:
        cells = []
        for i, value in enumerate(row):
            text, is_number = _cell(value)
            numeric[i] = numeric[i] or is_number
            cells.append(f'<td class="num">{text}</td>' if is_number else f"<td>{text}</td>")
        css = ' class="total"' if total is not None and row is total else ""
        body.append(f"<tr{css}>{''.join(cells)}</tr>")
    head = "".join(
        f'<th class="num">{escape(h)}</th>' if numeric[i] else f"<th>{escape(h)}</th>"
        for i, h in enumerate(header)
    )
    return Markup(
        f'<div class="scroll"><table>{cap}<thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def facts(pairs: Sequence[tuple[str, object]]) -> Markup:
    """A definition list of ``(name, value)`` pairs (metadata, small sets of figures)."""
    items = "".join(f"<dt>{escape(name)}</dt><dd>{_cell(value)[0]}</dd>" for name, value in pairs)
    return Markup(f'<dl class="facts">{items}</dl>')


def note(text: str | Markup, tone: str = "info") -> Markup:
    """A callout: ``info``, ``good`` or ``bad``."""
    return Markup(f'<p class="note note-{escape(tone)}">{escape(text)}</p>')


def code(text: str) -> Markup:
    """Monospace text that may be long (a hash)."""
    return Markup(f"<code>{escape(text)}</code>")


def grid(*parts: Markup) -> Markup:
    """Parts side by side on a wide screen, one under another on a narrow one."""
    return Markup('<div class="grid">' + "".join(f"<div>{part}</div>" for part in parts) + "</div>")


def page(
    title: str,
    sections: Sequence[Markup],
    *,
    subtitle: str | Markup = "",
    top: Markup | None = None,
    footer: str | Markup = "",
) -> str:
    """A complete HTML document: header, ``top`` (headline figures), sections, footer."""
    sub = f'<p class="subtitle">{escape(subtitle)}</p>' if subtitle else ""
    foot = f"<footer>{escape(footer)}</footer>" if footer else ""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n"
        f"<header><h1>{escape(title)}</h1>{sub}</header>\n"
        f"{top or ''}\n{join(sections)}\n{foot}\n</main>\n</body>\n</html>\n"
    )


CSS = """
:root { --ink: #1f2430; --muted: #5b6472; --line: #e3e6eb; --soft: #f5f6f8;
  --accent: #4e79a7; --good: #2f7d4f; --bad: #b3261e; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--soft); color: var(--ink);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans CJK SC",
  "Helvetica Neue", Arial, sans-serif; font-variant-numeric: tabular-nums; }
main { max-width: 1120px; margin: 0 auto; padding: 32px 24px 48px; }
header h1 { font-size: 30px; line-height: 1.2; margin: 0 0 6px; letter-spacing: -0.01em; }
.subtitle { color: var(--muted); margin: 0 0 24px; }
.headline { display: grid; grid-template-columns: repeat(4, 1fr); gap: 14px; margin: 0 0 20px; }
@media (max-width: 900px) { .headline { grid-template-columns: repeat(2, 1fr); } }
.stat { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 16px 18px;
  border-top: 4px solid var(--accent); }
.stat.tone-bad { border-top-color: var(--bad); }
.stat.tone-good { border-top-color: var(--good); }
.stat-value { font-size: 38px; font-weight: 700; line-height: 1.1; letter-spacing: -0.02em; }
.stat-label { font-weight: 600; margin-top: 6px; }
.stat-note { color: var(--muted); font-size: 13px; margin-top: 2px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 10px;
  padding: 20px 24px 24px; margin: 0 0 20px; }
section h2 { font-size: 20px; margin: 0 0 4px; }
.intro { color: var(--muted); margin: 0 0 16px; max-width: 80ch; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 20px;
  align-items: start; margin: 0 0 12px; }
svg.chart { width: 100%; height: auto; display: block; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 16px; font-size: 14px; }
caption, .empty-caption { text-align: left; font-weight: 600; padding: 0 0 6px; margin: 8px 0 0; }
.scroll { overflow-x: auto; }
th, td { padding: 6px 8px; border-bottom: 1px solid var(--line); text-align: left;
  vertical-align: top; }
th { color: var(--muted); font-weight: 600; font-size: 13px; background: var(--soft); }
td.num, th.num { text-align: right; }
td.num { white-space: nowrap; }
tr.total td { font-weight: 700; border-top: 2px solid var(--ink); }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 6px 18px; margin: 0 0 12px; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; font-weight: 600; overflow-wrap: anywhere; }
code { font: 13px/1.4 ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace;
  overflow-wrap: anywhere; }
.note { border-radius: 8px; padding: 10px 14px; margin: 8px 0 12px; background: var(--soft); }
.note-good { background: #e8f3ec; color: #1d5234; }
.note-bad { background: #fbe9e7; color: #8c1d18; font-weight: 600; }
footer { color: var(--muted); font-size: 13px; margin-top: 24px; }
@media print { body { background: #fff; } section, .stat { break-inside: avoid; } }
"""

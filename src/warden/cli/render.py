"""Rich renderings of verdicts for people reading a terminal."""

from __future__ import annotations

from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from warden.domain.verdicts import Verdict

CATEGORY_STYLES = {
    "sexual_services": "bold magenta",
    "porn": "magenta",
    "fraud": "bold red",
    "gambling": "yellow",
    "terror": "bold white on red",
    "spam": "cyan",
    "harassment": "red",
}
ENTITY_STYLE = "underline bold blue"


def highlighted(verdict: Verdict) -> Text:
    """The original text with lexicon matches and entities highlighted where they were written."""
    text = Text(verdict.text)
    for entity in verdict.entities:
        text.stylize(ENTITY_STYLE, entity.start, entity.end)
    for match in verdict.matches:
        text.stylize(CATEGORY_STYLES.get(match.category, "bold"), match.start, match.end)
    return text


def verdict_panel(verdict: Verdict) -> Panel:
    """A panel per verdict: highlighted text, scores, matches and entities."""
    parts: list[Text | Table] = [highlighted(verdict)]
    if verdict.categories:
        scores = Text("  ".join(f"{c} {s:.2f}" for c, s in sorted(verdict.categories.items())))
        parts.append(scores)
        reading = "doing it" if verdict.intent >= 1.0 else "talking about it"
        cues = ", ".join(verdict.intent_cues) or "no cues"
        parts.append(Text(f"intent {verdict.intent:.2f} ({reading}: {cues})", style="dim"))
    if verdict.models:
        learned = "  ".join(
            f"{name} {p:.2f}"
            for name, distribution in sorted(verdict.models.items())
            for label, p in distribution.items()
            if label != "clean"
        )
        parts.append(Text(f"detectors: {learned}", style="dim"))
    if verdict.matches:
        table = Table("term", "category", "as written", "how", box=None, pad_edge=False)
        if verdict.media is not None:
            table.add_column("box (x, y, w, h)")
        for match in verdict.matches:
            row = [match.term, match.category, repr(match.matched), match.variant]
            if verdict.media is not None:
                row.append(str(list(match.box)) if match.box else "")
            table.add_row(*row)
        parts.append(table)
    if verdict.entities:
        table = Table("entity", "value", "as written", "from", box=None, pad_edge=False)
        for entity in verdict.entities:
            kind = entity.kind.value + (f"/{entity.platform.value}" if entity.platform else "")
            table.add_row(kind, entity.value, repr(entity.matched), entity.source or "text")
        parts.append(table)
    parts.extend(_picture(verdict))
    top = verdict.top_category()
    title = f"[red]{top[0]} {top[1]:.2f}[/red]" if top else "[green]clean[/green]"
    if verdict.media is not None:
        spot = verdict.media
        title = f"{spot.media_id} · {spot.source} · {title}"
        if spot.bank_matches:
            title = f"{spot.media_id} · [red]bank match[/red]"
        if spot.problem:
            title = f"{spot.media_id} · [red]not read[/red]"
    return Panel(Group(*parts), title=title, title_align="left")


def _picture(verdict: Verdict) -> list[Text | Table]:
    """What a picture's verdict adds: where a code is, the hash, bank matches, problems."""
    spot = verdict.media
    if spot is None:
        return []
    parts: list[Text | Table] = []
    if spot.problem:
        parts.append(Text(spot.problem, style="bold red"))
    if spot.source == "qr":
        parts.append(Text(f"{spot.code_format} at box {list(spot.box or ())}", style="dim"))
    if spot.pdq:
        size = f"{spot.size[0]}×{spot.size[1]}" if spot.size else "?"
        parts.append(
            Text(
                f"{size} px  sha256 {spot.sha256}\npdq {spot.pdq} (quality {spot.quality})",
                style="dim",
            )
        )
    if spot.bank_matches:
        table = Table("bank", "entry", "distance", "banked hash", box=None, pad_edge=False)
        for match in spot.bank_matches:
            table.add_row(match.bank, match.entry, f"{match.distance}/256", match.hash)
        parts.append(table)
    return parts

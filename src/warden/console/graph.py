"""A ring drawn as a picture: members and the entities that tie them, as inline SVG.

Members sit on an outer circle, shared entities on an inner one, and a line joins a member
to each entity it was seen with (thicker for more events). Drawn on the server: no script,
no layout library, the same picture every time for the same ring. Text in the SVG is
escaped like any other text on the page.
"""

from __future__ import annotations

import math
from html import escape

from warden.domain.rings import Ring, RingLink

SIZE = 520
KIND_COLOURS = {
    "chat_handle": "#c0392b",
    "phone": "#d35400",
    "qq": "#8e44ad",
    "payee": "#16a085",
    "device": "#2c3e50",
    "ip24": "#7f8c8d",
    "url": "#2980b9",
    "domain": "#2980b9",
    "image": "#27ae60",
}


def _around(count: int, radius: float, turn: float = 0.0) -> list[tuple[float, float]]:
    centre = SIZE / 2
    return [
        (
            centre + radius * math.cos(2 * math.pi * i / max(count, 1) + turn),
            centre + radius * math.sin(2 * math.pi * i / max(count, 1) + turn),
        )
        for i in range(count)
    ]


def links_by_member(ring: Ring) -> dict[str, list[RingLink]]:
    out: dict[str, list[RingLink]] = {m: [] for m in ring.members}
    for link in ring.links:
        out.setdefault(link.account_id, []).append(link)
    return out


def ring_svg(ring: Ring, limit: int = 60) -> str:
    by_member = links_by_member(ring)
    members = list(ring.members)[:limit]
    entities = sorted({link.entity for m in members for link in by_member[m]})[:limit]
    at_member = dict(zip(members, _around(len(members), SIZE * 0.42), strict=True))
    at_entity = dict(zip(entities, _around(len(entities), SIZE * 0.18, 0.3), strict=True))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SIZE} {SIZE}" '
        f'width="{SIZE}" height="{SIZE}" role="img" aria-label="ring {escape(ring.ring_id)}">'
    ]
    for member in members:
        for link in by_member[member]:
            if link.entity not in at_entity:
                continue
            (x1, y1), (x2, y2) = at_member[member], at_entity[link.entity]
            width = min(4.0, 0.8 + math.log1p(link.events))
            parts.append(
                f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
                f'stroke="#999" stroke-width="{width:.1f}"/>'
            )
    for entity, (x, y) in at_entity.items():
        colour = KIND_COLOURS.get(entity.split(":", 1)[0], "#555")
        parts.append(
            f'<rect x="{x - 6:.1f}" y="{y - 6:.1f}" width="12" height="12" fill="{colour}">'
            f"<title>{escape(entity)}</title></rect>"
        )
    for member, (x, y) in at_member.items():
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="9" fill="#34495e"><title>{escape(member)}'
            f'</title></circle><text x="{x:.1f}" y="{y + 22:.1f}" font-size="10" '
            f'text-anchor="middle">{escape(member[:16])}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)

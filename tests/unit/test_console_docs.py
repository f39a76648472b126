"""docs/console.md and the console agree: its routes, roles, queues and SLAs, keyboard
shortcuts; and every label the templates show has its Chinese."""

from __future__ import annotations

import re
from pathlib import Path

from warden.console import pages_cases, pages_qa, pages_reports, pages_rings, queues, web
from warden.console.i18n import ZH
from warden.console.people import Role

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "console.md").read_text(encoding="utf-8")
TEMPLATES = ROOT / "src" / "warden" / "console" / "templates"
PAGES = (pages_cases, pages_qa, pages_reports, pages_rings)  # imported: their routes register


def section(title: str) -> str:
    return DOC.split(f"## {title}", 1)[1].split("\n## ", 1)[0]


def test_the_route_table_is_what_the_console_serves() -> None:
    served = {
        f"{method} {route.path.replace(':path', '')}"
        for route in web.router.routes
        for method in getattr(route, "methods", ())
    }
    documented = set(re.findall(r"^\| `([A-Z]+ /console[^`]*)` \|", section("Routes"), re.M))
    assert served - documented == set(), "served but not in docs/console.md"
    assert documented - served == set(), "in docs/console.md but not served"


def test_roles_queues_and_shortcuts_are_documented_as_built() -> None:
    roles = re.findall(r"^\| `(\w+)` \|", section("People and roles"), re.M)
    assert roles == [r.value for r in Role]
    slas = dict(re.findall(r"^\| `(\w+)` \| (\d+) h \|", section("Queues"), re.M))
    assert {q: int(h) for q, h in slas.items()} == {
        q.value: int(sla.total_seconds() // 3600) for q, sla in queues.SLA.items()
    }
    keys = re.findall(r"^\| `(\w)` \| ([\w ]+) \|", DOC.split("### Keyboard", 1)[1], re.M)
    assert keys == list(web.SHORTCUTS)


def test_every_template_label_has_its_chinese() -> None:
    labels: set[str] = set()
    for template in TEMPLATES.glob("*.html"):
        labels |= set(re.findall(r'_\("([^"]+)"\)', template.read_text(encoding="utf-8")))
        labels |= set(re.findall(r"_\('([^']+)'\)", template.read_text(encoding="utf-8")))
    labels |= set(web.QUEUE_TITLES.values()) | {what for _, what in web.SHORTCUTS}
    labels |= {"Approve", "Reject", "Escalate", "Uphold", "Overturn"}  # _(verdict|capitalize)
    missing = sorted(label for label in labels if label not in ZH)
    assert missing == [], f"no Chinese for {missing}"

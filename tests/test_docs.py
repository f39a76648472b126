"""The docs stay true: every CLI option is documented, and documented examples still hold."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer

from warden.cli.app import app
from warden.text.lexicon import LexiconSource, read_source
from warden.text.normalize import Normalizer

DOCS = Path(__file__).resolve().parent.parent / "docs"


def _commands() -> dict[str, typer.core.TyperCommand]:
    """Every leaf command by its full name (``check``, ``cases decide``, …); through the
    groups' ``list_commands``/``get_command``, which load the lazily imported ones."""
    root = typer.main.get_command(app)
    assert isinstance(root, typer.core.TyperGroup)
    found: dict[str, typer.core.TyperCommand] = {}

    def walk(group: typer.core.TyperGroup, prefix: str) -> None:
        context = typer.Context(group)
        for name in group.list_commands(context):
            command = group.get_command(context, name)
            if isinstance(command, typer.core.TyperGroup):
                walk(command, f"{prefix}{name} ")
            else:
                found[f"{prefix}{name}"] = command  # type: ignore[assignment]

    walk(root, "")
    return found


@pytest.mark.parametrize("name", sorted(_commands()))
def test_every_command_and_option_is_documented(name: str) -> None:
    cli_doc = (DOCS / "cli.md").read_text(encoding="utf-8")
    heading = f"## `warden {name}`"
    assert heading in cli_doc, f"warden {name} has no section in docs/cli.md"
    section = cli_doc.split(heading, 1)[1].split("\n## ", 1)[0]
    for param in _commands()[name].params:
        if isinstance(param, typer.core.TyperOption):
            for flag in param.opts:
                assert f"`{flag}`" in section, f"warden {name}: option {flag} is not in docs/cli.md"


def test_normalization_table_holds() -> None:
    doc = (DOCS / "normalization.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| [^|]+ \| `([^`]+)` \| `([^`]+)` \|$", doc, flags=re.MULTILINE)
    assert len(rows) >= 15
    normalizer = Normalizer()
    for written, normalized in rows:
        assert normalizer.normalize(written) == normalized, written


def test_lexicon_format_example_loads(tmp_path: Path) -> None:
    doc = (DOCS / "lexicons.md").read_text(encoding="utf-8")
    example = doc.split("# lexicons/sexual_services.tsv (excerpt)\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "example.tsv"
    path.write_text(example, encoding="utf-8")
    entries = read_source(LexiconSource(path))
    assert [e.term for e in entries] == ["包夜", "上门服务", "按摩", "按摩椅", "生日快乐"]
    assert [e.allow for e in entries] == [False, False, False, True, True]


def test_event_schema_file_is_current() -> None:
    import json

    from warden.domain.events import EVENT_KINDS, event_json_schema

    published = json.loads(
        (DOCS.parent / "schemas" / "events.schema.json").read_text(encoding="utf-8")
    )
    assert published == json.loads(json.dumps(event_json_schema())), (
        "schemas/events.schema.json is stale: regenerate it from warden.domain.events"
    )
    doc = (DOCS / "events.md").read_text(encoding="utf-8")
    for kind in EVENT_KINDS:
        assert f"| `{kind}` |" in doc, f"event kind {kind} is not documented in docs/events.md"


def test_event_examples_validate() -> None:
    import json

    from warden.domain.events import parse_event

    doc = (DOCS / "events.md").read_text(encoding="utf-8")
    block = doc.split("## Examples", 1)[1].split("```json\n", 1)[1].split("```", 1)[0]
    events = [parse_event(json.loads(line)) for line in block.splitlines() if line.strip()]
    assert [e.kind for e in events] == ["message", "profile", "payment", "report", "message"]
    assert events[-1].images()[0].media_id == "img-77"

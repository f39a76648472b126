"""docs/service.md lists exactly the routes the application serves (its OpenAPI document)."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from warden.service.app import Service, create_app
from warden.settings import Settings
from warden.store import make_engine

DOC = Path(__file__).resolve().parents[2] / "docs" / "service.md"


def test_the_route_table_is_the_openapi_document(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'warden.db'}"
    service = Service.build(settings=Settings(database_url=url), engine=make_engine(url))
    with TestClient(create_app(service)) as client:
        spec = client.get("/openapi.json").json()
    served = {
        f"{method.upper()} {path}"
        for path, operations in spec["paths"].items()
        for method in operations
    }
    table = DOC.read_text(encoding="utf-8").split("## Routes", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `([A-Z]+ /[^`]*)` \|", table, flags=re.MULTILINE))
    assert served - documented == set(), "served but not in docs/service.md"
    assert documented - served == set(), "in docs/service.md but not served"
    assert spec["info"]["title"] == "Warden"

"""The console's ring pages: members, shared entities, the picture, and a bulk action."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Form, Request
from fastapi.responses import HTMLResponse

from warden.console import manual
from warden.console.graph import links_by_member, ring_svg
from warden.console.people import Role, SignedIn, now_utc
from warden.console.web import (
    ConsoleError,
    actor,
    engine_of,
    render,
    router,
    service_of,
    viewer,
    write,
)
from warden.domain.actions import Decision, Evidence, Severity
from warden.errors import WardenError
from warden.store.unit_of_work import UnitOfWork

# -- rings ---------------------------------------------------------------------------------


@router.get("/rings")
def rings_page(request: Request) -> HTMLResponse:
    who = viewer(request)
    with UnitOfWork(engine_of(request)) as uow:
        found = uow.rings.list(limit=500)
    found.sort(key=lambda r: (-r.score, -r.size))
    return render(request, "rings.html", who, rings=found)


@router.get("/rings/{ring_id}")
def ring_page(request: Request, ring_id: str) -> HTMLResponse:
    who = viewer(request)
    return _ring_response(request, who, ring_id)


def _ring_response(
    request: Request, who: SignedIn, ring_id: str, status: int = 200, **extra: Any
) -> HTMLResponse:
    with UnitOfWork(engine_of(request)) as uow:
        ring = uow.rings.get(ring_id)
        if ring is None:
            raise ConsoleError(404, f"ring_id: no ring {ring_id!r}")
        states = {m: (a.state if (a := uow.accounts.get(m)) else "unknown") for m in ring.members}
    return render(
        request,
        "ring.html",
        who,
        status,
        ring=ring,
        states=states,
        picture=ring_svg(ring),
        categories=service_of(request).pack.categories,
        severities=[s.value for s in Severity],
        cap=manual.BULK_CAP,
        **extra,
    )


def _ring_decisions(
    request: Request, ring_id: str, category: str, severity: str
) -> Callable[[UnitOfWork, str], list[Decision]]:
    pack = service_of(request).pack
    try:
        chosen = manual.parse_severity(severity)
    except WardenError as exc:
        raise ConsoleError(400, str(exc)) from exc

    def make(uow: UnitOfWork, batch: str) -> list[Decision]:
        ring = uow.rings.get(ring_id)
        if ring is None:
            raise ConsoleError(404, f"ring_id: no ring {ring_id!r}")
        at = now_utc()
        out = []
        by_member = links_by_member(ring)
        for member in ring.members:
            links = [
                Evidence("entity", link.entity, f"{link.events} events")
                for link in by_member[member]
            ]
            evidence = [Evidence("ring", ring_id, f"bulk action {batch}"), *links]
            out.append(
                manual.decision_for(
                    pack, member, "console.ring_action", category, chosen, at, evidence
                )
            )
        return out

    return make


@router.post("/rings/{ring_id}/preview")
def ring_preview(
    request: Request,
    ring_id: str,
    csrf: str = Form(""),
    category: str = Form(""),
    severity: str = Form("high"),
) -> HTMLResponse:
    who = actor(request, csrf, Role.SENIOR)
    make = _ring_decisions(request, ring_id, category, severity)
    pack = service_of(request).pack
    with UnitOfWork(engine_of(request)) as uow:
        try:
            planned = manual.plan_manual(uow, pack, make(uow, "preview"))
        except WardenError as exc:
            raise ConsoleError(400, str(exc)) from exc
    return _ring_response(
        request, who, ring_id, planned=planned, digest=manual.digest(planned),
        chosen_category=category, chosen_severity=severity,
    )  # fmt: skip


@router.post("/rings/{ring_id}/apply")
def ring_apply(
    request: Request,
    ring_id: str,
    csrf: str = Form(""),
    category: str = Form(""),
    severity: str = Form("high"),
    confirmed: str = Form(""),
) -> HTMLResponse:
    who = actor(request, csrf, Role.SENIOR)
    make = _ring_decisions(request, ring_id, category, severity)
    pack = service_of(request).pack

    def work(uow: UnitOfWork) -> tuple[str, list[manual.Planned], list[int]]:
        return manual.apply_manual(
            uow, pack, lambda batch: make(uow, batch), who.person.name, confirmed,
            ring_id, "ring_action",
        )  # fmt: skip

    batch, planned, action_ids = write(request, work)
    return _ring_response(
        request, who, ring_id, applied=batch, planned=planned, action_ids=action_ids
    )

"""The console's user-report page: the reports against one account and their triage."""

from __future__ import annotations

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, Response

from warden.console import casefile, queues, reports
from warden.console.people import Role, now_utc
from warden.console.web import (
    ConsoleError,
    actor,
    claim_next,
    redirect,
    render,
    revealed_by,
    router,
    service_of,
    viewer,
    write,
)
from warden.domain.actions import Severity
from warden.store.unit_of_work import UnitOfWork

# -- user reports --------------------------------------------------------------------------


@router.get("/reports/{account_id:path}")
def report_page(request: Request, account_id: str) -> HTMLResponse:
    who = viewer(request)
    service = service_of(request)
    now = now_utc()
    with UnitOfWork(service.engine) as uow:
        since = reports.answered_until(uow.session, account_id)
        for_senior = reports.escalated(uow.session, account_id)
        pending = uow.content.reports_against(account_id, since)
        file = casefile.account_file(uow, service.pack, account_id, now)
        revealed = revealed_by(uow, who.person.name, account_id, now)
    return render(
        request,
        "report.html",
        who,
        account_id=account_id,
        reports=pending,
        file=file,
        revealed=revealed,
        categories=service.pack.categories,
        severities=[s.value for s in Severity],
        for_senior=for_senior,
    )


@router.post("/reports/{account_id:path}/triage")
def triage(
    request: Request,
    account_id: str,
    csrf: str = Form(""),
    verdict: str = Form(""),
    category: str = Form(""),
    severity: str = Form("medium"),
    note: str = Form(""),
) -> Response:
    who = actor(request, csrf, Role.REVIEWER)
    pack = service_of(request).pack
    senior = who.person.role.allows(Role.SENIOR)

    def work(uow: UnitOfWork) -> list[int]:
        try:
            return reports.triage(
                uow, pack, account_id, who.person.name, verdict, category, severity, note,
                now_utc(), senior=senior,
            )  # fmt: skip
        except reports.EscalatedToSenior as exc:
            raise ConsoleError(403, str(exc)) from exc

    write(request, work)
    return redirect(claim_next(request, queues.Queue.REPORT, who))

"""The console's reviewer QA pages: blind second reviews and agreement per reviewer and rule."""

from __future__ import annotations

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, Response

from warden.console import pages_cases, qa
from warden.console.people import Role, now_utc
from warden.console.web import (
    ConsoleError,
    actor,
    engine_of,
    redirect,
    render,
    router,
    viewer,
    write,
)
from warden.review.outcomes import ALLOWED
from warden.store.schema import QaReviewRow
from warden.store.unit_of_work import UnitOfWork

# -- reviewer QA -----------------------------------------------------------------------


@router.get("/qa")
def qa_page(request: Request) -> HTMLResponse:
    who = viewer(request, Role.REVIEWER)
    show_stats = who.person.role.allows(Role.SENIOR)
    with UnitOfWork(engine_of(request)) as uow:
        waiting = qa.pending(uow.session, who.person.name)
        reviewers, rules = qa.agreement(uow.session) if show_stats else ([], [])
    return render(
        request,
        "qa.html",
        who,
        waiting=waiting,
        reviewers=reviewers,
        rules=rules,
        show_stats=show_stats,
        trouble=qa.TROUBLE,
    )


@router.get("/qa/{case_id}")
def qa_case(request: Request, case_id: int) -> HTMLResponse:
    who = viewer(request, Role.REVIEWER)
    with UnitOfWork(engine_of(request)) as uow:
        row = uow.session.get(QaReviewRow, case_id)
        waiting = row is not None and row.qa_verdict is None
    if not waiting:
        raise ConsoleError(404, f"case_id: case {case_id} is not waiting for QA")
    return pages_cases.case_response(request, who, case_id, blind=True)


@router.post("/qa/{case_id}")
def qa_answer(
    request: Request, case_id: int, csrf: str = Form(""), verdict: str = Form("")
) -> Response:
    who = actor(request, csrf, Role.REVIEWER)

    def work(uow: UnitOfWork) -> None:
        case = uow.cases.get(case_id)
        if case is None:
            raise ConsoleError(404, f"case_id: no case {case_id}")
        if verdict not in {v.value for v in ALLOWED[case.kind]}:
            raise ConsoleError(400, f"verdict: {verdict!r} does not apply to {case.kind.value}")
        agreed = qa.answer(uow.session, case_id, who.person.name, verdict, now_utc())
        uow.audit.append(
            "qa_review",
            case.account_id,
            {"case": case_id, "verdict": verdict, "agreed": agreed},
            actor=who.person.name,
        )

    write(request, work)
    return redirect("/console/qa")

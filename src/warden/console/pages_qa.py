"""The console's reviewer QA pages: blind second reviews and agreement per reviewer and rule."""

from __future__ import annotations

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, Response

from warden.console import casefile, pages_cases, qa
from warden.console.people import Role, now_utc
from warden.console.web import (
    ConsoleError,
    actor,
    engine_of,
    redirect,
    render,
    revealed_by,
    router,
    service_of,
    viewer,
    write,
)
from warden.domain.actions import ReviewVerdict
from warden.review.outcomes import ALLOWED
from warden.store.schema import QaReviewRow
from warden.store.unit_of_work import UnitOfWork

# -- reviewer QA -----------------------------------------------------------------------


@router.get("/qa")
def qa_page(request: Request) -> HTMLResponse:
    who = viewer(request, Role.REVIEWER)
    with UnitOfWork(engine_of(request)) as uow:
        waiting = qa.pending(uow.session, who.person.name)
        reviewers, rules = qa.agreement(uow.session)
    show_stats = who.person.role.allows(Role.SENIOR)
    return render(
        request,
        "qa.html",
        who,
        waiting=waiting,
        reviewers=reviewers if show_stats else [],
        rules=rules if show_stats else [],
        show_stats=show_stats,
        trouble=qa.TROUBLE,
    )


@router.get("/qa/{case_id}")
def qa_case(request: Request, case_id: int) -> HTMLResponse:
    who = viewer(request, Role.REVIEWER)
    service = service_of(request)
    now = now_utc()
    with UnitOfWork(service.engine) as uow:
        row = uow.session.get(QaReviewRow, case_id)
        if row is None or row.qa_verdict is not None:
            raise ConsoleError(404, f"case_id: case {case_id} is not waiting for QA")
        file = casefile.build(uow, service.pack, case_id, now)
        assert file is not None
        revealed = revealed_by(uow, who.person.name, file.case.account_id, now)
    file.reviews, file.notes = [], []  # blind: the first verdict and notes are hidden
    return render(
        request,
        "case.html",
        who,
        file=file,
        holder=None,
        revealed=revealed,
        verdicts=sorted(
            ALLOWED[file.case.kind] - {ReviewVerdict.ESCALATE}, key=pages_cases.verdict_order
        ),
        mine=None,
        error=None,
        senior_needed=False,
        for_senior=False,
        blind=True,
        qa_row=None,
        categories=service.pack.categories,
    )


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

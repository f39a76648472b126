"""The console's case and account pages: a case file, claims, verdicts, notes, reveals, search."""

from __future__ import annotations

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, Response

from warden.console import casefile, qa, queues
from warden.console.people import Role, SignedIn, now_utc
from warden.console.web import (
    ConsoleError,
    actor,
    claim_next,
    engine_of,
    redirect,
    render,
    revealed_by,
    router,
    safe_next,
    service_of,
    viewer,
    write,
)
from warden.domain.actions import CaseStatus, ReviewVerdict
from warden.review import service as review
from warden.review.outcomes import ALLOWED
from warden.store.interfaces import Case
from warden.store.schema import CaseNoteRow
from warden.store.unit_of_work import UnitOfWork


@router.get("/cases/{case_id}")
def case_page(request: Request, case_id: int) -> HTMLResponse:
    who = viewer(request)
    return case_response(request, who, case_id)


def case_response(
    request: Request,
    who: SignedIn,
    case_id: int,
    status: int = 200,
    error: str | None = None,
    *,
    blind: bool = False,
) -> HTMLResponse:
    """The case page; ``blind`` for a QA review: no claims, no earlier verdicts or notes."""
    service = service_of(request)
    now = now_utc()
    with UnitOfWork(service.engine) as uow:
        file = casefile.build(uow, service.pack, case_id, now)
        if file is None:
            raise ConsoleError(404, f"case_id: no case {case_id}")
        holder = None if blind else queues.claimant(uow.session, case_id, now)
        revealed = revealed_by(uow, who.person.name, file.case.account_id, now)
    allowed = ALLOWED[file.case.kind]
    if blind:
        file.reviews, file.notes = [], []
        allowed = allowed - {ReviewVerdict.ESCALATE}
    mine = next((r for r in file.reviews if r.reviewer == who.person.name), None)
    return render(
        request,
        "case.html",
        who,
        status,
        file=file,
        holder=holder,
        revealed=revealed,
        verdicts=sorted(allowed, key=verdict_order),
        mine=mine,
        error=error,
        senior_needed=not blind and file.overturn_needs_senior,
        for_senior=not blind and senior_only(file.case, who),
        blind=blind,
    )


def verdict_order(verdict: ReviewVerdict) -> int:
    return list(ReviewVerdict).index(verdict)


def senior_only(case: Case, who: SignedIn) -> bool:
    """An escalated case waits for a senior: true when ``who`` is not one."""
    return case.status is CaseStatus.ESCALATED and not who.person.role.allows(Role.SENIOR)


@router.post("/cases/{case_id}/claim")
def claim_case(request: Request, case_id: int, csrf: str = Form("")) -> Response:
    who = actor(request, csrf, Role.REVIEWER)
    write(request, lambda uow: queues.claim(uow.session, case_id, who.person.name, now_utc()))
    return redirect(f"/console/cases/{case_id}")


@router.post("/cases/{case_id}/release")
def release_case(request: Request, case_id: int, csrf: str = Form("")) -> Response:
    who = actor(request, csrf, Role.REVIEWER)
    write(request, lambda uow: queues.release(uow.session, case_id, who.person.name))
    return redirect(f"/console/cases/{case_id}")


@router.post("/cases/{case_id}/decide")
def decide_case(
    request: Request,
    case_id: int,
    csrf: str = Form(""),
    verdict: str = Form(""),
    note: str = Form(""),
    next: str = Form(""),
) -> Response:
    who = actor(request, csrf, Role.REVIEWER)
    try:
        chosen = ReviewVerdict(verdict)
    except ValueError:
        allowed = ", ".join(v.value for v in ReviewVerdict)
        raise ConsoleError(400, f"verdict: {verdict!r}; expected one of {allowed}") from None
    service = service_of(request)
    name = who.person.name
    share = service.settings.console_qa_share if service.settings is not None else 0.1

    def work(uow: UnitOfWork) -> str:
        now = now_utc()
        queues.check_free_for(uow.session, case_id, name, now)
        case = uow.cases.get(case_id)
        if case is None:
            raise ConsoleError(404, f"case_id: no case {case_id}")
        if senior_only(case, who):
            raise ConsoleError(
                403, "case: escalated to a senior reviewer; expected a senior's verdict"
            )
        action = uow.actions.get(case.action_id) if case.action_id is not None else None
        if (
            chosen is ReviewVerdict.OVERTURN
            and casefile.overturn_needs_senior(case, action)
            and not who.person.role.allows(Role.SENIOR)
        ):
            raise ConsoleError(
                403, "verdict: overturning a close needs a senior reviewer; expected senior"
            )
        case = review.decide(uow, case_id, name, chosen, now, note[:2000])
        queues.release(uow.session, case_id)
        if case.status.value not in ("open", "escalated"):
            qa.sample(uow.session, case_id, name, chosen.value, now, share)
        return case.kind.value

    try:
        kind = write(request, work)
    except ConsoleError as exc:  # the session, token and role were checked above
        return case_response(request, who, case_id, exc.status, exc.message)
    if next:
        return redirect(claim_next(request, queues.Queue(kind), who))
    return redirect(f"/console/cases/{case_id}")


@router.post("/cases/{case_id}/notes")
def add_note(
    request: Request, case_id: int, csrf: str = Form(""), text: str = Form("")
) -> Response:
    who = actor(request, csrf, Role.REVIEWER)
    if not text.strip() or len(text) > 4000:
        raise ConsoleError(400, f"text: {len(text)} characters; expected 1 to 4,000")

    def work(uow: UnitOfWork) -> None:
        case = uow.cases.get(case_id)
        if case is None:
            raise ConsoleError(404, f"case_id: no case {case_id}")
        queues.check_free_for(uow.session, case_id, who.person.name, now_utc())
        uow.session.add(
            CaseNoteRow(case_id=case_id, author=who.person.name, text=text, at=now_utc())
        )
        uow.audit.append(
            "case_note", case.account_id, {"case": case_id, "text": text}, actor=who.person.name
        )

    write(request, work)
    return redirect(f"/console/cases/{case_id}#notes")


@router.post("/accounts/{account_id:path}/reveal")
def reveal(
    request: Request,
    account_id: str,
    csrf: str = Form(""),
    events: str = Form(""),
    back: str = Form("/console/"),
) -> Response:
    """Show an account's private messages to this reviewer: an audit record first."""
    who = actor(request, csrf, Role.REVIEWER)
    wanted = [e for e in events.split(",") if e][:200]
    if not wanted:
        raise ConsoleError(400, "events: none given; expected event ids to reveal")

    def work(uow: UnitOfWork) -> None:
        kept = uow.content.get_many(wanted)
        ids = sorted(e for e, c in kept.items() if c.account_id == account_id)
        if not ids:
            raise ConsoleError(404, f"events: none of {wanted[:5]} belong to {account_id!r}")
        uow.audit.append(
            "reveal", account_id, {"events": ids, "why": "review"}, actor=who.person.name
        )

    write(request, work)
    return redirect(safe_next(back))


# -- accounts and search -----------------------------------------------------------------


@router.get("/accounts/{account_id:path}")
def account_page(request: Request, account_id: str) -> HTMLResponse:
    who = viewer(request)
    service = service_of(request)
    now = now_utc()
    with UnitOfWork(service.engine) as uow:
        if uow.accounts.get(account_id) is None:
            raise ConsoleError(404, f"account_id: no account {account_id!r}")
        file = casefile.account_file(uow, service.pack, account_id, now)
        actions = uow.actions.list(account_id=account_id)
        cases = uow.cases.list(account_id=account_id)
        revealed = revealed_by(uow, who.person.name, account_id, now)
    return render(
        request,
        "account.html",
        who,
        account_id=account_id,
        file=file,
        actions=actions,
        cases=cases,
        revealed=revealed,
    )


@router.get("/search")
def search(request: Request, q: str = "") -> HTMLResponse:
    who = viewer(request)
    q = q.strip()[:200]
    found: list[tuple[str, str]] = []
    if q:
        with UnitOfWork(engine_of(request)) as uow:
            found = find_accounts(uow, q)
    return render(request, "search.html", who, q=q, found=found)


def find_accounts(uow: UnitOfWork, q: str) -> list[tuple[str, str]]:
    """Accounts matching ``q``: the account of that id; accounts whose events or profile
    showed that handle, phone, QQ number or URL (read from ``q`` as screening reads a text,
    so ``138 0013 8000`` finds ``+8613800138000``); accounts that paid that payee."""
    from warden.text.entities import EntityExtractor

    found: dict[str, str] = {}
    if uow.accounts.get(q) is not None:
        found[q] = "account id"
    candidates = [f"chat_handle:{q.lower().lstrip('@')}", f"qq:{q}", f"payee:{q}"]
    candidates += [f"{e.kind.value}:{e.value}" for e in EntityExtractor().extract(q)]
    for entity in dict.fromkeys(candidates):
        for account, events in uow.content.accounts_with(entity):
            found.setdefault(account, f"{entity} ({events} events)")
    return sorted(found.items())[:100]

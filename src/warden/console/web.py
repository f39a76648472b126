"""The console's pages and forms, served by ``warden serve`` under ``/console``.

Server-rendered (Jinja2, autoescaped) with one small script of its own for keyboard
shortcuts and blurring — no CDN, no inline script or event handler, so the strict
Content-Security-Policy (:data:`SECURITY_HEADERS`) holds and the console works offline.

Every state-changing route is a POST that checks, in this order: a live session (else 401),
the CSRF token of the session (else 403), the role the route needs (else 403) and, for a
case, that nobody else holds a live claim on it (else 409). Every change is written with
the moderator as the audit actor, under the service's write lock (the decision path's one
writer), in one transaction with its audit record.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import select

from warden.console import casefile, manual, qa, queues
from warden.console.i18n import LANGUAGES, translator
from warden.console.people import People, Role, SignedIn, SignInRefused, now_utc
from warden.domain.actions import CaseKind, Evidence, ReviewVerdict, Severity
from warden.errors import WardenError
from warden.review import service as review
from warden.review.outcomes import ALLOWED
from warden.store.schema import AuditRow, CaseNoteRow
from warden.store.unit_of_work import UnitOfWork

HERE = Path(__file__).resolve().parent
COOKIE = "warden_console"
SECURE_COOKIE = "__Host-warden_console"
LOGIN_COOKIE = "warden_login_csrf"
REVEAL_FOR = timedelta(hours=12)

SECURITY_HEADERS = {
    "content-security-policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; connect-src 'self'"
    ),
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",  # a form's Origin header stays real (not "null")
    "cache-control": "no-store",
}

#: Keyboard shortcuts on a case page: key → (what, verdict or command). Listed on the page
#: and in docs/console.md (a test keeps the two equal).
SHORTCUTS: tuple[tuple[str, str], ...] = (
    ("a", "approve"),
    ("x", "reject"),
    ("e", "escalate"),
    ("u", "uphold"),
    ("o", "overturn"),
    ("n", "next case"),
    ("r", "reveal"),
)

QUEUE_TITLES = {
    queues.Queue.CLOSE_REVIEW: "Close reviews",
    queues.Queue.CAP_REVIEW: "Cap reviews",
    queues.Queue.APPEAL: "Appeals",
    queues.Queue.REPORT: "User reports",
}

router = APIRouter(prefix="/console", include_in_schema=False)
_templates = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(["html"], default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


class ConsoleError(WardenError):
    """A refusal shown as a page: the status and a message naming what was wrong."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class SignInNeeded(Exception):
    def __init__(self, target: str) -> None:
        self.target = target


# -- plumbing ------------------------------------------------------------------------------


def _service(request: Request) -> Any:
    return request.app.state.service


def _engine(request: Request) -> Any:
    return _service(request).engine


def _token(request: Request) -> str:
    return request.cookies.get(SECURE_COOKIE) or request.cookies.get(COOKIE) or ""


def current(request: Request) -> SignedIn | None:
    token = _token(request)
    if not token:
        return None
    with UnitOfWork(_engine(request)) as uow:
        who = People(uow.session).resume(token, now_utc())
        uow.commit()
    return who


def viewer(request: Request, role: Role = Role.VIEWER) -> SignedIn:
    """The signed-in person for a page (GET): sign-in first when there is none."""
    who = current(request)
    if who is None:
        raise SignInNeeded(str(request.url.path))
    if not who.person.role.allows(role):
        raise ConsoleError(403, f"role: {who.person.role.value}; this page needs {role.value}")
    return who


def actor(request: Request, csrf: str, role: Role) -> SignedIn:
    """The signed-in person for a change (POST): session, CSRF token, role — or refusal."""
    who = current(request)
    if who is None:
        raise ConsoleError(401, "session: none or expired; expected a signed-in session")
    if not csrf or not hmac.compare_digest(csrf, who.csrf):
        raise ConsoleError(403, "csrf: missing or wrong token; expected the form's token")
    origin = request.headers.get("origin")
    if origin and origin not in _own_origins(request):
        raise ConsoleError(403, f"origin: {origin!r}; expected this console's own origin")
    if not who.person.role.allows(role):
        raise ConsoleError(
            403, f"role: {who.person.role.value} may not do this; expected {role.value} or above"
        )
    return who


def _own_origins(request: Request) -> set[str]:
    host = request.headers.get("host", "")
    return {f"http://{host}", f"https://{host}"}


def render(
    request: Request, template: str, who: SignedIn | None, status: int = 200, **context: Any
) -> HTMLResponse:
    language = (who.person.language if who else None) or "en"
    chosen = request.cookies.get("warden_lang")
    if chosen in LANGUAGES:
        language = chosen
    page = _templates.get_template(template).render(
        request=request,
        who=who,
        csrf=who.csrf if who else "",
        _=translator(language),
        language=language,
        now=now_utc(),
        shortcuts=SHORTCUTS,
        queue_titles=QUEUE_TITLES,
        Role=Role,
        **context,
    )
    return HTMLResponse(page, status_code=status)


def _redirect(target: str) -> RedirectResponse:
    return RedirectResponse(target, status_code=303)


def _write(request: Request, work: Callable[[UnitOfWork], Any]) -> Any:
    """Run ``work`` in one transaction under the service's write lock; commit it."""
    service = _service(request)
    with service.write_lock, UnitOfWork(service.engine) as uow:
        try:
            result = work(uow)
        except ConsoleError:
            raise
        except WardenError as exc:
            raise ConsoleError(409, str(exc)) from exc
        uow.commit()
        return result


def install(app: Any) -> None:
    """Mount the console on the service's app: routes, static files, error pages, headers."""
    from fastapi.staticfiles import StaticFiles

    app.include_router(router)
    app.mount("/console/static", StaticFiles(directory=HERE / "static"), name="console-static")

    @app.exception_handler(ConsoleError)
    async def _refused(request: Request, exc: ConsoleError) -> HTMLResponse:
        return render(request, "error.html", None, exc.status, message=exc.message)

    @app.exception_handler(SignInNeeded)
    async def _sign_in(_request: Request, exc: SignInNeeded) -> RedirectResponse:
        return _redirect(f"/console/login?next={quote(exc.target)}")


# -- signing in ----------------------------------------------------------------------------


@router.get("/login")
def login_page(request: Request, next: str = "/console/") -> HTMLResponse:
    token = secrets.token_urlsafe(24)
    response = render(request, "login.html", None, next=_safe_next(next), login_csrf=token)
    response.set_cookie(LOGIN_COOKIE, token, httponly=True, samesite="strict", path="/console")
    return response


@router.post("/login")
def login(
    request: Request,
    name: str = Form(""),
    password: str = Form(""),
    csrf: str = Form(""),
    next: str = Form("/console/"),
) -> Response:
    expected = request.cookies.get(LOGIN_COOKIE, "")
    if not expected or not hmac.compare_digest(csrf, expected):
        raise ConsoleError(403, "csrf: missing or wrong token; expected the sign-in form's token")
    now = now_utc()
    with UnitOfWork(_engine(request)) as uow:
        people = People(uow.session)
        try:
            person = people.authenticate(name, password, now)
        except SignInRefused as exc:
            uow.commit()  # keep the failure count
            token = secrets.token_urlsafe(24)
            response = render(
                request, "login.html", None, 401, next=_safe_next(next), login_csrf=token,
                error=str(exc),
            )  # fmt: skip
            response.set_cookie(
                LOGIN_COOKIE, token, httponly=True, samesite="strict", path="/console"
            )
            return response
        token, _session = people.start(person, now)
        uow.commit()
    response = _redirect(_safe_next(next))
    secure = request.url.scheme == "https"
    response.set_cookie(
        SECURE_COOKIE if secure else COOKIE,
        token,
        httponly=True,
        secure=secure,
        samesite="strict",
        path="/",
    )
    response.delete_cookie(LOGIN_COOKIE, path="/console")
    return response


@router.post("/logout")
def logout(request: Request, csrf: str = Form("")) -> Response:
    who = actor(request, csrf, Role.VIEWER)
    with UnitOfWork(_engine(request)) as uow:
        People(uow.session).end(who.token_hash, now_utc())
        uow.commit()
    response = _redirect("/console/login")
    response.delete_cookie(COOKIE, path="/")
    response.delete_cookie(SECURE_COOKIE, path="/", secure=True)
    return response


@router.post("/language")
def language(request: Request, csrf: str = Form(""), language: str = Form("en")) -> Response:
    actor(request, csrf, Role.VIEWER)
    if language not in LANGUAGES:
        raise ConsoleError(400, f"language: {language!r}; expected one of {', '.join(LANGUAGES)}")
    response = _redirect(_safe_next(request.headers.get("referer", "/console/")))
    response.set_cookie("warden_lang", language, httponly=True, samesite="strict", path="/")
    return response


def _safe_next(target: str) -> str:
    """Only a path inside the console (never another site: no open redirect)."""
    if "://" in target:
        target = "/" + target.split("://", 1)[1].split("/", 1)[-1]
    if not target.startswith("/console") or target.startswith("//") or "\\" in target:
        return "/console/"
    return target


# -- queues --------------------------------------------------------------------------------


@router.get("/")
def home(request: Request) -> HTMLResponse:
    who = viewer(request)
    service = _service(request)
    with UnitOfWork(service.engine) as uow:
        found = queues.summaries(uow.session, service.pack, now_utc())
        waiting_qa = len(qa.pending(uow.session, who.person.name))
    return render(request, "home.html", who, summaries=found, waiting_qa=waiting_qa)


@router.get("/queues/{queue}")
def queue_page(request: Request, queue: str) -> HTMLResponse:
    who = viewer(request)
    chosen = _queue(queue)
    service = _service(request)
    with UnitOfWork(service.engine) as uow:
        found = queues.items(uow.session, service.pack, chosen, now_utc())
    return render(request, "queue.html", who, queue=chosen, items=found)


@router.post("/queues/{queue}/next")
def work_next(request: Request, queue: str, csrf: str = Form("")) -> Response:
    who = actor(request, csrf, Role.REVIEWER)
    return _redirect(_claim_next(request, _queue(queue), who))


def _claim_next(request: Request, queue: queues.Queue, who: SignedIn) -> str:
    service = _service(request)
    if queue is queues.Queue.REPORT:
        with UnitOfWork(service.engine) as uow:
            found = queues.report_items(uow.session, now_utc())
        return f"/console/reports/{quote(found[0].key)}" if found else "/console/queues/report"

    def claim(uow: UnitOfWork) -> int | None:
        now = now_utc()
        case_id = queues.next_case(uow.session, service.pack, queue, who.person.name, now)
        if case_id is not None:
            queues.claim(uow.session, case_id, who.person.name, now)
        return case_id

    case_id = _write(request, claim)
    return f"/console/cases/{case_id}" if case_id else f"/console/queues/{queue.value}"


def _queue(name: str) -> queues.Queue:
    try:
        return queues.Queue(name)
    except ValueError:
        expected = ", ".join(q.value for q in queues.Queue)
        raise ConsoleError(
            404, f"queue: {name!r} is not a queue; expected one of {expected}"
        ) from None


# -- cases ---------------------------------------------------------------------------------


def _revealed(uow: UnitOfWork, who: str, account_id: str, now: datetime) -> set[str]:
    """Event ids whose private text ``who`` revealed for this account lately — read from the
    audit log itself, which is where the reveal was recorded."""
    rows = uow.session.scalars(
        select(AuditRow.payload).where(
            AuditRow.subject == account_id,
            AuditRow.kind == "reveal",
            AuditRow.actor == who,
            AuditRow.at > now - REVEAL_FOR,
        )
    )
    return {event for payload in rows for event in payload.get("events", ())}


@router.get("/cases/{case_id}")
def case_page(request: Request, case_id: int) -> HTMLResponse:
    who = viewer(request)
    return _case_response(request, who, case_id)


def _case_response(
    request: Request, who: SignedIn, case_id: int, status: int = 200, error: str | None = None
) -> HTMLResponse:
    service = _service(request)
    now = now_utc()
    with UnitOfWork(service.engine) as uow:
        file = casefile.build(uow, service.pack, case_id, now)
        if file is None:
            raise ConsoleError(404, f"case_id: no case {case_id}")
        holder = queues.claimant(uow.session, case_id, now)
        revealed = _revealed(uow, who.person.name, file.case.account_id, now)
        qa_row = uow.session.get(qa.QaReviewRow, case_id)
    verdicts = sorted(ALLOWED[file.case.kind], key=_verdict_order)
    mine = next((r for r in file.reviews if r.reviewer == who.person.name), None)
    return render(
        request,
        "case.html",
        who,
        status,
        file=file,
        holder=holder,
        revealed=revealed,
        verdicts=verdicts,
        mine=mine,
        error=error,
        senior_needed=casefile.overturn_needs_senior(file),
        blind=False,
        qa_row=qa_row,
        categories=service.pack.categories,
    )


def _verdict_order(verdict: ReviewVerdict) -> int:
    return [v.value for v in ReviewVerdict].index(verdict.value)


@router.post("/cases/{case_id}/claim")
def claim_case(request: Request, case_id: int, csrf: str = Form("")) -> Response:
    who = actor(request, csrf, Role.REVIEWER)
    _write(request, lambda uow: queues.claim(uow.session, case_id, who.person.name, now_utc()))
    return _redirect(f"/console/cases/{case_id}")


@router.post("/cases/{case_id}/release")
def release_case(request: Request, case_id: int, csrf: str = Form("")) -> Response:
    who = actor(request, csrf, Role.REVIEWER)
    _write(request, lambda uow: queues.release(uow.session, case_id, who.person.name))
    return _redirect(f"/console/cases/{case_id}")


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
    service = _service(request)
    name = who.person.name
    share = service.settings.console_qa_share if service.settings is not None else 0.1

    def work(uow: UnitOfWork) -> str:
        now = now_utc()
        queues.check_free_for(uow.session, case_id, name, now)
        file = casefile.build(uow, service.pack, case_id, now)
        if file is None:
            raise ConsoleError(404, f"case_id: no case {case_id}")
        if (
            chosen is ReviewVerdict.OVERTURN
            and casefile.overturn_needs_senior(file)
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
        kind = _write(request, work)
    except ConsoleError as exc:
        if exc.status in (401, 403) and "senior" not in exc.message:
            raise
        return _case_response(request, who, case_id, exc.status, exc.message)
    if next:
        return _redirect(_claim_next(request, queues.Queue(kind), who))
    return _redirect(f"/console/cases/{case_id}")


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

    _write(request, work)
    return _redirect(f"/console/cases/{case_id}#notes")


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

    _write(request, work)
    return _redirect(_safe_next(back))


# -- accounts and search -----------------------------------------------------------------


@router.get("/accounts/{account_id:path}")
def account_page(request: Request, account_id: str) -> HTMLResponse:
    who = viewer(request)
    service = _service(request)
    now = now_utc()
    with UnitOfWork(service.engine) as uow:
        if uow.accounts.get(account_id) is None:
            raise ConsoleError(404, f"account_id: no account {account_id!r}")
        file = casefile.account_file(uow, service.pack, account_id, now)
        actions = uow.actions.list(account_id=account_id)
        cases = [c for c in uow.cases.list() if c.account_id == account_id]
        revealed = _revealed(uow, who.person.name, account_id, now)
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
        with UnitOfWork(_engine(request)) as uow:
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


# -- rings ---------------------------------------------------------------------------------


@router.get("/rings")
def rings_page(request: Request) -> HTMLResponse:
    who = viewer(request)
    with UnitOfWork(_engine(request)) as uow:
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
    from warden.console import graph

    with UnitOfWork(_engine(request)) as uow:
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
        picture=graph.ring_svg(ring),
        categories=_service(request).pack.categories,
        severities=[s.value for s in Severity],
        cap=manual.BULK_CAP,
        **extra,
    )


def _ring_decisions(
    request: Request, ring_id: str, category: str, severity: str
) -> Callable[[UnitOfWork, str], list[Any]]:
    pack = _service(request).pack
    try:
        chosen = Severity(severity)
    except ValueError:
        allowed = ", ".join(s.value for s in Severity)
        raise ConsoleError(400, f"severity: {severity!r}; expected one of {allowed}") from None

    def make(uow: UnitOfWork, batch: str) -> list[Any]:
        ring = uow.rings.get(ring_id)
        if ring is None:
            raise ConsoleError(404, f"ring_id: no ring {ring_id!r}")
        from warden.console.graph import links_by_member

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
    pack = _service(request).pack
    with UnitOfWork(_engine(request)) as uow:
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
    pack = _service(request).pack

    def work(uow: UnitOfWork) -> tuple[str, list[manual.Planned], list[int]]:
        return manual.apply_manual(
            uow, pack, lambda batch: make(uow, batch), who.person.name, confirmed,
            ring_id, "ring_action",
        )  # fmt: skip

    batch, planned, action_ids = _write(request, work)
    return _ring_response(
        request, who, ring_id, applied=batch, planned=planned, action_ids=action_ids
    )


# -- user reports --------------------------------------------------------------------------


@router.get("/reports/{account_id:path}")
def report_page(request: Request, account_id: str) -> HTMLResponse:
    who = viewer(request)
    service = _service(request)
    now = now_utc()
    with UnitOfWork(service.engine) as uow:
        from warden.console.reports import answered_until

        since = answered_until(uow.session, account_id)
        reports = uow.content.reports_against(account_id, since)
        file = casefile.account_file(uow, service.pack, account_id, now)
        revealed = _revealed(uow, who.person.name, account_id, now)
    return render(
        request,
        "report.html",
        who,
        account_id=account_id,
        reports=reports,
        file=file,
        revealed=revealed,
        categories=service.pack.categories,
        severities=[s.value for s in Severity],
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
    from warden.console import reports

    who = actor(request, csrf, Role.REVIEWER)
    pack = _service(request).pack
    _write(
        request,
        lambda uow: reports.triage(
            uow, pack, account_id, who.person.name, verdict, category, severity, note, now_utc()
        ),
    )
    return _redirect(_claim_next(request, queues.Queue.REPORT, who))


# -- reviewer QA -----------------------------------------------------------------------


@router.get("/qa")
def qa_page(request: Request) -> HTMLResponse:
    who = viewer(request, Role.REVIEWER)
    with UnitOfWork(_engine(request)) as uow:
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
    service = _service(request)
    now = now_utc()
    with UnitOfWork(service.engine) as uow:
        row = uow.session.get(qa.QaReviewRow, case_id)
        if row is None or row.qa_verdict is not None:
            raise ConsoleError(404, f"case_id: case {case_id} is not waiting for QA")
        file = casefile.build(uow, service.pack, case_id, now)
        assert file is not None
        revealed = _revealed(uow, who.person.name, file.case.account_id, now)
    file.reviews, file.notes = [], []  # blind: the first verdict and notes are hidden
    return render(
        request,
        "case.html",
        who,
        file=file,
        holder=None,
        revealed=revealed,
        verdicts=sorted(ALLOWED[file.case.kind] - {ReviewVerdict.ESCALATE}, key=_verdict_order),
        mine=None,
        error=None,
        senior_needed=False,
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

    _write(request, work)
    return _redirect("/console/qa")


__all__ = ["SECURITY_HEADERS", "SHORTCUTS", "CaseKind", "install", "router"]

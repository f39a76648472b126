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

from warden.console import qa, queues
from warden.console.i18n import LANGUAGES, translator
from warden.console.people import People, Role, SignedIn, SignInRefused, now_utc
from warden.errors import WardenError
from warden.store.schema import AuditRow
from warden.store.unit_of_work import UnitOfWork

HERE = Path(__file__).resolve().parent
COOKIE = "warden_console"
SECURE_COOKIE = "__Host-warden_console"
LOGIN_COOKIE = "warden_login_csrf"
REVEAL_FOR = timedelta(hours=12)
PAGE = 100  # queue lines per page

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
SHORTCUT_FOR = {what: key for key, what in SHORTCUTS}

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


def age(since: datetime, now: datetime) -> str:
    """How long something has waited, as a reviewer reads it: ``3d 4h``, ``5h 12m``, ``40m``."""
    minutes = max(0, int((now - since).total_seconds() // 60))
    days, hours = minutes // 1440, minutes // 60 % 24
    if days:
        return f"{days}d {hours}h"
    return f"{hours}h {minutes % 60}m" if hours else f"{minutes}m"


_templates.filters["age"] = age


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


def service_of(request: Request) -> Any:
    return request.app.state.service


def engine_of(request: Request) -> Any:
    return service_of(request).engine


def _token(request: Request) -> str:
    return request.cookies.get(SECURE_COOKIE) or request.cookies.get(COOKIE) or ""


def current(request: Request) -> SignedIn | None:
    token = _token(request)
    if not token:
        return None
    with UnitOfWork(engine_of(request)) as uow:
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
        shortcut_for=SHORTCUT_FOR,
        queue_titles=QUEUE_TITLES,
        Role=Role,
        **context,
    )
    return HTMLResponse(page, status_code=status)


def redirect(target: str) -> RedirectResponse:
    return RedirectResponse(target, status_code=303)


def write(request: Request, work: Callable[[UnitOfWork], Any]) -> Any:
    """Run ``work`` in one transaction under the service's write lock; commit it."""
    service = service_of(request)
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

    from warden.console import pages_cases, pages_qa, pages_reports, pages_rings

    del pages_cases, pages_qa, pages_reports, pages_rings  # imported for their routes
    app.include_router(router)
    app.mount("/console/static", StaticFiles(directory=HERE / "static"), name="console-static")

    async def _refused(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ConsoleError)
        return render(request, "error.html", None, exc.status, message=exc.message)

    async def _sign_in(_request: Request, exc: Exception) -> Response:
        assert isinstance(exc, SignInNeeded)
        return redirect(f"/console/login?next={quote(exc.target)}")

    app.add_exception_handler(ConsoleError, _refused)
    app.add_exception_handler(SignInNeeded, _sign_in)


# -- signing in ----------------------------------------------------------------------------


@router.get("/login")
def login_page(request: Request, next: str = "/console/") -> HTMLResponse:
    return login_form(request, next)


def login_form(
    request: Request, next: str, status: int = 200, error: str | None = None
) -> HTMLResponse:
    """The sign-in form, with a fresh token for it in a cookie (checked on submit: there is
    no session yet to hold one)."""
    token = secrets.token_urlsafe(24)
    page = render(
        request, "login.html", None, status, next=safe_next(next), login_csrf=token, error=error
    )
    page.set_cookie(LOGIN_COOKIE, token, httponly=True, samesite="strict", path="/console")
    return page


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
    with UnitOfWork(engine_of(request)) as uow:
        people = People(uow.session)
        try:
            person = people.authenticate(name, password, now)
        except SignInRefused as exc:
            uow.commit()  # keep the failure count
            return login_form(request, next, 401, str(exc))
        token, _session = people.start(person, now)
        uow.commit()
    response = redirect(safe_next(next))
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
    with UnitOfWork(engine_of(request)) as uow:
        People(uow.session).end(who.token_hash, now_utc())
        uow.commit()
    response = redirect("/console/login")
    response.delete_cookie(COOKIE, path="/")
    response.delete_cookie(SECURE_COOKIE, path="/", secure=True)
    return response


@router.post("/language")
def language(request: Request, csrf: str = Form(""), language: str = Form("en")) -> Response:
    actor(request, csrf, Role.VIEWER)
    if language not in LANGUAGES:
        raise ConsoleError(400, f"language: {language!r}; expected one of {', '.join(LANGUAGES)}")
    response = redirect(safe_next(request.headers.get("referer", "/console/")))
    response.set_cookie("warden_lang", language, httponly=True, samesite="strict", path="/")
    return response


def safe_next(target: str) -> str:
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
    service = service_of(request)
    with UnitOfWork(service.engine) as uow:
        found = queues.summaries(uow.session, service.pack, now_utc())
        waiting_qa = len(qa.pending(uow.session, who.person.name))
    return render(request, "home.html", who, summaries=found, waiting_qa=waiting_qa)


@router.get("/queues/{queue}")
def queue_page(request: Request, queue: str, page: int = 1) -> HTMLResponse:
    who = viewer(request)
    chosen = _queue(queue)
    service = service_of(request)
    with UnitOfWork(service.engine) as uow:
        found = queues.items(uow.session, service.pack, chosen, now_utc())
    pages = max(1, -(-len(found) // PAGE))
    page = min(max(1, page), pages)
    shown = found[(page - 1) * PAGE : page * PAGE]
    return render(
        request, "queue.html", who, queue=chosen, items=shown, total=len(found), page=page,
        pages=pages, first=(page - 1) * PAGE + 1,
    )  # fmt: skip


@router.post("/queues/{queue}/next")
def work_next(request: Request, queue: str, csrf: str = Form("")) -> Response:
    who = actor(request, csrf, Role.REVIEWER)
    return redirect(claim_next(request, _queue(queue), who))


def claim_next(request: Request, queue: queues.Queue, who: SignedIn) -> str:
    service = service_of(request)
    if queue is queues.Queue.REPORT:
        with UnitOfWork(service.engine) as uow:
            found = queues.report_items(uow.session, now_utc())
        return f"/console/reports/{quote(found[0].key)}" if found else "/console/queues/report"

    def claim(uow: UnitOfWork) -> int | None:
        now = now_utc()
        case_id = queues.next_case(
            uow.session, service.pack, queue, who.person.name, now,
            senior=who.person.role.allows(Role.SENIOR),
        )  # fmt: skip
        if case_id is not None:
            queues.claim(uow.session, case_id, who.person.name, now)
        return case_id

    case_id = write(request, claim)
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


def revealed_by(uow: UnitOfWork, who: str, account_id: str, now: datetime) -> set[str]:
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


__all__ = ["SECURITY_HEADERS", "SHORTCUTS", "install", "router"]

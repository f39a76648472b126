"""The ``/v1`` routes: screening, events, accounts, actions, cases, appeals, rings, audit and
the transparency report.

Every route authenticates with an API key of the right scope (:func:`need`); every route
that changes something records the key's name as the actor in the audit log. Lists are
bounded (``limit``, at most :data:`MAX_LIST`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, date, datetime
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from warden.audit.log import AuditLog, verify
from warden.domain.actions import ActionStatus, CaseKind, CaseStatus
from warden.enforce.decide import EventOutcome, decide_batch
from warden.io.events import Located, Quarantined, preview, validate_record
from warden.review.outcomes import ReviewError
from warden.review.outcomes import Verdict as ReviewVerdict
from warden.review.service import appeal, decide, reverse_action
from warden.service.app import (
    ApiError,
    Service,
    admit,
    live_key,
    presented_key,
    run_blocking,
    unknown_key,
)
from warden.service.jobs import QueueFull
from warden.service.keys import ApiKey, Scope
from warden.service.views import account_view, action_view, case_detail, case_view, ring_view
from warden.store.engine import insert_if_absent, read_only
from warden.store.schema import IdempotencyRow
from warden.store.unit_of_work import UnitOfWork

router = APIRouter(prefix="/v1")

#: Texts per /v1/check request, events per /v1/events request, rows per list.
MAX_TEXTS = MAX_EVENTS = 1000
MAX_TEXT = 65_536
MAX_LIST = 1000


def service_of(request: Request) -> Service:
    service: Service = request.app.state.service
    return service


def need(scope: Scope) -> Callable[[Request], Awaitable[ApiKey]]:
    """A dependency: the caller's key, which must allow ``scope``. Run on the event loop, not
    in the thread pool: a known key is a dictionary lookup (the store is asked only when the
    key ring's short cache misses), and a hop to a thread costs more than that."""

    async def dependency(request: Request) -> ApiKey:
        service = service_of(request)
        key = await live_key(service, presented_key(request))
        if key is None:
            raise unknown_key()
        return admit(service, key, scope)

    dependency.__name__ = f"need_{scope.value}"
    return dependency


Screening = Annotated[ApiKey, Depends(need(Scope.SCREEN))]
Ingesting = Annotated[ApiKey, Depends(need(Scope.INGEST))]
Reviewing = Annotated[ApiKey, Depends(need(Scope.REVIEW))]
Administering = Annotated[ApiKey, Depends(need(Scope.ADMIN))]
Limit = Annotated[int, Query(ge=1, le=MAX_LIST, description="At most this many rows.")]


# --- screening -----------------------------------------------------------------------------


class CheckRequest(BaseModel):
    """Texts to screen."""

    texts: list[Annotated[str, Field(max_length=MAX_TEXT)]] = Field(
        min_length=1, max_length=MAX_TEXTS, description="1-1,000 texts, each up to 64 KiB."
    )


#: Up to this many texts are screened on the event loop (a text takes well under a
#: millisecond); more go to the thread pool so that other requests are not held up.
INLINE_TEXTS = 16


@router.post(
    "/check",
    tags=["screening"],
    response_class=Response,
    responses={200: {"content": {"application/json": {}}, "description": "One verdict per text."}},
)
async def check(body: CheckRequest, request: Request, _key: Screening) -> Response:
    """Screen texts: per text, categories, matches, entities and intent — the verdicts of
    ``warden check --json``, in the order sent (``{"verdicts": [...]}``)."""
    service = service_of(request)

    def screen() -> bytes:
        verdicts = service.screener.screen(body.texts)
        return orjson.dumps({"verdicts": [v.to_dict() for v in verdicts]})

    payload = screen() if len(body.texts) <= INLINE_TEXTS else await run_blocking(screen)
    service.metrics.texts.inc(len(body.texts))
    return Response(payload, media_type="application/json")


# --- events --------------------------------------------------------------------------------


@router.post(
    "/events",
    tags=["events"],
    responses={
        200: {"description": "Per-event outcomes (synchronous)."},
        202: {"description": "Accepted for background processing (`?async=true`)."},
    },
)
async def post_events(
    request: Request,
    key: Ingesting,
    run_async: Annotated[
        bool, Query(alias="async", description="Answer 202 at once with a job id.")
    ] = False,
) -> JSONResponse:
    """Take in 1-1,000 platform events (a JSON array, or ``{"events": [...]}``; the event
    schema is ``schemas/event.schema.json``). Each event is processed, a duplicate (its
    ``event_id`` was seen before), or quarantined with the field, value and reason — never
    dropped. Send an ``Idempotency-Key`` header to make a retried request return the first
    response instead of being processed again."""
    service = service_of(request)
    raw = await request.body()
    records = _event_records(raw)
    header = request.headers.get("idempotency-key")
    idempotency = _idempotency(key, header, raw) if header else None
    if idempotency is not None:
        replay: JSONResponse | None = await run_blocking(lambda: _replayed(service, *idempotency))
        if replay is not None:
            return replay
    items = [_item(record, index, key) for index, record in enumerate(records)]

    def work() -> dict[str, Any]:
        return _decide(service, items, key, None)

    if run_async:
        body = {"job_id": "", "status": "queued", "events": len(items)}
        try:
            body["job_id"] = service.jobs.submit(work)
        except QueueFull:
            raise ApiError(
                503,
                "the queue of asynchronous batches is full; retry, or send synchronously",
                headers={"Retry-After": "5"},
            ) from None
        if idempotency is not None:
            await run_blocking(lambda: _store_response(service, idempotency, 202, body))
        return JSONResponse(body, status_code=202)
    result = await run_blocking(lambda: _decide(service, items, key, idempotency))
    return JSONResponse(result)


@router.get("/jobs/{job_id}", tags=["events"])
def get_job(job_id: str, request: Request, _key: Ingesting) -> dict[str, Any]:
    """How an asynchronous event batch went."""
    job = service_of(request).jobs.get(job_id)
    if job is None:
        raise ApiError(404, f"no job {job_id!r}", field="job_id", value=job_id)
    return job


def _event_records(raw: bytes) -> list[Any]:
    if not raw.strip():
        raise ApiError(422, "body: empty; expected a JSON array of events", field="body")
    try:
        decoded: Any = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise ApiError(
            422, f"body: malformed JSON: {exc}", field="body", expected="a JSON array of events"
        ) from None
    records = decoded.get("events") if isinstance(decoded, dict) else decoded
    if not isinstance(records, list):
        raise ApiError(
            422,
            'body: expected a JSON array of events or {"events": [...]}',
            field="events",
            expected="array",
        )
    if not 1 <= len(records) <= MAX_EVENTS:
        raise ApiError(
            422,
            f"events: {len(records)} events; expected 1 to {MAX_EVENTS} per request",
            field="events",
            value=len(records),
            expected=f"1-{MAX_EVENTS} events",
        )
    return records


def _item(record: Any, index: int, key: ApiKey) -> Located | Quarantined:
    """One record of the request as an event, or quarantined: the origin is the key's name
    and the record's position in the request."""
    return validate_record(record, f"api:{key.name}", index, preview(orjson.dumps(record)))


def _decide(
    service: Service,
    items: list[Located | Quarantined],
    key: ApiKey,
    idempotency: tuple[str, str] | None,
) -> dict[str, Any]:
    """Decide the request's events in one transaction; the response (kept for the
    ``Idempotency-Key``, in the same transaction) lists each event's outcome in order."""
    body: dict[str, Any] = {}

    def respond(uow: UnitOfWork, outcomes: list[EventOutcome | Quarantined]) -> None:
        results = [_shown(outcome, index) for index, outcome in enumerate(outcomes)]
        counts = {"processed": 0, "duplicate": 0, "quarantined": 0}
        for result in results:
            counts[result["status"]] += 1
        body.update(counts=counts, results=results)
        if idempotency is not None:
            _keep(uow.session, idempotency, 200, body)

    outcomes = decide_batch(
        service.engine,
        service.decider,
        items,
        key.name,
        service.quarantined,
        lock=service.write_lock,
        also=respond,
    )
    service.metrics.count_outcomes(o for o in outcomes if isinstance(o, EventOutcome))
    service.metrics.events.labels("quarantined").inc(
        sum(isinstance(o, Quarantined) for o in outcomes)
    )
    return body


def _shown(outcome: EventOutcome | Quarantined, index: int) -> dict[str, Any]:
    if isinstance(outcome, Quarantined):
        return {
            "index": index,
            "status": "quarantined",
            "field": outcome.field,
            "value": outcome.value,
            "reason": outcome.reason,
        }
    return {"index": index, **outcome.to_dict()}


def _idempotency(key: ApiKey, header: str, raw: bytes) -> tuple[str, str]:
    if not 1 <= len(header) <= 128:
        raise ApiError(
            422,
            "Idempotency-Key: expected 1-128 characters",
            field="Idempotency-Key",
            value=header[:40],
        )
    return f"{key.name}:{header}", hashlib.sha256(raw).hexdigest()


def _replayed(service: Service, name: str, digest: str) -> JSONResponse | None:
    with UnitOfWork(service.engine) as uow:
        row = uow.session.get(IdempotencyRow, name)
        if row is None:
            return None
        if row.request_hash != digest:
            raise ApiError(
                422,
                "Idempotency-Key: reused with a different request body",
                field="Idempotency-Key",
                value=name.split(":", 1)[1],
                expected="a new key for a new request",
            )
        return JSONResponse(
            row.body, status_code=row.status, headers={"Idempotent-Replayed": "true"}
        )


def _keep(
    session: Session, idempotency: tuple[str, str], status: int, body: dict[str, Any]
) -> None:
    name, digest = idempotency
    insert_if_absent(
        session,
        IdempotencyRow,
        {
            "key": name,
            "request_hash": digest,
            "status": status,
            "body": body,
            "at": datetime.now(UTC),
        },
    )


def _store_response(
    service: Service, idempotency: tuple[str, str], status: int, body: dict[str, Any]
) -> None:
    with UnitOfWork(service.engine) as uow:
        _keep(uow.session, idempotency, status, body)
        uow.commit()


# --- accounts, actions, cases, appeals -----------------------------------------------------


@router.get("/accounts/{account_id}", tags=["accounts"])
def get_account(account_id: str, request: Request, _key: Reviewing) -> dict[str, Any]:
    """An account's standing, strikes, actions with reasons and evidence, and cases."""
    with UnitOfWork(service_of(request).engine) as uow:
        view = account_view(uow, account_id)
    if view is None:
        raise ApiError(
            404, f"no account {account_id!r} is known", field="account_id", value=account_id
        )
    return view


@router.get("/actions", tags=["actions"])
def list_actions(
    request: Request,
    _key: Reviewing,
    account_id: str | None = None,
    status: ActionStatus | None = None,
    category: str | None = None,
    limit: Limit = 100,
) -> dict[str, Any]:
    """Actions, oldest first, filtered by account, status and category."""
    with UnitOfWork(service_of(request).engine) as uow:
        records = uow.actions.list(
            account_id=account_id, status=status, category=category, limit=limit
        )
        return {"actions": [action_view(r) for r in records]}


class ReverseRequest(BaseModel):
    reason: str = Field(min_length=1, max_length=2000, description="Why it is reversed.")


@router.post("/actions/{action_id}/reverse", tags=["actions"])
def reverse(
    action_id: int, body: ReverseRequest, request: Request, key: Reviewing
) -> dict[str, Any]:
    """Reverse an applied action (staff correction): strike removed, standing recomputed, the
    platform told through the outbox; the key's name is the actor."""
    with UnitOfWork(service_of(request).engine) as uow:
        try:
            reverse_action(uow, action_id, key.name, body.reason, datetime.now(UTC))
        except ReviewError as exc:
            raise _review_error(exc, "action_id", action_id) from None
        record = uow.actions.get(action_id)
        uow.commit()
    assert record is not None
    return action_view(record)


@router.get("/cases", tags=["cases"])
def list_cases(
    request: Request,
    _key: Reviewing,
    status: CaseStatus | None = None,
    kind: CaseKind | None = None,
    limit: Limit = 100,
) -> dict[str, Any]:
    """Cases (close reviews, cap reviews, appeals), oldest first."""
    with UnitOfWork(service_of(request).engine) as uow:
        cases = uow.cases.list(status=status, kind=kind)[:limit]
        return {"cases": [case_view(c) for c in cases]}


@router.get("/cases/{case_id}", tags=["cases"])
def get_case(case_id: int, request: Request, _key: Reviewing) -> dict[str, Any]:
    """A case with its reviews and the action it is about, with evidence."""
    with UnitOfWork(service_of(request).engine) as uow:
        case = uow.cases.get(case_id)
        if case is None:
            raise ApiError(404, f"no case {case_id}", field="case_id", value=case_id)
        return case_detail(uow, case)


class DecideRequest(BaseModel):
    verdict: ReviewVerdict
    reviewer: str | None = Field(
        default=None,
        max_length=64,
        description="The person deciding, when one key serves many reviewers; recorded as "
        "'<key name>/<reviewer>' (the two-person rule counts people).",
    )
    note: str = Field(default="", max_length=4000)


@router.post("/cases/{case_id}/decide", tags=["cases"])
def decide_case(
    case_id: int, body: DecideRequest, request: Request, key: Reviewing
) -> dict[str, Any]:
    """A reviewer's verdict; a close needs two different reviewers, overturning one a
    senior's escalation (see docs/review.md)."""
    reviewer = f"{key.name}/{body.reviewer}" if body.reviewer else key.name
    with UnitOfWork(service_of(request).engine) as uow:
        try:
            case = decide(uow, case_id, reviewer, body.verdict, datetime.now(UTC), body.note)
        except ReviewError as exc:
            raise _review_error(exc, "case_id", case_id) from None
        detail = case_detail(uow, case)
        uow.commit()
    return detail


class AppealRequest(BaseModel):
    action_id: int
    reason: str = Field(min_length=1, max_length=4000, description="The account's appeal.")
    appellant: str | None = Field(default=None, max_length=128)


@router.post("/appeals", tags=["cases"], status_code=201)
def post_appeal(body: AppealRequest, request: Request, key: Reviewing) -> dict[str, Any]:
    """Open an appeal against an applied action (the platform relays the account's words)."""
    with UnitOfWork(service_of(request).engine) as uow:
        try:
            case = appeal(
                uow,
                body.action_id,
                body.reason,
                datetime.now(UTC),
                appellant=body.appellant or key.name,
            )
        except ReviewError as exc:
            raise _review_error(exc, "action_id", body.action_id) from None
        view = case_view(case)
        uow.commit()
    return view


def _review_error(exc: ReviewError, field: str, value: Any) -> ApiError:
    message = str(exc)
    status = 404 if "does not exist" in message else 409
    return ApiError(status, message, field=field, value=value)


# --- rings, audit, report ------------------------------------------------------------------


@router.get("/rings", tags=["rings"])
def list_rings(
    request: Request, _key: Reviewing, sweep_id: str | None = None, limit: Limit = 100
) -> dict[str, Any]:
    """Rings found by sweeps."""
    with UnitOfWork(service_of(request).engine) as uow:
        return {"rings": [ring_view(r) for r in uow.rings.list(sweep_id=sweep_id, limit=limit)]}


@router.get("/rings/{ring_id}", tags=["rings"])
def get_ring(ring_id: str, request: Request, _key: Reviewing) -> dict[str, Any]:
    """A ring: members, the entities they share, and where each was seen."""
    with UnitOfWork(service_of(request).engine) as uow:
        ring = uow.rings.get(ring_id)
    if ring is None:
        raise ApiError(404, f"no ring {ring_id!r}", field="ring_id", value=ring_id)
    return ring_view(ring)


@router.get("/audit/head", tags=["audit"])
def audit_head(request: Request, _key: Administering) -> dict[str, Any]:
    """The last record of the audit chain: its seq and hash."""
    with UnitOfWork(service_of(request).engine) as uow:
        head = uow.audit.head()
    return {"seq": head[0], "hash": head[1]} if head else {"seq": 0, "hash": None}


@router.get("/audit/verify", tags=["audit"])
def audit_verify(request: Request, _key: Administering) -> dict[str, Any]:
    """Walk the whole chain; the first bad record, if any."""
    result = verify(service_of(request).engine)
    return {
        "ok": result.ok,
        "count": result.count,
        "head_seq": result.head_seq,
        "head_hash": result.head_hash,
        "problem": result.problem.value if result.problem else None,
        "bad_seq": result.bad_seq,
        "detail": result.detail,
        "summary": result.describe(),
    }


@router.get("/audit/export", tags=["audit"], response_class=StreamingResponse)
def audit_export(request: Request, _key: Administering) -> StreamingResponse:
    """The chain as JSONL, one canonical record per line, as stored (``warden audit verify
    --file`` checks it offline)."""
    engine = service_of(request).engine

    def lines() -> Iterator[bytes]:
        with Session(read_only(engine)) as session, session.begin():
            for record in AuditLog(session).records():
                yield orjson.dumps(record.to_json(), option=orjson.OPT_SORT_KEYS) + b"\n"

    return StreamingResponse(lines(), media_type="application/x-ndjson")


@router.get("/report", tags=["report"])
def report(
    request: Request,
    _key: Reviewing,
    since: date | None = None,
    until: date | None = None,
) -> dict[str, Any]:
    """The transparency report's figures as published JSON (``warden report``)."""
    from warden.report.transparency import transparency_figures

    if since is not None and until is not None and until < since:
        raise ApiError(
            422, f"until {until} is before since {since}", field="until", value=str(until)
        )
    figures: dict[str, Any] = transparency_figures(
        service_of(request).engine, since, until
    ).to_json()
    return figures

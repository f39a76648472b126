"""The FastAPI application behind ``warden serve``: state, authentication, errors, limits.

:class:`Service` holds what every request shares — the database engine, the policy pack, the
screener, the :class:`~warden.enforce.decide.Decider`, the key ring, metrics and the rate
limiter — and :func:`create_app` wires the routes (:mod:`warden.service.api`,
:mod:`warden.service.akismet`) around it.

Writes are serialized: one :class:`threading.Lock` around each batch's decide-and-commit.
The counters and the decision path have one writer per process (the embedded default has one
writer per database anyway); screening, which is most of the work, runs outside the lock. To
use both cores, run more processes behind a balancer, or feed events through the stream
worker, which partitions accounts over workers.

Errors are JSON — ``{"error": {"status", "message", "field", "value", "expected"}}`` — and
name the field at fault. Requests larger than ``max_body`` bytes are refused with 413 before
they are read; every key has a rate limit (429 with ``Retry-After``).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy import Engine, text
from starlette.exceptions import HTTPException as StarletteHTTPException

from warden.accounts.backends import counters_for
from warden.accounts.counters import Counters
from warden.detect.screener import Screener
from warden.enforce.decide import Decider, KnownQuarantine
from warden.enforce.ingest import screener_for
from warden.errors import WardenError
from warden.policy import Campaign, PolicyPack, default_pack_path, load_pack
from warden.service.jobs import Jobs
from warden.service.keys import ApiKey, KeyRing, Scope
from warden.service.limits import RateLimiter, retry_after
from warden.service.metrics import Metrics
from warden.settings import Settings, get_settings
from warden.store import make_engine, migrate

#: Largest request body accepted (bytes): 1,000 events of a few KB each.
MAX_BODY = 8 * 1024 * 1024
#: Per key: requests per second on average, and the burst allowed above it.
RATE, BURST = 2000.0, 4000.0

ASGIApp = Callable[
    [MutableMapping[str, Any], Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]],
    Awaitable[None],
]


class ApiError(Exception):
    """An error answered as JSON, naming the field, the value and what was expected."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        field: str | None = None,
        value: Any = None,
        expected: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field
        self.value = value
        self.expected = expected
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"status": self.status, "message": self.message}
        if self.field is not None:
            error["field"] = self.field
        if self.value is not None:
            error["value"] = self.value
        if self.expected is not None:
            error["expected"] = self.expected
        return {"error": error}


def error_response(error: ApiError) -> JSONResponse:
    return JSONResponse(error.body(), status_code=error.status, headers=error.headers)


@dataclass
class Service:
    """What every request shares (see the module docstring)."""

    engine: Engine
    pack: PolicyPack
    screener: Screener
    decider: Decider
    keys: KeyRing
    metrics: Metrics = field(default_factory=Metrics)
    limiter: RateLimiter = field(default_factory=lambda: RateLimiter(RATE, BURST))
    write_lock: threading.Lock = field(default_factory=threading.Lock)
    max_body: int = MAX_BODY
    settings: Settings | None = None
    #: records of each origin already in quarantine (so a retried bad record is kept once)
    quarantined: KnownQuarantine = field(default_factory=dict)
    jobs: Jobs = field(default_factory=Jobs)

    @classmethod
    def build(
        cls,
        *,
        settings: Settings | None = None,
        policy: Path | None = None,
        campaign: str | None = None,
        engine: Engine | None = None,
        counters: Counters | None = None,
        rate: float = RATE,
        burst: float = BURST,
    ) -> Service:
        """The service for these settings: database migrated, screener and models loaded,
        counters in Redis when ``WARDEN_REDIS_URL`` is set, else persisted in the database."""
        settings = settings or get_settings()
        engine = engine or make_engine(settings.database_url)
        migrate(engine)
        pack = load_pack(policy or default_pack_path())
        overlay: Campaign | None = pack.campaign(campaign) if campaign else None
        screener = screener_for(pack)
        decider = Decider.for_store(
            engine,
            screener,
            pack,
            counters=counters if counters is not None else counters_for(settings, engine),
            campaign=overlay,
            media=settings.media_limits(),
        )
        return cls(
            engine=engine,
            pack=pack,
            screener=screener,
            decider=decider,
            keys=KeyRing(engine),
            limiter=RateLimiter(rate, burst),
            settings=settings,
        )


def create_app(service: Service) -> FastAPI:
    """The application: ``/v1`` API, Akismet endpoint, health, readiness and metrics."""
    from warden.service.akismet import router as akismet_router
    from warden.service.api import router as api_router

    app = FastAPI(
        title="Warden",
        version="1",
        description=(
            "Screen content, take in platform events and act on abusive accounts; review, "
            "appeals, rings, audit and the transparency report. Authenticate with "
            "`Authorization: Bearer <key>` (keys: `warden keys create`)."
        ),
    )
    app.state.service = service

    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        location = [str(p) for p in first.get("loc", ()) if p != "body"]
        return error_response(
            ApiError(
                422,
                f"{'.'.join(location) or 'body'}: {first.get('msg', 'invalid request')}",
                field=".".join(location) or None,
                value=_shown(first.get("input")),
                expected=first.get("msg"),
            )
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return error_response(ApiError(exc.status_code, str(exc.detail)))

    @app.exception_handler(WardenError)
    async def _warden(_request: Request, exc: WardenError) -> JSONResponse:
        return error_response(ApiError(400, str(exc)))

    @app.get("/healthz", tags=["operations"])
    def healthz() -> dict[str, str]:
        """The process is up."""
        return {"status": "ok"}

    @app.get("/readyz", tags=["operations"])
    def readyz() -> JSONResponse:
        """The database, Redis and NATS (those configured) are reachable."""
        checks = readiness(service)
        ready = all(value == "ok" for value in checks.values())
        return JSONResponse(
            {"status": "ready" if ready else "not ready", "checks": checks},
            status_code=200 if ready else 503,
        )

    @app.get("/metrics", tags=["operations"], response_class=Response)
    def metrics() -> Response:
        """Prometheus metrics."""
        return Response(service.metrics.exposition(), media_type="text/plain; version=0.0.4")

    app.include_router(api_router)
    app.include_router(akismet_router)
    from warden.console.web import install as install_console

    install_console(app)
    app.add_middleware(_ConsoleHeaders)
    app.add_middleware(_Observe, service=service)
    return app


def readiness(service: Service) -> dict[str, str]:
    """Each configured dependency: ``ok`` or what went wrong."""
    checks: dict[str, str] = {}
    try:
        with service.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # readiness reports any failure, it does not raise
        checks["database"] = f"unreachable: {type(exc).__name__}"
    settings = service.settings
    if settings is not None and settings.redis_url:
        import redis

        try:
            redis.Redis.from_url(settings.redis_url, socket_timeout=1).ping()
            checks["redis"] = "ok"
        except Exception as exc:
            checks["redis"] = f"unreachable: {type(exc).__name__}"
    if settings is not None and settings.nats_url:
        checks["nats"] = nats_reachable(settings.nats_url)
    return checks


def nats_reachable(url: str) -> str:
    """``ok`` when a NATS server answers its INFO greeting at ``url`` within a second."""
    import socket
    from urllib.parse import urlparse

    parsed = urlparse(url.split(",")[0])
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or 4222), 1
        ) as s:
            s.settimeout(1)
            greeting = s.recv(4096)
        return "ok" if greeting.startswith(b"INFO") else "unexpected greeting"
    except OSError as exc:
        return f"unreachable: {type(exc).__name__}"


async def live_key(service: Service, presented: str) -> ApiKey | None:
    """The live key ``presented`` is, or None: from the key ring's cache on the event loop
    (a dictionary lookup), else from the store in the thread pool — where its last use is
    also written, which may wait on the database's write lock."""
    key = service.keys.cached(presented)
    if key is None:
        key = await run_blocking(lambda: service.keys.authenticate(presented))
    return key


def presented_key(request: Request) -> str:
    """The key the request carries (``Authorization: Bearer`` or ``X-API-Key``), or 401."""
    header = request.headers.get("authorization", "")
    presented = header[7:].strip() if header[:7].lower() == "bearer " else ""
    presented = presented or request.headers.get("x-api-key", "").strip()
    if not presented:
        raise ApiError(
            401,
            "no API key: send 'Authorization: Bearer <key>'",
            field="Authorization",
            expected="Bearer wk_…",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return presented


def unknown_key() -> ApiError:
    return ApiError(
        401,
        "the API key is unknown, malformed or revoked",
        field="Authorization",
        headers={"WWW-Authenticate": "Bearer"},
    )


def admit(service: Service, key: ApiKey, scope: Scope) -> ApiKey:
    """``key`` if it allows ``scope`` and is within its rate limit."""
    if not key.allows(scope):
        raise ApiError(
            403,
            f"key {key.name!r} lacks the {scope.value!r} scope",
            field="scope",
            value=sorted(s.value for s in key.scopes),
            expected=scope.value,
        )
    wait = service.limiter.take(key.name)
    if wait > 0:
        raise ApiError(
            429,
            f"key {key.name!r} is over its rate limit",
            headers={"Retry-After": retry_after(wait)},
        )
    return key


def _shown(value: Any) -> Any:
    """A value for an error message: short enough to read."""
    if value is None:
        return None
    shown = orjson.dumps(value, default=str).decode()
    return shown if len(shown) <= 200 else shown[:200] + "…"


class _Observe:
    """Pure ASGI middleware: refuses bodies over the limit (413) and measures every request
    (route template, method, status, latency) — cheaper than Starlette's BaseHTTPMiddleware."""

    def __init__(self, app: ASGIApp, service: Service) -> None:
        self.app = app
        self.service = service

    async def __call__(
        self,
        scope: MutableMapping[str, Any],
        receive: Callable[[], Awaitable[Any]],
        send: Callable[[Any], Awaitable[None]],
    ) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        limit = self.service.max_body
        declared = dict(scope.get("headers") or ()).get(b"content-length")
        status = [500]

        async def send_observed(message: Any) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _too_large(send_observed, limit)
        else:
            received = [0]

            async def receive_limited() -> Any:
                message = await receive()
                if message["type"] == "http.request":
                    received[0] += len(message.get("body", b""))
                    if received[0] > limit:
                        raise _TooLarge
                return message

            try:
                await self.app(scope, receive_limited, send_observed)
            except _TooLarge:
                await _too_large(send_observed, limit)
        route = scope.get("route")
        name = getattr(route, "path", None) or "unmatched"
        metrics = self.service.metrics
        metrics.requests.labels(name, scope["method"], str(status[0])).inc()
        metrics.latency.labels(name).observe(time.perf_counter() - started)


class _ConsoleHeaders:
    """Pure ASGI middleware: the console's security headers (a strict Content-Security-Policy
    among them; :data:`warden.console.web.SECURITY_HEADERS`) on every ``/console`` response."""

    def __init__(self, app: ASGIApp) -> None:
        from warden.console.web import SECURITY_HEADERS

        self.app = app
        self.headers = [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]

    async def __call__(
        self,
        scope: MutableMapping[str, Any],
        receive: Callable[[], Awaitable[Any]],
        send: Callable[[Any], Awaitable[None]],
    ) -> None:
        if scope["type"] != "http" or not str(scope.get("path", "")).startswith("/console"):
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = [
                    *message.get("headers", []),
                    *((k, v) for k, v in self.headers if k not in names),
                ]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class _TooLarge(Exception):
    pass


async def _too_large(send: Callable[[Any], Awaitable[None]], limit: int) -> None:
    body = ApiError(
        413, f"request body over {limit} bytes", field="body", expected=f"<= {limit} bytes"
    ).body()
    payload = orjson.dumps(body)
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})


async def run_blocking(work: Callable[[], Any]) -> Any:
    """Run ``work`` in the thread pool (database and screening work blocks)."""
    return await asyncio.to_thread(work)

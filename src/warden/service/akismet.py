"""An Akismet-compatible endpoint, so a blog or forum that speaks Akismet asks Warden instead.

WordPress, Discourse, Django and most comment forms ship an Akismet client; pointing it at
``warden serve`` needs no code change on their side. The protocol
(https://akismet.com/developers/) is form-encoded POSTs with plain-text answers:

* ``/1.1/verify-key`` — ``key`` (or ``api_key``) and ``blog`` → ``valid`` / ``invalid``;
* ``/1.1/comment-check`` — ``comment_content``, ``comment_author``, ``comment_author_url``
  and the rest → ``true`` (spam) / ``false``; blatant spam adds ``X-akismet-pro-tip:
  discard`` so the site can drop it unseen;
* ``/1.1/submit-spam``, ``/1.1/submit-ham`` — the site's moderators correcting us; stored
  as labelled feedback (the ``feedback`` table) that ``warden models build --feedback``
  adds to the spam detector's training data.

The key is a Warden API key with the ``screen`` scope. Unknown fields are ignored, as
Akismet does. A comment counts as spam when its strongest category, weighed by how much the
text *does* rather than *talks about* it (:mod:`warden.text.intent`), reaches
:data:`SPAM`; blatant from :data:`DISCARD`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse

from warden.domain.verdicts import Verdict
from warden.service.app import ApiError, Service, admit, live_key, run_blocking
from warden.service.keys import ApiKey, Scope
from warden.store.schema import FeedbackRow
from warden.store.unit_of_work import UnitOfWork

router = APIRouter(prefix="/1.1", tags=["akismet"])

SPAM = 0.5
DISCARD = 0.9
THANKS = "Thanks for making the web a better place."
#: Form fields screened, in this order: what the commenter wrote about themselves and said.
SCREENED = ("comment_author", "comment_author_url", "comment_content")
#: Form fields never stored with feedback (credentials).
SECRET = frozenset({"api_key", "key"})
MAX_FIELD = 65_536


def spamminess(verdict: Verdict) -> float:
    """The strongest category's score, weighed by intent (0 for clean text)."""
    top = verdict.top_category()
    return top[1] * verdict.intent if top else 0.0


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    fields: dict[str, str] = {}
    for name, value in form.multi_items():
        if isinstance(value, str):
            fields[name] = value[:MAX_FIELD]
    return fields


async def _key(request: Request, fields: dict[str, str]) -> ApiKey | None:
    service: Service = request.app.state.service
    presented = fields.get("api_key") or fields.get("key") or ""
    key = await live_key(service, presented) if presented else None
    if key is None or not key.allows(Scope.SCREEN):
        return None
    return admit(service, key, Scope.SCREEN)


def _invalid(why: str) -> PlainTextResponse:
    return PlainTextResponse("invalid", headers={"X-akismet-debug-help": why})


@router.post("/verify-key", response_class=PlainTextResponse)
async def verify_key(request: Request) -> PlainTextResponse:
    """``valid`` when ``key`` is a live Warden key with the ``screen`` scope."""
    fields = await _form(request)
    return PlainTextResponse("valid" if await _key(request, fields) else "invalid")


@router.post("/comment-check", response_class=PlainTextResponse)
async def comment_check(request: Request) -> PlainTextResponse:
    """``true`` for spam (``X-akismet-pro-tip: discard`` when blatant), ``false`` for ham."""
    fields = await _form(request)
    if await _key(request, fields) is None:
        return _invalid("Empty, unknown or revoked api_key, or it lacks the 'screen' scope.")
    text = "\n".join(fields[name] for name in SCREENED if fields.get(name))
    if not text.strip():
        return PlainTextResponse("false")
    service: Service = request.app.state.service
    verdict = service.screener.screen([text])[0]
    service.metrics.texts.inc()
    score = spamminess(verdict)
    headers = {"X-warden-score": f"{score:.3f}"}
    top = verdict.top_category()
    if top is not None:
        headers["X-warden-category"] = top[0]
    if score >= DISCARD:
        headers["X-akismet-pro-tip"] = "discard"
    return PlainTextResponse("true" if score >= SPAM else "false", headers=headers)


@router.post("/submit-spam", response_class=PlainTextResponse)
async def submit_spam(request: Request) -> PlainTextResponse:
    """A comment the site says is spam: kept as labelled feedback."""
    return await _feedback(request, "spam")


@router.post("/submit-ham", response_class=PlainTextResponse)
async def submit_ham(request: Request) -> PlainTextResponse:
    """A comment the site says is not spam: kept as labelled feedback."""
    return await _feedback(request, "ham")


async def _feedback(request: Request, label: str) -> PlainTextResponse:
    fields = await _form(request)
    key = await _key(request, fields)
    if key is None:
        return _invalid("Empty, unknown or revoked api_key, or it lacks the 'screen' scope.")
    content = fields.get("comment_content", "")
    if not content.strip():
        raise ApiError(
            422,
            "comment_content: empty; feedback needs the text it is about",
            field="comment_content",
            expected="the comment's text",
        )
    service: Service = request.app.state.service
    kept = {k: v for k, v in fields.items() if k not in SECRET and k != "comment_content"}
    await run_blocking(lambda: store_feedback(service, key, label, content, kept))
    return PlainTextResponse(THANKS)


def store_feedback(
    service: Service, key: ApiKey, label: str, text: str, fields: dict[str, Any]
) -> int:
    """Keep one labelled text with an audit record (the key's name is the actor)."""
    now = datetime.now(UTC)
    with UnitOfWork(service.engine) as uow:
        row = FeedbackRow(
            label=label, text=text, source="akismet", fields=fields, submitted_by=key.name, at=now
        )
        uow.session.add(row)
        uow.session.flush()
        uow.audit.append(
            "feedback",
            fields.get("blog", "") or key.name,
            {"id": row.id, "label": label, "source": "akismet", "chars": len(text)},
            actor=key.name,
            at=now,
        )
        uow.commit()
        return row.id

"""The event schema: everything an account does that Warden hears about.

One pydantic model per event kind, discriminated by ``kind``. Every event has an
``event_id`` (the idempotency key: the same event ingested twice changes nothing the second
time), the ``account_id`` that did it and a timezone-aware ``ts``. Unknown fields are
refused, not ignored: a misspelt ``recipent_id`` would otherwise silently drop evidence.

Messages, posts, comments and profiles (the avatar) may carry images in ``media``: each a
:class:`MediaRef` with a ``media_id`` and exactly one of ``url``, ``path`` or inline
``data`` (base64). Only the reference is validated here; reading the bytes, with its limits,
is :mod:`warden.media`'s job, so an event whose picture cannot be read is still screened.

The JSON Schema (``event_json_schema()``) is what platform engineers code against; it is
published in ``docs/events.md`` and a test keeps the two in step.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, TypeAdapter, model_validator

Identifier = Annotated[str, Field(min_length=1, max_length=128)]
Text = Annotated[str, Field(max_length=20_000)]
#: Inline image bytes, base64: 14 M characters ≈ 10 MiB, the fetcher's default size limit.
INLINE_MAX = 14_000_000
MEDIA_PER_EVENT = 16


class MediaRef(BaseModel):
    """One image attached to an event: where to read it, and (optionally) its SHA-256."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    media_id: Identifier = Field(description="The platform's id of the image.")
    sha256: Annotated[str, Field(pattern="^[0-9a-f]{64}$")] | None = Field(
        None, description="Lower-case hex SHA-256 of the bytes; checked when given."
    )
    url: Annotated[str, Field(min_length=1, max_length=2048)] | None = Field(
        None, description="http(s):// (fetched only from allowed hosts), or file://."
    )
    path: Annotated[str, Field(min_length=1, max_length=1024)] | None = Field(
        None, description="A local file under one of the allowed media roots."
    )
    data: Annotated[str, Field(min_length=1, max_length=INLINE_MAX)] | None = Field(
        None, description="The image bytes inline, base64."
    )

    @model_validator(mode="after")
    def _one_source(self) -> MediaRef:
        given = [name for name in ("url", "path", "data") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError(f"exactly one of url, path and data must be given (got {given})")
        return self


Media = Annotated[
    list[MediaRef],
    Field(max_length=MEDIA_PER_EVENT, description="Images attached to the event."),
]


class _Event(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)

    event_id: Identifier = Field(description="Unique id of this event; the idempotency key.")
    account_id: Identifier = Field(description="The account that did it.")
    ts: AwareDatetime = Field(description="When it happened (ISO-8601 with a time zone).")

    def texts(self) -> dict[str, str]:
        """The content to screen, by field name (empty for events without content)."""
        return {}

    def images(self) -> tuple[MediaRef, ...]:
        """The images to screen (empty for events that cannot carry any)."""
        return ()


class _WithMedia(_Event):
    media: Media = Field(default_factory=list)

    def images(self) -> tuple[MediaRef, ...]:
        return tuple(self.media)


class MessageEvent(_WithMedia):
    """A private or group chat message."""

    kind: Literal["message"] = "message"
    text: Text
    recipient_id: Identifier | None = Field(None, description="For a private message.")
    group_id: Identifier | None = Field(None, description="For a group message.")
    is_contact: bool = Field(False, description="Whether sender and recipient are contacts.")

    @model_validator(mode="after")
    def _one_destination(self) -> MessageEvent:
        if (self.recipient_id is None) == (self.group_id is None):
            raise ValueError("exactly one of recipient_id and group_id must be given")
        return self

    def texts(self) -> dict[str, str]:
        return {"text": self.text}


class PostEvent(_WithMedia):
    """An article published by an official account."""

    kind: Literal["post"] = "post"
    title: Text = ""
    text: Text

    def texts(self) -> dict[str, str]:
        return {"title": self.title, "text": self.text} if self.title else {"text": self.text}


class CommentEvent(_WithMedia):
    """A comment under a post."""

    kind: Literal["comment"] = "comment"
    text: Text
    target_event_id: Identifier | None = None

    def texts(self) -> dict[str, str]:
        return {"text": self.text}


class ProfileEvent(_WithMedia):
    """A nickname, signature or avatar change (escort accounts advertise handles there);
    the avatar is its ``media``."""

    kind: Literal["profile"] = "profile"
    nickname: Text | None = None
    signature: Text | None = None

    def texts(self) -> dict[str, str]:
        out = {}
        if self.nickname:
            out["nickname"] = self.nickname
        if self.signature:
            out["signature"] = self.signature
        return out


class FriendRequestEvent(_Event):
    kind: Literal["friend_request"] = "friend_request"
    target_id: Identifier
    message: Text | None = None

    def texts(self) -> dict[str, str]:
        return {"message": self.message} if self.message else {}


class GroupInviteEvent(_Event):
    kind: Literal["group_invite"] = "group_invite"
    group_id: Identifier
    invitee_ids: list[Identifier] = Field(min_length=1, max_length=10_000)


class PaymentEvent(_Event):
    """A transfer or red packet; ``account_id`` is the payer."""

    kind: Literal["payment"] = "payment"
    payee_id: Identifier
    amount: float = Field(gt=0, description="In the currency's main unit (yuan).")
    currency: Annotated[str, Field(min_length=3, max_length=3)] = "CNY"
    payment_type: Literal["transfer", "red_packet"] = "transfer"
    memo: Text | None = None

    def texts(self) -> dict[str, str]:
        return {"memo": self.memo} if self.memo else {}


class ReportEvent(_Event):
    """A user (``account_id``) reporting an account or a piece of its content."""

    kind: Literal["report"] = "report"
    target_account_id: Identifier
    target_event_id: Identifier | None = None
    reason: Annotated[str, Field(min_length=1, max_length=64)] = Field(
        description="Report reason code, e.g. sexual_services, fraud, harassment, spam."
    )


class LoginEvent(_Event):
    kind: Literal["login"] = "login"
    device_id: Identifier
    ip: Annotated[str, Field(min_length=3, max_length=45)]


class SignupEvent(_Event):
    kind: Literal["signup"] = "signup"
    device_id: Identifier | None = None
    ip: Annotated[str, Field(min_length=3, max_length=45)] | None = None
    region: Annotated[str, Field(max_length=32)] | None = None


Event = Annotated[
    MessageEvent
    | PostEvent
    | CommentEvent
    | ProfileEvent
    | FriendRequestEvent
    | GroupInviteEvent
    | PaymentEvent
    | ReportEvent
    | LoginEvent
    | SignupEvent,
    Field(discriminator="kind"),
]
EVENT_KINDS = (
    "message", "post", "comment", "profile", "friend_request",
    "group_invite", "payment", "report", "login", "signup",
)  # fmt: skip

_ADAPTER: TypeAdapter[Event] = TypeAdapter(Event)


def parse_event(data: Any) -> Event:
    """Validate one event (a dict); raises pydantic's ``ValidationError`` naming the fields."""
    return _ADAPTER.validate_python(data)


def event_json_schema() -> dict[str, Any]:
    """The JSON Schema of an event, as published in ``docs/events.md``."""
    return _ADAPTER.json_schema()

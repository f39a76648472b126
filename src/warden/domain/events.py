"""The event schema: everything an account does that Warden hears about.

One pydantic model per event kind, discriminated by ``kind``. Every event has an
``event_id`` (the idempotency key: the same event ingested twice changes nothing the second
time), the ``account_id`` that did it and a timezone-aware ``ts``. Unknown fields are
refused, not ignored: a misspelt ``recipent_id`` would otherwise silently drop evidence.

The JSON Schema (``event_json_schema()``) is what platform engineers code against; it is
published in ``docs/events.md`` and a test keeps the two in step.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, TypeAdapter, model_validator

Identifier = Annotated[str, Field(min_length=1, max_length=128)]
Text = Annotated[str, Field(max_length=20_000)]


class _Event(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)

    event_id: Identifier = Field(description="Unique id of this event; the idempotency key.")
    account_id: Identifier = Field(description="The account that did it.")
    ts: AwareDatetime = Field(description="When it happened (ISO-8601 with a time zone).")

    def texts(self) -> dict[str, str]:
        """The content to screen, by field name (empty for events without content)."""
        return {}


class MessageEvent(_Event):
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


class PostEvent(_Event):
    """An article published by an official account."""

    kind: Literal["post"] = "post"
    title: Text = ""
    text: Text

    def texts(self) -> dict[str, str]:
        return {"title": self.title, "text": self.text} if self.title else {"text": self.text}


class CommentEvent(_Event):
    """A comment under a post."""

    kind: Literal["comment"] = "comment"
    text: Text
    target_event_id: Identifier | None = None

    def texts(self) -> dict[str, str]:
        return {"text": self.text}


class ProfileEvent(_Event):
    """A nickname or signature change (escort accounts advertise handles there)."""

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

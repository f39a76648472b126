"""Warden's settings: typed, read from ``WARDEN_*`` environment variables, built on demand.

Nothing is read at import time: call :func:`get_settings` where a command or service starts
and pass the result (or the piece it needs) down. Outside ``development`` and ``test`` the
settings refuse an insecure webhook secret, so a production deploy cannot run with the
placeholder by accident.

============================  =========================  =======================================
variable                      default                    meaning
============================  =========================  =======================================
``WARDEN_ENV``                ``development``            ``development``, ``test``, ``staging``,
                                                         ``production`` (or any other name)
``WARDEN_DATABASE_URL``       ``sqlite:///warden.db``    SQLAlchemy URL; the default is a file
                                                         in the current directory
``WARDEN_REDIS_URL``          unset                      shared counters (in-process when unset)
``WARDEN_NATS_URL``           unset                      durable stream (disabled when unset)
``WARDEN_WEBHOOK_SECRET``     ``changeme``               HMAC key for outbox webhooks
``WARDEN_HOME``               ``~/.local/share/warden``  where Warden keeps what it builds
                                                         (``$XDG_DATA_HOME/warden`` when set)
``WARDEN_MODELS_DIR``         ``$WARDEN_HOME/models``    the standard detectors
                                                         (``warden models build``)
``WARDEN_AUDIT_SIGNING_KEY``  unset                      PEM Ed25519 private key that signs
                                                         audit checkpoints (``warden audit
                                                         keygen``, ``warden audit checkpoint``)
``WARDEN_MEDIA_ROOTS``        unset                      folders event pictures may be read
                                                         from (``path``/``file://``), ``:``
                                                         between them; unset: none
``WARDEN_MEDIA_HOSTS``        unset                      hosts pictures may be fetched from
                                                         (``,`` between them); unset: no fetch
``WARDEN_MEDIA_MAX_BYTES``    ``10485760``               largest picture read (bytes)
``WARDEN_MEDIA_MAX_PIXELS``   ``40000000``               largest picture decoded (pixels)
``WARDEN_MEDIA_OCR``          ``true``                   read text in pictures (Tesseract)
============================  =========================  =======================================
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Self

from pydantic import Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from warden.errors import ConfigError

if TYPE_CHECKING:
    from warden.media.limits import MediaLimits

#: Environments where an insecure webhook secret is tolerated.
RELAXED_ENVS = frozenset({"development", "test"})
#: Secrets that are never acceptable outside :data:`RELAXED_ENVS`.
INSECURE_SECRETS = frozenset({"", "changeme"})


class Settings(BaseSettings):
    """Everything Warden reads from the environment."""

    model_config = SettingsConfigDict(env_prefix="WARDEN_", extra="ignore", frozen=True)

    env: str = "development"
    database_url: str = "sqlite:///warden.db"
    redis_url: str | None = None
    nats_url: str | None = None
    webhook_secret: str = "changeme"
    home: Path | None = None
    models_dir: Path | None = None
    audit_signing_key: Path | None = None
    #: share of decided cases the console sends back, blind, to a second reviewer
    console_qa_share: float = Field(default=0.1, ge=0.0, le=1.0)
    media_roots: str = ""
    media_hosts: str = ""
    media_max_bytes: int = 10 * 1024 * 1024
    media_max_pixels: int = 40_000_000
    media_ocr: bool = True

    def media_limits(self) -> MediaLimits:
        """The limits pictures are read within (:mod:`warden.media.limits`)."""
        from warden.media.limits import MediaLimits

        return MediaLimits(
            max_bytes=self.media_max_bytes,
            max_pixels=self.media_max_pixels,
            roots=tuple(Path(p).expanduser() for p in self.media_roots.split(os.pathsep) if p),
            hosts=frozenset(h.strip().lower() for h in self.media_hosts.split(",") if h.strip()),
            ocr=self.media_ocr,
        )

    @property
    def home_dir(self) -> Path:
        """``WARDEN_HOME``, else ``$XDG_DATA_HOME/warden``, else ``~/.local/share/warden``."""
        if self.home is not None:
            return self.home.expanduser().resolve()
        xdg = os.environ.get("XDG_DATA_HOME")
        base = Path(xdg) if xdg else Path.home() / ".local" / "share"
        return (base / "warden").resolve()

    @property
    def models_path(self) -> Path:
        """Where the standard detectors live: ``WARDEN_MODELS_DIR`` or ``<home>/models``."""
        if self.models_dir is not None:
            return self.models_dir.expanduser().resolve()
        return self.home_dir / "models"

    @model_validator(mode="after")
    def _refuse_insecure_secret(self) -> Self:
        if self.env not in RELAXED_ENVS and self.webhook_secret.strip() in INSECURE_SECRETS:
            raise ValueError(
                f"WARDEN_WEBHOOK_SECRET: {self.webhook_secret!r} is not allowed when "
                f"WARDEN_ENV={self.env!r}; expected a long random secret "
                f"(placeholders are accepted only in {sorted(RELAXED_ENVS)})"
            )
        return self


def get_settings() -> Settings:
    """Read the settings from the environment now; raise :class:`ConfigError` if unusable."""
    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(_describe(error) for error in exc.errors())
        raise ConfigError(f"settings: {problems}") from None


def _describe(error: object) -> str:
    details = error if isinstance(error, dict) else {}
    where = ".".join(str(part) for part in details.get("loc", ()))
    message = str(details.get("msg", error)).removeprefix("Value error, ")
    return f"{where}: {message}" if where else message

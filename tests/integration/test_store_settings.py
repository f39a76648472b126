"""Settings come from WARDEN_* variables, on demand, and refuse an insecure secret in production."""

from __future__ import annotations

import pytest

from warden.errors import ConfigError
from warden.settings import get_settings

VARIABLES = ("ENV", "DATABASE_URL", "REDIS_URL", "NATS_URL", "WEBHOOK_SECRET")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in VARIABLES:
        monkeypatch.delenv(f"WARDEN_{name}", raising=False)


def test_defaults_are_for_development() -> None:
    settings = get_settings()
    assert settings.env == "development"
    assert settings.database_url == "sqlite:///warden.db"
    assert settings.redis_url is None
    assert settings.nats_url is None


def test_values_are_read_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WARDEN_DATABASE_URL", "postgresql+psycopg://warden@db/warden")
    monkeypatch.setenv("WARDEN_REDIS_URL", "redis://cache:6379/0")
    monkeypatch.setenv("WARDEN_NATS_URL", "nats://bus:4222")
    settings = get_settings()
    assert settings.database_url == "postgresql+psycopg://warden@db/warden"
    assert (settings.redis_url, settings.nats_url) == ("redis://cache:6379/0", "nats://bus:4222")


@pytest.mark.parametrize("secret", [None, "", "changeme", "  changeme "])
def test_production_refuses_an_insecure_webhook_secret(
    monkeypatch: pytest.MonkeyPatch, secret: str | None
) -> None:
    monkeypatch.setenv("WARDEN_ENV", "production")
    if secret is not None:
        monkeypatch.setenv("WARDEN_WEBHOOK_SECRET", secret)
    with pytest.raises(ConfigError, match=r"WARDEN_WEBHOOK_SECRET.*WARDEN_ENV='production'"):
        get_settings()


@pytest.mark.parametrize("env", ["development", "test"])
def test_development_and_test_accept_the_placeholder(
    monkeypatch: pytest.MonkeyPatch, env: str
) -> None:
    monkeypatch.setenv("WARDEN_ENV", env)
    assert get_settings().webhook_secret == "changeme"


def test_production_accepts_a_real_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WARDEN_ENV", "production")
    monkeypatch.setenv("WARDEN_WEBHOOK_SECRET", "b3f1c0a9e27d4c5f8a6e")
    assert get_settings().webhook_secret == "b3f1c0a9e27d4c5f8a6e"

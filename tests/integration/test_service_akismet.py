"""The Akismet-compatible endpoint, spoken to by the ``akismet`` client package itself — the
client a blog or forum would use — pointed at the app instead of rest.akismet.com."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import akismet
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from warden.service.app import Service, create_app
from warden.service.keys import Scope, create_key, revoke_key
from warden.settings import Settings
from warden.store import UnitOfWork, make_engine, migrate
from warden.store.schema import FeedbackRow

BLOG = "https://blog.example.org"
SPAM = "Cheap replica watches and casino bonus!!! 加微信 mm_love520 包夜 上门服务 https://bit.ly/xx"
HAM = "Thanks for the write-up — the part about database migrations saved me an afternoon."


@pytest.fixture
def app_client(tmp_path: Path) -> Iterator[tuple[TestClient, Service]]:
    engine = make_engine(f"sqlite:///{tmp_path / 'warden.db'}")
    migrate(engine)
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'warden.db'}")
    service = Service.build(settings=settings, engine=engine)
    with TestClient(create_app(service)) as client:
        yield client, service


def client_for(http: TestClient, key: str) -> akismet.SyncClient:
    return akismet.SyncClient(config=akismet.Config(key=key, url=BLOG), http_client=http)


def test_the_akismet_client_checks_comments(app_client: tuple[TestClient, Service]) -> None:
    http, service = app_client
    key, _ = create_key(service.engine, "blog", frozenset({Scope.SCREEN}))
    blog = client_for(http, key)
    assert blog.verify_key(key, BLOG) is True
    assert blog.verify_key("wk_000000000000_" + "x" * 43, BLOG) is False
    spam = blog.comment_check(
        user_ip="203.0.113.9", comment_content=SPAM, comment_type="comment", comment_author="x"
    )
    assert spam in (akismet.CheckResponse.SPAM, akismet.CheckResponse.DISCARD)
    assert spam == akismet.CheckResponse.DISCARD  # blatant: the site may drop it unseen
    ham = blog.comment_check(
        user_ip="198.51.100.4",
        comment_content=HAM,
        comment_type="comment",
        comment_author="Lin",
        blog_lang="en",
    )
    assert ham == akismet.CheckResponse.HAM


def test_talking_about_abuse_is_not_spam(app_client: tuple[TestClient, Service]) -> None:
    http, service = app_client
    key, _ = create_key(service.engine, "forum", frozenset({Scope.SCREEN}))
    forum = client_for(http, key)
    warning = "Be careful: scammers here ask for a deposit first and then block you. Report them."
    assert forum.comment_check(user_ip="198.51.100.7", comment_content=warning) == (
        akismet.CheckResponse.HAM
    )


def test_feedback_is_stored_labelled_and_a_bad_key_is_invalid(
    app_client: tuple[TestClient, Service],
) -> None:
    http, service = app_client
    key, _ = create_key(service.engine, "blog", frozenset({Scope.SCREEN}))
    blog = client_for(http, key)
    assert blog.submit_spam(user_ip="203.0.113.9", comment_content="buy followers now") is True
    assert blog.submit_ham(user_ip="198.51.100.4", comment_content=HAM, comment_author="Lin")
    with UnitOfWork(service.engine) as uow:
        rows = uow.session.execute(
            select(FeedbackRow.label, FeedbackRow.text, FeedbackRow.submitted_by)
        ).all()
        fields = uow.session.scalars(select(FeedbackRow.fields)).all()
    assert sorted(rows) == [("ham", HAM, "blog"), ("spam", "buy followers now", "blog")]
    assert all("api_key" not in f for f in fields)  # the key is never kept
    revoke_key(service.engine, "blog")
    service.keys.forget()
    response = http.post(
        "/1.1/comment-check",
        data={"api_key": key, "blog": BLOG, "comment_content": SPAM, "unknown_field": "x"},
    )
    assert response.text == "invalid"
    assert "X-akismet-debug-help" in response.headers

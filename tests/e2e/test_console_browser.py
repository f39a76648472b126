"""The console in a real browser: Debian's Chromium driven through its ChromeDriver (Selenium),
against ``warden serve`` as an operator runs it. Two reviewers close an account with the
keyboard alone, a reviewer upholds an appeal, a senior acts on a ring in bulk; the case page's
screenshot is saved for the docs (docs/img/console-case.png)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from running import ROOT, warden

from warden.cli.sample_day import write_scenario
from warden.domain.rings import Ring, RingLink
from warden.store import UnitOfWork, make_engine

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
PASSWORD = "correct-horse-battery"
SCREENSHOT = ROOT / "docs" / "img" / "console-case.png"

webdriver = pytest.importorskip("selenium.webdriver")
if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
    if os.environ.get("WARDEN_REQUIRE_SERVICES") == "1":
        raise RuntimeError("chromium and chromium-driver are needed (apt install them)")
    pytest.skip("Debian's chromium and chromium-driver are not installed", allow_module_level=True)

from selenium.webdriver.chrome.options import Options  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.support import expected_conditions  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


@pytest.fixture
def platform(env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    """A database with the sample day decided, three people, and a ring."""
    events = write_scenario(tmp_path / "events.jsonl")
    assert warden(env, "ingest", str(events)).returncode == 0
    for name, role in (("ana", "reviewer"), ("bo", "reviewer"), ("sam", "senior")):
        made = warden_stdin(env, PASSWORD, "users", "create", name, "--role", role)
        assert made.returncode == 0, made.stderr
    engine = make_engine(env["WARDEN_DATABASE_URL"])
    members = ("r0", "r1", "r2", "r3", "r4")
    with UnitOfWork(engine) as uow:
        uow.rings.add(
            Ring(
                "ring-browser", members, ("chat_handle:ring_handle",), 0.8,
                datetime.now(UTC), "test",
                tuple(RingLink(m, "chat_handle:ring_handle", (f"e-{m}",), 3) for m in members),
            )
        )  # fmt: skip
        uow.commit()
    engine.dispose()
    return env


def warden_stdin(env: dict[str, str], stdin: str, *args: str) -> object:
    import subprocess
    import sys

    return subprocess.run(
        [sys.executable, "-m", "warden", *args, "--password-stdin"],
        input=stdin + "\n", capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[WebDriver]:
    options = Options()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--window-size=1400,1000", f"--user-data-dir={tmp_path / 'chrome'}",
    ):  # fmt: skip
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.implicitly_wait(5)
    try:
        yield driver
    finally:
        driver.quit()


def sign_in(driver: WebDriver, base: str, name: str) -> None:
    driver.delete_all_cookies()
    driver.get(f"{base}/console/login")
    driver.find_element(By.ID, "name").send_keys(name)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    driver.find_element(By.ID, "sign-in").click()
    WebDriverWait(driver, 10).until(expected_conditions.presence_of_element_located((By.ID, "me")))


def press(driver: WebDriver, key: str) -> None:
    driver.find_element(By.TAG_NAME, "body").send_keys(key)


def test_two_reviewers_close_with_the_keyboard_an_appeal_and_a_ring(
    platform: dict[str, str], served: str, browser: WebDriver
) -> None:
    sign_in(browser, served, "ana")
    browser.get(f"{served}/console/queues/close_review")
    press(browser, "n")  # work next: claims the most severe, oldest case
    WebDriverWait(browser, 10).until(expected_conditions.url_contains("/console/cases/"))
    case_url = browser.current_url
    assert "claimed by you" in browser.find_element(By.ID, "claim-state").text.lower()
    assert browser.find_element(By.ID, "shortcuts").text.count("\n") >= 6
    press(browser, "a")  # approve, then on to the next case
    WebDriverWait(browser, 10).until(lambda d: d.current_url != case_url)

    sign_in(browser, served, "bo")
    browser.get(case_url)
    reviews = browser.find_element(By.ID, "reviews").text
    assert "ana" in reviews
    assert "approve" in reviews
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    shot = Path(browser.get_screenshot_as_file(str(SCREENSHOT)) and SCREENSHOT)
    assert shot.stat().st_size > 10_000
    press(browser, "a")
    WebDriverWait(browser, 10).until(lambda d: d.current_url != case_url)
    browser.get(case_url)
    assert browser.find_element(By.ID, "case-status").text == "approved"
    assert browser.find_element(By.ID, "account-state").text == "closed"

    # an appeal against an applied action, upheld by a reviewer with the keyboard
    listed = warden(platform, "actions", "list", "--json")
    import json

    applied = next(a for a in json.loads(listed.stdout) if a["status"] == "applied")
    assert (
        warden(platform, "appeal", str(applied["id"]), "--reason", "我没有发广告").returncode == 0
    )
    browser.get(f"{served}/console/queues/appeal")
    press(browser, "n")
    WebDriverWait(browser, 10).until(expected_conditions.url_contains("/console/cases/"))
    assert "我没有发广告" in browser.find_element(By.ID, "appeal").text
    appeal_url = browser.current_url
    press(browser, "u")
    WebDriverWait(browser, 10).until(lambda d: d.current_url != appeal_url)
    browser.get(appeal_url)
    assert browser.find_element(By.ID, "case-status").text == "rejected"

    # a senior previews and confirms a bulk action on a ring
    sign_in(browser, served, "sam")
    browser.get(f"{served}/console/rings/ring-browser")
    assert browser.find_element(By.CSS_SELECTOR, "#graph svg")
    browser.find_element(By.CSS_SELECTOR, "#bulk-preview select[name=category]").send_keys(
        "sexual_services"
    )
    browser.find_element(By.ID, "preview").click()
    assert len(browser.find_elements(By.CSS_SELECTOR, "#plan tr")) == 6
    browser.find_element(By.ID, "confirm").click()  # refused by the browser: not ticked
    assert not browser.find_elements(By.ID, "applied")
    browser.find_element(By.ID, "confirm-check").click()
    browser.find_element(By.ID, "confirm").click()
    assert "batch-" in browser.find_element(By.ID, "applied").text
    assert not [
        entry
        for entry in browser.get_log("browser")
        if entry["level"] == "SEVERE" and "Content Security Policy" in entry["message"]
    ], "nothing on the console breaks its own Content-Security-Policy"

"""A real server (waitress) on a free port and Debian's Chromium driven by Playwright."""
from __future__ import annotations

import os
import shutil
import threading

import pytest

from fazhi_exam import create_app
from fazhi_exam.extensions import db
from tests.conftest import base_config

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


@pytest.fixture(scope="module")
def live_app(tmp_path_factory, sqlite_template):
    folder = tmp_path_factory.mktemp("live")
    database = folder / "fazhi_exam.sqlite"
    shutil.copy(sqlite_template, database)
    config = base_config(f"sqlite:///{database}")
    app = create_app(config)
    with app.app_context():
        from fazhi_exam.accounts.demo import seed_demo

        seed_demo()
        db.session.commit()
    return app


@pytest.fixture(scope="module")
def live_server(live_app):
    from waitress.server import create_server

    server = create_server(live_app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("FAZHI_REQUIRE_BROWSER"):
            pytest.fail("Chromium is required (FAZHI_REQUIRE_BROWSER) but not installed")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def phone(browser):
    """A 360 px wide phone screen."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=2,
                                  is_mobile=True, has_touch=True, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()

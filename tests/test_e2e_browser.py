"""End to end in a real headless browser: Debian's chromium driven by Playwright.

Starts ``streamlit run app.py`` on a free port with a temporary PLANNER_HOME, loads the page,
solves ``tiny``, moves a building to another site and checks that the KPI cards change and show
deltas. Screenshots go to a temporary folder (``PLANNER_SCREENSHOTS`` keeps them elsewhere, e.g.
``docs/img`` when refreshing the documentation).
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import REPO
from playwright.sync_api import sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
STEP_MS = 30_000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = _free_port()
    env = {
        **os.environ,
        "PLANNER_HOME": str(tmp_path_factory.mktemp("home")),
        "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
    }
    log = tmp_path_factory.mktemp("log") / "streamlit.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                str(REPO / "app.py"),
                "--server.headless",
                "true",
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
                "--server.fileWatcherType",
                "none",
            ],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as reply:
                    if reply.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"streamlit did not start:\n{log.read_text()}")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    chosen = os.environ.get("PLANNER_SCREENSHOTS")
    folder = Path(chosen) if chosen else tmp_path_factory.mktemp("shots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _cards(page) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """KPI card label -> value (and delta, if shown) as the browser renders them."""
    out = {}
    for card in page.locator('[data-testid="stMetric"]').all():
        label = card.locator('[data-testid="stMetricLabel"]').inner_text().strip()
        value = card.locator('[data-testid="stMetricValue"]').inner_text().strip()
        delta = card.locator('[data-testid="stMetricDelta"]')
        out[label] = value + (" " + delta.inner_text().strip() if delta.count() else "")
    return out


def _choose(page, label: str, option: str) -> None:  # type: ignore[no-untyped-def]
    """Pick ``option`` (a substring) in the selectbox labelled ``label``."""
    page.get_by_role("combobox", name=label).first.click()
    page.get_by_role("option").filter(has_text=option).first.click()


def test_solve_edit_and_see_new_kpis_in_a_real_browser(server: str, shots: Path) -> None:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: run `bash scripts/install.sh` (installs Debian's chromium)"
        )
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1600})
        page.set_default_timeout(STEP_MS)
        try:
            page.goto(server)
            page.get_by_text("场景摘要").first.wait_for()
            page.get_by_text("最早完成时间（下界）").first.wait_for()
            page.screenshot(path=str(shots / "page-scenario.png"), full_page=True)

            page.get_by_role("link", name="方案", exact=True).click()
            page.get_by_role("button", name="求解").click()
            page.locator('[data-testid="stMetric"]').first.wait_for()
            page.get_by_text("基准：分时错峰").first.wait_for()
            page.locator('[data-testid="stVegaLiteChart"]').first.wait_for()
            time.sleep(1.0)  # let Vega finish drawing before the screenshot
            page.screenshot(path=str(shots / "page-plan.png"), full_page=True)
            solved = _cards(page)
            assert re.match(r"\d\d:\d\d", solved["完成时间"])

            page.get_by_role("tab", name="各采样点").click()
            time.sleep(1.0)
            page.screenshot(path=str(shots / "page-sites.png"), full_page=True)
            page.get_by_role("tab", name="呼叫时间线").click()
            time.sleep(1.0)
            page.screenshot(path=str(shots / "page-timeline.png"), full_page=True)

            page.get_by_role("link", name="修改", exact=True).click()
            page.get_by_text("修改记录（0 条）").wait_for()
            before = _cards(page)
            _choose(page, "改去采样点", "S003")
            page.get_by_role("button", name="应用修改").first.click()
            page.get_by_text("修改记录（1 条）").wait_for()
            page.locator('[data-testid="stMetricDelta"]').first.wait_for()
            time.sleep(1.5)  # the rest of the page finishes its rerun
            after = _cards(page)
            assert after != before
            assert any(" " in v for v in after.values()), after  # at least one delta shown
            page.screenshot(path=str(shots / "page-edit.png"), full_page=True)
        finally:
            browser.close()

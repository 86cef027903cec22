"""The pages in a real browser: Debian's chromium driven by Playwright against a real
``warning serve`` (uvicorn) on loopback, on a store the demo job filled with the bundled
sample.

An analyst logs in, sees the board, finds a red or yellow item in the queue, opens it with
the keyboard, approves it with the keyboard, sees it leave the queue and appear in the audit;
switches to English and back. No page may log a console error or ask another host for
anything. Screenshots of the board, queue, item and material pages go to var/screenshots/.

Locally these tests skip when chromium is missing (``apt-get install chromium
fonts-noto-cjk``); on CI (``CI=true``) they must run.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse
from urllib.request import urlopen

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "var" / "screenshots"
CHROMIUM = os.environ.get("WARNING_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ANALYST, PASSWORD = "analyst", "analyst-password-1"
HOW_TO_RUN = (
    "browser tests need Debian's chromium and Playwright for Python: "
    "apt-get install -y chromium fonts-noto-cjk; pip install playwright (no browser download)"
)


def _need_browser() -> None:
    missing = not Path(CHROMIUM).exists() and shutil.which("chromium") is None
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing = True
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"on CI the browser tests must run: {HOW_TO_RUN}")
        pytest.skip(HOW_TO_RUN)


@dataclass
class Server:
    base: str
    log: Path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _cli(*args: str, env: dict[str, str], stdin: str | None = None) -> None:
    subprocess.run(
        [sys.executable, "-m", "warning.cli", *args],
        env=env,
        cwd=ROOT,
        input=stdin,
        text=True,
        check=True,
        capture_output=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``warning serve --no-scheduler`` on a store the demo filled, with an operator."""
    _need_browser()
    folder = tmp_path_factory.mktemp("browser")
    env = {
        **os.environ,
        "WARNING_DATABASE_URL": f"sqlite:///{folder / 'store.db'}",
        "WARNING_VAR_DIR": str(folder),
    }
    env.pop("WARNING_AS_OF", None)
    _cli("demo", "--no-serve", env=env)
    _cli(
        "users",
        "add",
        ANALYST,
        "--role",
        "operator",
        "--password-stdin",
        env=env,
        stdin=PASSWORD + "\n",
    )
    port = _free_port()
    log = folder / "serve.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "warning.cli", "serve", "--no-scheduler", "--port", str(port)],
            env=env,
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(base, process, log)
        yield Server(base, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def _wait_for(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped: {log.read_text()}")
        try:
            with urlopen(f"{base}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"the server did not come up: {log.read_text()}")


@dataclass
class Watch:
    """What a page did that it must not: console errors, requests to other hosts."""

    errors: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def browser(server: Server) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: object, server: Server) -> Iterator[object]:
    """A fresh browser tab (1366 px wide) that records console errors and foreign requests;
    the test fails if there were any."""
    from playwright.sync_api import Browser, ConsoleMessage, Route

    assert isinstance(browser, Browser)
    context = browser.new_context(viewport={"width": 1366, "height": 860}, locale="zh-CN")
    watch = Watch()

    def guard(route: Route) -> None:
        host = urlparse(route.request.url).hostname
        if host not in ("127.0.0.1", None):
            watch.foreign.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    def console(message: ConsoleMessage) -> None:
        if message.type == "error":
            watch.errors.append(f"{message.text} at {message.location}")

    context.route("**/*", guard)
    tab = context.new_page()
    tab.on("console", console)
    tab.on("pageerror", lambda error: watch.errors.append(f"page error: {error}"))
    yield tab
    context.close()
    assert watch.errors == [], "console errors"
    assert watch.foreign == [], "requests to other hosts"


def _login(page: object, server: Server) -> None:
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    page.goto(f"{server.base}/")
    assert "/login" in page.url  # logged out: sent to the login page
    page.fill("input[name=name]", ANALYST)
    page.fill("input[name=password]", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{server.base}/")


def _shot(page: object, name: str) -> None:
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_an_analyst_approves_a_red_or_yellow_item_with_the_keyboard(
    page: object, server: Server
) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    _login(page, server)
    expect(page.locator("article.tile")).to_have_count(19)
    expect(page.locator("h1")).to_contain_text("预警看板")
    expect(page.locator("article.tile.tile-no_data").first).to_be_visible()
    _shot(page, "board")

    page.click("nav.nav >> text=审核队列")
    rows = page.locator("#queue tbody tr")
    expect(rows.first).to_have_class("row level-row-red selected")  # red first, selected
    levels = rows.evaluate_all("rows => rows.map(r => r.className)")
    assert any("yellow" in level for level in levels)
    _shot(page, "queue")
    page.keyboard.press("j")
    expect(rows.nth(1)).to_have_class("row level-row-yellow selected")
    page.keyboard.press("k")
    expect(rows.first).to_contain_class("selected")
    item_id = rows.first.get_attribute("data-item")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{server.base}/items/{item_id}")
    expect(page.locator(".chart.drawn canvas").first).to_be_visible()
    expect(page.locator("table.indicators tbody tr").first).to_be_visible()
    _shot(page, "item")

    page.keyboard.press("a")
    comment = page.locator('form[data-key="a"] input[name=comment]')
    expect(comment).to_be_focused()
    page.keyboard.type("checked against the exchange's settlement prices")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{server.base}/queue?done=approved&item={item_id}")
    expect(page.locator(".flash")).to_contain_text(f"#{item_id}")
    expect(page.locator(f'#queue tr[data-item="{item_id}"]')).to_have_count(0)

    page.goto(f"{server.base}/items/{item_id}")
    approved = page.locator("tr.audit-approved")
    expect(approved).to_have_count(1)
    expect(approved).to_contain_text(ANALYST)
    expect(approved).to_contain_text("settlement prices")


def test_english_and_back(page: object, server: Server) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    _login(page, server)
    page.click("a.lang")  # "English"
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_contain_text("Board")
    page.click("nav.nav >> text=Review queue")  # remembered without ?lang
    expect(page.locator("h1")).to_contain_text("Review queue")
    expect(page.locator("body")).to_contain_text("New warning")
    page.click("a.lang")  # "中文"
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("h1")).to_contain_text("审核队列")


def test_the_material_page_charts_each_view_and_its_level_timeline(
    page: object, server: Server
) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    _login(page, server)
    page.click("article.tile[data-material=copper] h3 a")
    page.wait_for_url(f"{server.base}/materials/copper")
    expect(page.locator(".chart.drawn canvas").first).to_be_visible()
    _shot(page, "material")
    page.click("nav.views >> text=月度")
    expect(page.locator('nav.views a[aria-current="true"]')).to_have_text("月度")
    expect(page.locator(".chart.drawn canvas").first).to_be_visible()
    with page.expect_download() as download:
        page.click("text=当前视图（CSV）")
    assert download.value.suggested_filename == "copper_copper_shfe_futures_M.csv"


def _drawn(page: object) -> list[str]:
    """The names of the lines the page's chart draws (from ECharts itself)."""
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    names: list[str] = page.evaluate(
        "() => window.echarts.getInstanceByDom(document.querySelector('.chart.drawn'))"
        ".getOption().series.map(s => s.name)"
    )
    return names


def test_the_material_chart_picks_a_range_and_draws_another_series_beside_it(
    page: object, server: Server
) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    _login(page, server)
    page.goto(f"{server.base}/materials/copper")
    expect(page.locator('nav.ranges a[aria-current="true"]')).to_have_text("近三年")
    before = _drawn(page)
    page.click("nav.ranges >> text=近三个月")
    expect(page.locator('nav.ranges a[aria-current="true"]')).to_have_text("近三个月")
    assert "range=3m" in page.url
    expect(page.locator(".chart.drawn canvas").first).to_be_visible()

    overlay = page.locator("select[name=overlay]")
    value = "copper_shfe_futures_weekly"  # weekly means: a value on Mondays only
    name = overlay.locator(f'option[value="{value}"]').inner_text()
    assert name and name not in before
    with page.expect_navigation():
        overlay.select_option(value)  # a changed select submits its form
    assert f"overlay={value}" in page.url and "range=3m" in page.url
    expect(page.locator(".chart.drawn canvas").first).to_be_visible()
    drawn = _drawn(page)
    assert name in drawn and drawn[0] == before[0]
    expect(page.locator('nav.ranges a[aria-current="true"]')).to_have_text("近三个月")

    chart = page.locator(".chart.drawn").first
    box = chart.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + 120)
    page.mouse.move(box["x"] + box["width"] * 0.55, box["y"] + 130)
    # the hovered day's daily value, and the week's mean (its own day) beside it
    tip = chart.locator("div").filter(has_text=name).last
    expect(tip).to_be_visible()
    expect(tip).to_contain_text(before[0])
    expect(tip).to_contain_text("CNY/t")
    _shot(page, "material-overlay")


def test_the_board_is_readable_on_a_phone(page: object, server: Server) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.set_viewport_size({"width": 390, "height": 844})
    _login(page, server)
    expect(page.locator("article.tile")).to_have_count(19)
    overflow = page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, "the board scrolls sideways on a phone"
    _shot(page, "board-phone")


def test_every_page_reads_in_chinese_on_the_demo_and_charts_hover_cleanly(
    page: object, server: Server
) -> None:
    """The Chinese walk of test_web_chinese on the demo's data, in a real browser (the DOM
    after the scripts ran, a chart's tooltip shown); and the API's documentation page."""
    from playwright.sync_api import Page, expect

    from tests.web.test_web_chinese import latin_words

    assert isinstance(page, Page)
    _login(page, server)
    page.goto(f"{server.base}/queue")
    item = page.locator("#queue tbody tr").first.get_attribute("data-item")
    problems = []
    for path in (
        *("/", "/queue", f"/items/{item}", "/materials/copper", "/materials/copper?view=M"),
        "/materials/copper?range=all&overlay=copper_nbs_output",
        *("/feeds", "/deliveries", "/directory", "/audit", "/admin", "/digests"),
    ):
        page.goto(f"{server.base}{path}")
        chart = page.locator(".chart.drawn").first
        if chart.count():
            box = chart.bounding_box()
            assert box is not None
            page.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.3)
            page.mouse.move(box["x"] + box["width"] * 0.7, box["y"] + box["height"] * 0.35)
        problems += [f"{path}: {problem}" for problem in latin_words(page.content())]
    assert not problems, "\n".join(dict.fromkeys(problems))

    page.goto(f"{server.base}/api/v1/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("early warning")
    expect(page.locator(".opblock").first).to_be_visible()

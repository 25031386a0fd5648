"""report.html in a real browser: Debian's chromium driven headless by playwright.

Nothing downloads a browser: ``.ci/run`` installs chromium with apt-get and
the test points playwright at ``/usr/bin/chromium``. Every request that is
not the report file itself is aborted (and recorded: the test fails on
any). A missing chromium fails the test with the command that installs it:
the report is the product, so its test is never skipped.
"""

from __future__ import annotations

import csv
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from reconcile.cli import main

ROOT = Path(__file__).parents[1]
EXAMPLE = ROOT / "examples" / "claims.csv"
CHROMIUM = os.environ.get("RECONCILE_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]

XSS_SCRIPT = "<script>window.__pwned = 'script'</script>"
XSS_IMG = "\"><img src=x onerror=\"window.__pwned='img'\">"
XSS_URL = "javascript:window.__pwned='link'"


def hostile_claims(path: Path) -> Path:
    """The example plus one event whose every text field tries to run code."""
    rows = list(csv.DictReader(EXAMPLE.open(encoding="utf-8")))
    fields = [*rows[0], "url"]
    base = {k: "" for k in fields}
    evil = [
        {**base, "claim_id": "xss-1", "source": XSS_SCRIPT, "figure": "at least 5",
         "category": "killed", "location": XSS_IMG, "country": "Examplestan",
         "event_date": "2025-09-01", "published": "2025-09-01T10:00:00", "outlet": XSS_IMG,
         "quote": XSS_SCRIPT + " " + XSS_IMG, "url": XSS_URL, "hedge": XSS_IMG},
        {**base, "claim_id": "xss-2", "source": XSS_IMG, "figure": "50",
         "category": "killed", "location": XSS_IMG, "country": "Examplestan",
         "event_date": "2025-09-01", "published": "2025-09-02T10:00:00",
         "outlet": "Example Wire", "quote": "javascript:alert(1)",
         "url": " JavaScript:window.__pwned='case'", "relay": XSS_SCRIPT},
        {**base, "claim_id": "xss-3", "source": "Example Wire", "figure": "2",
         "category": "killed", "location": XSS_IMG, "country": "Examplestan",
         "event_date": "2025-09-01", "published": "2025-09-02T11:00:00",
         "outlet": "Example Wire", "quote": "A fine report.",
         "url": "https://example.org/news/1"},
    ]
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        for row in rows + evil:
            writer.writerow({k: row.get(k, "") for k in fields})
    return path


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("browser")
    claims = hostile_claims(tmp / "claims.csv")
    result = CliRunner().invoke(main, ["run", str(claims), "-o", str(tmp / "out"), "-q"])
    assert result.exit_code == 0, result.output
    return tmp / "out" / "report.html"


@pytest.fixture(scope="module")
def n_events(report) -> int:
    return len(list(csv.DictReader((report.parent / "events.csv").open(encoding="utf-8"))))


@pytest.fixture(scope="module")
def browser_page(report, tmp_path_factory):
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.fail(f"chromium not found at {CHROMIUM}: install Debian's package with "
                    "`apt-get update && apt-get install -y chromium` (what .ci/run does), or "
                    "set RECONCILE_CHROMIUM to a chromium binary")
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("profile")
    requests: list[str] = []
    dialogs: list[str] = []
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, args=ARGS, headless=True,
            viewport={"width": 1300, "height": 900})

        def route(r):
            if r.request.url.startswith("file:") and r.request.url.split("#")[0] == \
                    report.as_uri():
                r.continue_()
            else:
                requests.append(r.request.url)
                r.abort()

        context.route("**/*", route)
        page = context.new_page()
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(report.as_uri())
        page.wait_for_selector("body[data-ready='1']", timeout=10_000)
        yield page, requests, dialogs
        context.close()


def rows(page) -> list[list[str]]:
    return page.eval_on_selector_all(
        "#events-body tr", "trs => trs.map(tr => [...tr.cells].map(td => td.textContent))")


HEAD = ["status", "grade", "category", "victims", "place", "dates", "low", "best", "high",
        "confidence", "indep", "basis"]


def col(name: str) -> int:
    return HEAD.index(name)


def number(text: str) -> float:
    return float("inf") if text == "∞" else float(text.replace(",", "") or "nan")


def test_table_lists_every_event(browser_page, n_events):
    page, _, _ = browser_page
    shown = rows(page)
    assert len(shown) == n_events  # the example's events and the hostile one
    assert f"{n_events} of {n_events} events" in page.text_content("#shown")
    # the default order: most in need of a human first, contested on top
    assert shown[0][col("status")] == "contested"


def test_filters(browser_page, n_events):
    page, _, _ = browser_page
    page.fill("#q", "Lakeport")
    assert {r[col("place")] for r in rows(page)} == {"Lakeport, Examplestan"}
    assert len(rows(page)) == 2
    page.fill("#q", "")
    page.select_option("#f-status", "contested")
    assert rows(page) and all(r[col("status")] == "contested" for r in rows(page))
    page.select_option("#f-status", "")
    page.select_option("#f-category", "displaced")
    assert {r[col("category")] for r in rows(page)} == {"displaced"}
    page.select_option("#f-category", "")
    assert len(rows(page)) == n_events


def test_sorting(browser_page):
    page, _, _ = browser_page
    page.click("th[data-key=best] button")
    best = [number(r[col("best")]) for r in rows(page)]
    assert best == sorted(best, reverse=True)
    assert page.get_attribute("th[data-key=best]", "aria-sort") == "descending"
    page.click("th[data-key=best] button")
    best = [number(r[col("best")]) for r in rows(page)]
    assert best == sorted(best)
    page.click("th[data-key=place] button")
    places = [r[col("place")] for r in rows(page)]
    assert places == sorted(places)


def test_event_detail_chart_and_following_the_hierarchy(browser_page, tmp_path):
    from playwright.sync_api import expect

    page, _, _ = browser_page
    page.fill("#q", "Idlib children")
    page.select_option("#f-status", "")
    found = [i for i, r in enumerate(rows(page)) if r[col("dates")] == "2024-12-02"]
    assert len(found) == 1, rows(page)
    page.locator("#events-body tr").nth(found[0]).click()
    page.wait_for_selector("#detail:not([hidden])")
    assert "children" in page.text_content("#detail-title")
    # the chart: an inline SVG drawn by vega, one bar per claim
    assert page.locator("#detail-chart svg").count() == 1
    assert page.locator("#detail-chart svg .mark-rect path, #detail-chart svg path").count() > 0
    # one report: no history chart
    assert page.locator("#detail-history").count() == 0
    # the claim and why it counted
    assert "wh-idlib-children" in page.text_content("#detail")
    page.screenshot(path=str(tmp_path / "detail.png"), full_page=True)
    # follow the hierarchy: the children are part of the White Helmets' toll
    link = page.locator("#detail .hierarchy a").first
    parent_title = link.text_content()
    link.click()
    # polled from outside the page: the report's CSP forbids the eval a string
    # predicate (wait_for_function) needs
    expect(page.locator("#detail-title")).not_to_contain_text("children")
    assert page.text_content("#detail-title") == parent_title
    assert "#event=" in page.url
    # and back down again
    child = page.locator("#detail .hierarchy a").filter(has_text="children").first
    child.click()
    expect(page.locator("#detail-title")).to_contain_text("children")
    page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
    assert (tmp_path / "report.png").stat().st_size > 10_000


def test_hostile_text_never_runs_and_bad_links_are_not_links(browser_page):
    page, requests, dialogs = browser_page
    page.fill("#q", "")
    page.select_option("#f-status", "")
    page.fill("#q", "img src")
    assert len(rows(page)) == 1
    page.locator("#events-body tr").first.click()
    page.wait_for_selector("#detail:not([hidden])")
    detail = page.text_content("#detail")
    assert XSS_SCRIPT in detail and "onerror" in detail  # shown as text
    assert page.evaluate("window.__pwned") is None
    assert page.locator("#detail img, #detail script").count() == 0
    hrefs = page.eval_on_selector_all("a[href]", "as => as.map(a => a.getAttribute('href'))")
    assert all(h.startswith(("#", "https://", "http://")) for h in hrefs), hrefs
    article = page.locator("#detail a", has_text="article")
    assert article.count() == 1
    assert article.get_attribute("href") == "https://example.org/news/1"
    assert article.get_attribute("rel") == "noopener noreferrer"
    assert "address (not a web link): javascript:" in detail
    assert not dialogs
    assert not requests, requests


def test_event_history_is_drawn(browser_page):
    page, _, _ = browser_page
    page.fill("#q", "Lakeport")
    page.select_option("#f-status", "")
    found = [i for i, r in enumerate(rows(page)) if "killed" in " ".join(r)]
    assert found, rows(page)
    page.locator("#events-body tr").nth(found[0]).click()
    page.wait_for_selector("#detail:not([hidden])")
    # the ferry's toll moved with its reports: a second inline SVG, drawn by vega
    assert page.locator("#detail-history svg").count() == 1
    assert page.locator("#detail-history svg path").count() > 0
    assert "How the toll moved" in page.text_content("#detail")

"""Regenerate the README's pictures of report.html (``make screenshot``).

Runs ``reconcile run`` on examples/claims.csv, opens the report in Debian's
chromium (headless, network blocked) and saves two PNGs in docs/: the top of
the report, and one event opened (the capsized ferry: superseded, outside
and consistent claims, an open-ended bar and a hedged figure).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--hide-scrollbars"]


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        subprocess.run([sys.executable, "-m", "reconcile", "run", "examples/claims.csv", "-o",
                        str(out), "-q"], check=True, cwd=ROOT)
        report = out / "report.html"
        with sync_playwright() as p:
            context = p.chromium.launch_persistent_context(
                str(Path(tmp) / "profile"), executable_path=CHROMIUM, args=ARGS, headless=True,
                viewport={"width": 1280, "height": 1000}, device_scale_factor=1)
            context.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:")
                          else r.abort())
            page = context.new_page()
            page.goto(report.as_uri())
            page.wait_for_selector("body[data-ready='1']")
            page.screenshot(path=str(ROOT / "docs" / "report.png"))
            page.fill("#q", "Lakeport")
            row = page.locator("#events-body tr", has_text="killed").first
            row.click()
            page.wait_for_selector("#detail:not([hidden]) svg")
            page.locator("#detail").screenshot(path=str(ROOT / "docs" / "report-event.png"))
            context.close()
    print("wrote docs/report.png and docs/report-event.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

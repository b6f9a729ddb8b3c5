"""Helpers for the real-browser tests: Playwright for Python driving Debian's Chromium.

They run when BROWSER_TESTS=1 (as .ci/run sets it) and are skipped otherwise. Playwright never
downloads a browser: it launches /usr/bin/chromium. Every page a test opens is watched for
Content Security Policy violations, and screenshots go to test-artifacts/.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

# Playwright's sync API runs an event loop in the test's thread; Django's ORM calls from the same
# thread are safe here because nothing else runs in that loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts"
AXE_SOURCE = (Path(__file__).resolve().parent / "vendor" / "axe.min.js").read_text()
CSP_WATCH = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(
    `${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


class Watched:
    """A page plus what went wrong on it: CSP violations and console errors."""

    def __init__(self, page: Any, base_url: str) -> None:
        self.page = page
        self.base_url = base_url
        self.console_errors: list[str] = []
        page.on(
            "console",
            lambda message: (
                self.console_errors.append(message.text) if message.type == "error" else None
            ),
        )

    def go(self, path: str) -> Any:
        response = self.page.goto(self.base_url + path)
        self.page.wait_for_load_state("load")
        return response

    def csp_violations(self) -> list[str]:
        reported = self.page.evaluate("window.__cspViolations || []")
        console = [e for e in self.console_errors if "Content Security Policy" in e]
        return list(reported) + console

    def assert_no_csp_violations(self) -> None:
        violations = self.csp_violations()
        assert violations == [], f"CSP violations on {self.page.url}: {violations}"

    def axe(self) -> list[dict[str, Any]]:
        """Serious and critical accessibility violations on the current page (axe-core)."""
        if not self.page.evaluate("typeof window.axe !== 'undefined'"):
            self.page.evaluate(AXE_SOURCE)
        results = self.page.evaluate(
            """async () => {
                const r = await axe.run(document, {resultTypes: ['violations']});
                return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
            }"""
        )
        return [v for v in results if v["impact"] in ("serious", "critical")]

    def assert_accessible(self) -> None:
        violations = self.axe()
        assert violations == [], f"axe on {self.page.url}: {violations}"

    def check(self, name: str) -> None:
        """The standard checks on a page: no CSP violation, no serious axe finding, a screenshot."""
        self.screenshot(name)
        self.assert_no_csp_violations()
        self.assert_accessible()

    def screenshot(self, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        safe = re.sub(r"[^a-z0-9_-]+", "-", name.lower())
        self.page.screenshot(path=str(ARTIFACTS / f"{safe}.png"), full_page=True)


def watched_page(browser: Any, live_server: Any, **context: Any) -> Iterator[Watched]:
    ctx = browser.new_context(**context)
    ctx.add_init_script(CSP_WATCH)
    page = ctx.new_page()
    page.set_default_timeout(15_000)
    try:
        yield Watched(page, live_server.url)
    finally:
        ctx.close()


def sign_in(watched: Watched, email: str, password: str) -> None:
    watched.go("/accounts/sign-in/")
    watched.page.fill("#id_username", email)
    watched.page.fill("#id_password", password)
    watched.page.get_by_role("button", name="Sign in").click()
    watched.page.wait_for_load_state("load")

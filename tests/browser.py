"""A real headless Chromium (Debian's `chromium`) for the tests that open generated pages, driven by Playwright.

Every request a page makes is recorded; `Browser.open` returns the page and the requests that left the folder
the page belongs to (anything but a file under that folder or a data: URL), and aborts those so nothing
reaches the network. Chromium runs with the flags this machine needs (no sandbox as root, no background
networking) and a new empty profile per launch (Playwright makes one).

When Chromium is missing the tests skip with the reason, except in CI (CI=true), where they fail: .ci/run
installs it.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = Path(__file__).parent / "output" / "screenshots"
"""Where the test run saves a screenshot of each page kind (not committed)."""


def chromium_or_skip() -> str:
    """The Chromium executable; a skip with the reason locally, a failure in CI, when there is none."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        reason = "no chromium on PATH: install Debian's chromium package (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI must have it (.ci/run installs it)")
        pytest.skip(reason)
    return path


@dataclass
class Browser:
    playwright_browser: Any
    requests: list[str] = field(default_factory=list)

    @contextmanager
    def open(
        self, path: Path, folder: Path, *, javascript: bool = True, width: int = 1400, height: int = 1000
    ) -> Iterator[tuple[Any, list[str]]]:
        """Open the file `path`; yield the page and the list (filled as the page loads) of requests that left
        `folder`."""
        context = self.playwright_browser.new_context(java_script_enabled=javascript, viewport={"width": width, "height": height})
        inside = folder.resolve().as_uri() + "/"
        outside: list[str] = []

        def record(request: Any) -> None:
            self.requests.append(request.url)
            if not (request.url.startswith(inside) or request.url.startswith("data:")):
                outside.append(request.url)

        def block(route: Any) -> None:
            if route.request.url.startswith(inside):
                route.continue_()
            else:
                route.abort()

        context.on("request", record)
        context.route("**/*", block)
        page = context.new_page()
        try:
            page.goto(path.resolve().as_uri(), wait_until="load")
            yield page, outside
        finally:
            context.close()


@contextmanager
def launched() -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    executable = chromium_or_skip()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_FLAGS)
        try:
            yield Browser(browser)
        finally:
            browser.close()


def screenshot(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    target = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(target))
    return target

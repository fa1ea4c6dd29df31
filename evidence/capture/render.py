"""Rendering a captured page in headless Chromium whose network is ours alone.

Chromium resolves names and opens connections itself, so the safe fetcher's checks would
not cover anything it fetched on its own (reliability.md SSRF-7). Here it cannot:

* every request the page makes is intercepted (Playwright ``context.route("**/*")``) and
  answered by ``serve``, which fetches through the safe fetcher or refuses; a refused
  request is aborted and logged;
* Chromium is started with a proxy on a loopback port that is bound but never listens
  (every direct connection is refused), with loopback routed through that proxy too
  (``<-loopback>``), and with a resolver that finds no host (``MAP * ~NOTFOUND``), so a
  request that escaped interception (a WebSocket, a browser-internal fetch) goes nowhere;
* service workers are blocked, WebSockets are closed, downloads are refused;
* WebRTC may use only the proxy (so no UDP at all), and a popup's or a worker's requests go
  through the same interception as the page's.

Playwright drives the browser over a pipe, not a socket. The browser runs in its own thread:
Playwright's synchronous API keeps an event loop in the thread that uses it, and Django's
ORM refuses to run in a thread with a running loop.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from django.utils.translation import gettext as _

CHROMIUM_FLAGS: Final = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--disable-domain-reliability",
    "--disable-client-side-phishing-detection",
    "--no-pings",
    # WebRTC opens UDP sockets itself, past request interception and the proxy: allow it
    # only what goes through the proxy (nothing, as the proxy refuses every connection).
    "--webrtc-ip-handling-policy=disable_non_proxied_udp",
    "--disable-features=DnsOverHttps,Translate,OptimizationHints,MediaRouter",
)
MAX_SCREENSHOT_HEIGHT: Final = 16_000
_DROP_HEADERS: Final = frozenset(
    {"content-encoding", "content-length", "transfer-encoding", "connection", "keep-alive"}
)


class RenderUnavailable(Exception):
    """The page could not be rendered (no browser, or it failed); the message says why."""


class Refused(Exception):
    """``serve`` will not answer this request; ``code`` is the fetcher's reason."""

    def __init__(self, code: str, message: str = "") -> None:
        super().__init__(message or code)
        self.code = code
        self.message = message or code


@dataclass(frozen=True)
class BrowserRequest:
    method: str
    url: str
    resource_type: str
    is_navigation: bool
    headers: dict[str, str]


@dataclass(frozen=True)
class Served:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


@dataclass(frozen=True)
class RequestRecord:
    """What became of one request the page made (for the provenance record)."""

    method: str
    url: str
    resource_type: str
    outcome: str
    """``served``, ``refused`` (the fetcher's reason in ``code``), ``failed`` or ``over_limit``."""
    status: int = 0
    code: str = ""

    def as_dict(self) -> dict[str, Any]:
        record: dict[str, Any] = {
            "method": self.method,
            "url": self.url[:2048],
            "resource_type": self.resource_type,
            "outcome": self.outcome,
        }
        if self.status:
            record["status"] = self.status
        if self.code:
            record["code"] = self.code
        return record


@dataclass
class Rendering:
    screenshot: Path
    pdf: Path
    browser: str
    title: str
    viewport: tuple[int, int]
    screenshot_truncated: bool
    requests: list[RequestRecord] = field(default_factory=list)


Serve = Callable[[BrowserRequest], Served]


def _fulfil_headers(headers: list[tuple[str, str]]) -> dict[str, str]:
    merged: dict[str, str] = {}
    for name, value in headers:
        key = name.lower()
        if key in _DROP_HEADERS:
            continue
        if key in merged:
            separator = "\n" if key == "set-cookie" else ", "
            merged[key] = f"{merged[key]}{separator}{value}"
        else:
            merged[key] = value
    return merged


def _closed_port() -> socket.socket:
    """A loopback port that is bound (so no one else takes it) but refuses connections."""
    holder = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    holder.bind(("127.0.0.1", 0))
    return holder


def chromium_args(proxy_port: int) -> list[str]:
    return [
        *CHROMIUM_FLAGS,
        f"--proxy-server=http://127.0.0.1:{proxy_port}",
        "--proxy-bypass-list=<-loopback>",
        "--host-resolver-rules=MAP * ~NOTFOUND",
    ]


class _Router:
    """Answers every request the page makes through ``serve``, and records what became of it.

    Playwright calls it on the one thread that drives the browser.
    """

    def __init__(self, serve: Serve, max_requests: int) -> None:
        self.serve = serve
        self.max_requests = max_requests
        self.records: list[RequestRecord] = []
        self.navigated = False
        self.main_frame: Any = None
        """The captured page's top frame, set once the page exists."""

    def _leaves_the_page(self, request: Any) -> bool:
        """Whether ``request`` navigates the captured page's top frame.

        A popup's first request, and a worker's, have no frame yet (Playwright raises when
        asked for it): they are not the captured page and go through ``serve`` like any other.
        """
        from playwright.sync_api import Error as PlaywrightError

        if not request.is_navigation_request():
            return False
        try:
            frame = request.frame
        except PlaywrightError:
            return False
        return self.main_frame is None or frame == self.main_frame

    def __call__(self, route: Any, request: Any) -> None:
        method, target, kind = request.method, request.url, request.resource_type
        if self._leaves_the_page(request):
            if self.navigated:
                # The page tries to leave (a script, a meta refresh): what was captured
                # stays on screen. A 204 answer ends a navigation without leaving the page
                # and without an error page.
                self.records.append(
                    RequestRecord(method, target, kind, "refused", code="navigation")
                )
                route.fulfill(status=204, body=b"")
                return
            self.navigated = True
        if len(self.records) >= self.max_requests:
            self.records.append(RequestRecord(method, target, kind, "over_limit"))
            route.abort("blockedbyclient")
            return
        if not target.lower().startswith(("http://", "https://")):
            self.records.append(
                RequestRecord(method, target, kind, "refused", code="scheme_not_allowed")
            )
            route.abort("blockedbyclient")
            return
        try:
            served = self.serve(
                BrowserRequest(
                    method=method,
                    url=target,
                    resource_type=kind,
                    is_navigation=request.is_navigation_request(),
                    headers=dict(request.headers),
                )
            )
        except Refused as exc:
            self.records.append(RequestRecord(method, target, kind, "refused", code=exc.code))
            route.abort("blockedbyclient")
            return
        except Exception as exc:
            self.records.append(
                RequestRecord(method, target, kind, "failed", code=type(exc).__name__)
            )
            route.abort("failed")
            return
        self.records.append(RequestRecord(method, target, kind, "served", status=served.status))
        route.fulfill(
            status=served.status, headers=_fulfil_headers(served.headers), body=served.body
        )


def _launch(playwright: Any, *, executable: str, proxy_port: int) -> Any:
    from playwright.sync_api import Error as PlaywrightError

    try:
        return playwright.chromium.launch(
            executable_path=executable, args=chromium_args(proxy_port), timeout=30_000
        )
    except PlaywrightError as exc:
        raise RenderUnavailable(
            _("Chromium could not be started: %(error)s")
            % {"error": str(exc).splitlines()[0][:300]}
        ) from None


def _open_page(
    browser: Any, *, url: str, router: _Router, viewport: tuple[int, int], timeout_s: int
) -> Any:
    """A page of ``url`` in a fresh context whose network is ``router``, once it has loaded."""
    from playwright.sync_api import Error as PlaywrightError

    context = browser.new_context(
        service_workers="block",
        accept_downloads=False,
        viewport={"width": viewport[0], "height": viewport[1]},
        ignore_https_errors=False,
    )
    context.set_default_timeout(timeout_s * 1000)
    context.route("**/*", router)
    context.route_web_socket("**/*", lambda ws: ws.close())
    page = context.new_page()
    router.main_frame = page.main_frame
    # Waiting for "load" through goto() would hang when the page starts another
    # navigation meanwhile (answered 204 above): wait for the document instead.
    page.goto(url, wait_until="commit", timeout=timeout_s * 1000)
    page.wait_for_function("document.readyState === 'complete'", timeout=timeout_s * 1000)
    # A page that keeps polling is rendered as it stands.
    with contextlib.suppress(PlaywrightError):
        page.wait_for_load_state("networkidle", timeout=5_000)
    return page


def _screenshot(page: Any, *, workdir: Path, viewport: tuple[int, int]) -> tuple[Path, bool]:
    """The full page as PNG, cut at ``MAX_SCREENSHOT_HEIGHT``; and whether it was cut."""
    height = int(
        page.evaluate(
            "() => Math.max(document.documentElement.scrollHeight,"
            " document.body ? document.body.scrollHeight : 0)"
        )
        or 0
    )
    truncated = height > MAX_SCREENSHOT_HEIGHT
    screenshot = workdir / "screenshot.png"
    if truncated:
        page.screenshot(
            path=str(screenshot),
            full_page=True,
            clip={"x": 0, "y": 0, "width": viewport[0], "height": MAX_SCREENSHOT_HEIGHT},
        )
    else:
        page.screenshot(path=str(screenshot), full_page=True)
    return screenshot, truncated


def _print_pdf(page: Any, *, workdir: Path) -> Path:
    pdf = workdir / "page.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True)
    return pdf


def _render(
    *,
    url: str,
    serve: Serve,
    workdir: Path,
    executable: str,
    timeout_s: int,
    max_requests: int,
    viewport: tuple[int, int],
) -> Rendering:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    router = _Router(serve, max_requests)
    holder = _closed_port()
    try:
        with sync_playwright() as playwright:
            browser = _launch(playwright, executable=executable, proxy_port=holder.getsockname()[1])
            try:
                page = _open_page(
                    browser, url=url, router=router, viewport=viewport, timeout_s=timeout_s
                )
                title = page.title()[:500]
                screenshot, truncated = _screenshot(page, workdir=workdir, viewport=viewport)
                pdf = _print_pdf(page, workdir=workdir)
                version = str(browser.version)
            except PlaywrightError as exc:
                raise RenderUnavailable(
                    _("Chromium could not render the page: %(error)s")
                    % {"error": str(exc).splitlines()[0][:300]}
                ) from None
            finally:
                browser.close()
    finally:
        holder.close()
    return Rendering(
        screenshot=screenshot,
        pdf=pdf,
        browser=f"Chromium {version}",
        title=title,
        viewport=viewport,
        screenshot_truncated=truncated,
        requests=router.records,
    )


def render_page(
    *,
    url: str,
    serve: Serve,
    workdir: Path,
    executable: str,
    timeout_s: int = 45,
    max_requests: int = 300,
    viewport: tuple[int, int] = (1280, 900),
) -> Rendering:
    """Render ``url`` with every request answered by ``serve``; raises ``RenderUnavailable``."""
    if not executable or not Path(executable).is_file():
        raise RenderUnavailable(
            _("Chromium was not found at %(path)s.") % {"path": executable or "-"}
        )
    executor = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="render")
    future = executor.submit(
        _render,
        url=url,
        serve=serve,
        workdir=workdir,
        executable=executable,
        timeout_s=timeout_s,
        max_requests=max_requests,
        viewport=viewport,
    )
    try:
        # Each browser step has its own timeout; this bound covers launch and shutdown too.
        return future.result(timeout=timeout_s * 3 + 60)
    except concurrent.futures.TimeoutError:
        raise RenderUnavailable(_("Chromium did not finish rendering in time.")) from None
    except RenderUnavailable:
        raise
    except Exception as exc:
        raise RenderUnavailable(
            _("Chromium failed: %(error)s") % {"error": f"{type(exc).__name__}: {exc}"[:300]}
        ) from None
    finally:
        executor.shutdown(wait=False, cancel_futures=True)

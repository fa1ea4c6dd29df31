"""The capture browser reaches nothing but the router: no WebRTC UDP, popups and workers too."""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from evidence.models import Capture
from optout.services.blobs import blob_open
from tests.conftest import Team
from tests.evidence.captures.conftest import Site, capture_now, html

pytestmark = pytest.mark.django_db


class UdpListener:
    """A loopback UDP socket that counts every datagram sent to it."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.datagrams = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    @property
    def port(self) -> int:
        return int(self.sock.getsockname()[1])

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.sock.recvfrom(65536)
            except TimeoutError:
                continue
            except OSError:
                return
            self.datagrams += 1

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.sock.close()


@pytest.fixture
def udp_listener() -> Iterator[UdpListener]:
    listener = UdpListener()
    yield listener
    listener.close()


def _provenance_requests(capture: Capture) -> list[dict[str, Any]]:
    assert capture.provenance is not None
    with blob_open(capture.provenance) as handle:
        requests: list[dict[str, Any]] = json.load(handle)["rendering"]["requests"]
    return requests


def test_a_page_using_webrtc_sends_no_udp_packet(
    team: Team, site: Site, udp_listener: UdpListener
) -> None:
    port = udp_listener.port
    # STUN and TURN servers on loopback, a data channel and an offer: with WebRTC's UDP
    # allowed, ICE gathering sends binding requests to the listener within milliseconds.
    site.routes["/rtc"] = html(
        "<p id='state'>waiting</p><script>"
        "const servers = {iceServers: ["
        f"{{urls: 'stun:127.0.0.1:{port}'}},"
        f"{{urls: 'turn:127.0.0.1:{port}?transport=udp', username: 'u', credential: 'p'}}]}};"
        "for (let i = 0; i < 3; i++) {"
        "  try {"
        "    const pc = new RTCPeerConnection(servers);"
        "    pc.createDataChannel('leak');"
        "    pc.createOffer().then((offer) => pc.setLocalDescription(offer))"
        "      .catch(() => null);"
        "  } catch (e) { document.getElementById('state').textContent = 'no webrtc'; }"
        "}"
        "</script>"
        # A stylesheet that answers slowly keeps the page loading while ICE gathers.
        "<link rel='stylesheet' href='/slow.css'>",
        title="RTC",
    )
    site.routes["/slow.css"] = _slow_stylesheet
    capture = capture_now(team.label, team.rights, site.url("/rtc"), purpose="infringing_listing")

    assert capture.status == Capture.Status.DONE, capture.error
    assert capture.rendered is True, capture.render_note
    assert udp_listener.datagrams == 0


def _slow_stylesheet() -> tuple[int, list[tuple[str, str]], bytes]:
    time.sleep(2.0)
    return 200, [("Content-Type", "text/css")], b""


def test_requests_of_a_popup_and_a_worker_go_through_the_same_rules_and_are_recorded(
    team: Team, site: Site, secret_site: Site, caplog: pytest.LogCaptureFixture
) -> None:
    secret = secret_site.url("/secret")
    site.routes["/terms"] = html(
        "<h1>Terms</h1><script>"
        "window.open('/popup', 'pop');"
        f"window.open('{secret}', 'other');"
        "new Worker('/worker.js');"
        "</script><link rel='stylesheet' href='/slow.css'>",
    )
    site.routes["/popup"] = html(f"<p>Popup</p><img src='/popup.png'><img src='{secret}'>")
    site.routes["/popup.png"] = (200, [("Content-Type", "image/png")], b"")
    site.routes["/worker.js"] = (
        200,
        [("Content-Type", "text/javascript")],
        (
            f"fetch('/from-worker.json').catch(() => null); fetch('{secret}').catch(() => null);"
        ).encode(),
    )
    site.routes["/from-worker.json"] = (200, [("Content-Type", "application/json")], b"{}")
    site.routes["/slow.css"] = _slow_stylesheet
    with caplog.at_level(logging.DEBUG):
        capture = capture_now(team.label, team.rights, site.url("/terms"))

    assert capture.status == Capture.Status.DONE, capture.error
    assert capture.rendered is True, capture.render_note
    assert not [r for r in caplog.records if r.exc_info or "Traceback" in r.getMessage()]
    outcomes = {(r["url"], r["outcome"]) for r in _provenance_requests(capture)}
    for path in ("/popup", "/popup.png", "/worker.js", "/from-worker.json"):
        assert (site.url(path), "served") in outcomes, path
    assert secret_site.total_hits == 0
    assert [outcome for url, outcome in outcomes if url == secret] == ["refused"]

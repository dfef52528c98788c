"""The sandbox is safe by default: loud when exposed, deaf to foreign hosts and non-JSON changes."""

from __future__ import annotations

import httpx
import pytest

from mailchimp_sandbox import SandboxServer
from mailchimp_sandbox.guard import control_refusal, host_allowed, is_loopback


def test_a_cross_site_text_plain_reset_is_refused_and_wipes_nothing(sandbox):
    list_id = sandbox.create_list("Keep me")
    # What a form or fetch(..., {mode: "no-cors"}) on any web page can send without a preflight.
    r = httpx.post(
        sandbox.url + "/_sandbox/reset",
        content=b"{}",
        headers={"Content-Type": "text/plain"},
        timeout=10,
    )
    assert r.status_code == 415
    assert "Content-Type: application/json" in r.json()["detail"]
    r = httpx.post(sandbox.url + "/_sandbox/reset", timeout=10)  # no body, no type
    assert r.status_code == 415
    assert list_id in sandbox.api.store.lists


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/_sandbox/lists"),
        ("POST", "/_sandbox/save"),
        ("PUT", "/_sandbox/faults"),
        ("DELETE", "/_sandbox/faults"),
        ("PATCH", "/_sandbox/settings"),
        ("DELETE", "/_sandbox/requests"),
    ],
)
def test_every_state_changing_control_request_must_be_json(sandbox, method, path):
    r = httpx.request(
        method,
        sandbox.url + path,
        content=b"name=x",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        timeout=10,
    )
    assert r.status_code == 415


def test_json_control_requests_and_reads_still_work(sandbox):
    sandbox.create_list("Gone after reset")
    assert httpx.get(sandbox.url + "/_sandbox/health", timeout=10).status_code == 200
    r = httpx.post(
        sandbox.url + "/_sandbox/reset",
        headers={"Content-Type": "application/json; charset=utf-8"},
        timeout=10,
    )
    assert r.json() == {"reset": True}
    assert sandbox.api.store.lists == {}


def test_a_foreign_host_header_is_refused_everywhere(sandbox):
    """DNS rebinding: a page at evil.example resolved to 127.0.0.1 sends Host: evil.example."""
    foreign = {"Host": f"evil.example:{sandbox.port}"}
    r = httpx.get(sandbox.url + "/_sandbox/state", headers=foreign, timeout=10)
    assert r.status_code == 403
    assert "evil.example" in r.json()["detail"]
    r = httpx.post(
        sandbox.url + "/_sandbox/reset",
        headers={**foreign, "Content-Type": "application/json"},
        timeout=10,
    )
    assert r.status_code == 403
    r = httpx.get(sandbox.url + "/3.0/ping", headers=foreign, auth=("x", sandbox.api_key))
    assert r.status_code == 403
    for host in ("localhost", f"localhost:{sandbox.port}", f"127.0.0.1:{sandbox.port}"):
        r = httpx.get(sandbox.url + "/_sandbox/health", headers={"Host": host}, timeout=10)
        assert r.status_code == 200, host


def test_a_host_name_can_be_allowed_explicitly():
    with SandboxServer(allowed_hosts=["sandbox.internal"]) as srv:
        r = httpx.get(
            srv.url + "/_sandbox/health", headers={"Host": "sandbox.internal:80"}, timeout=10
        )
        assert r.status_code == 200
        r = httpx.get(srv.url + "/_sandbox/health", headers={"Host": "other.internal"}, timeout=10)
        assert r.status_code == 403


def test_listening_beyond_loopback_warns_loudly_on_stderr(capfd):
    with SandboxServer(host="127.0.0.1"):
        pass
    assert "WARNING" not in capfd.readouterr().err
    with SandboxServer(host="0.0.0.0"):
        pass
    err = capfd.readouterr().err
    assert "WARNING: the Mailchimp sandbox listens on 0.0.0.0" in err
    assert "not on loopback" in err


def test_the_guard_rules():
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.20")
    assert host_allowed("[::1]:8765", "127.0.0.1")
    assert host_allowed("10.0.0.5:8765", "0.0.0.0")  # an IP address cannot be rebound
    assert host_allowed("app.localhost", "127.0.0.1")
    assert host_allowed("devbox:8765", "devbox")  # the name it was bound to
    assert not host_allowed("localhost.evil.example", "127.0.0.1")
    assert control_refusal("GET", "/_sandbox/state", None) is None
    assert control_refusal("POST", "/3.0/lists", "text/plain") is None  # the API has its own rules
    assert control_refusal("POST", "/_sandbox/reset", "application/problem+json") is None
    assert control_refusal("POST", "/_sandbox/reset", "text/plain") is not None

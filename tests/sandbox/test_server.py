"""The server as a product: lifecycle, persistence, inspection, controls, no PII, the CLI."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sandboxtest_helpers import h, http, new_email

from mailchimp_sandbox import DEMO_API_KEY, SandboxServer, generate_api_key, sandbox_client

REAL_KEY = re.compile(r"[0-9a-f]{32}-us[0-9]+")


def test_keys_have_mailchimps_shape_but_a_fake_data_centre():
    for key in (generate_api_key(), DEMO_API_KEY):
        assert re.fullmatch(r"[0-9a-f]{32}-sandbox", key) and not REAL_KEY.search(key)
    assert generate_api_key() != generate_api_key()


def test_lifecycle_and_url():
    srv = SandboxServer(audiences=["Supporters", {"name": "Volunteers", "double_optin": True}])
    with pytest.raises(RuntimeError, match="not running"):
        srv.url  # noqa: B018
    with srv:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", srv.url)
        lists = sandbox_client(srv).lists.get_all_lists()["lists"]
        assert {(x["name"], x["double_optin"]) for x in lists} == {
            ("Supporters", False),
            ("Volunteers", True),
        }
        volunteers = srv.audience_id("Volunteers")
        srv.create_list("Extra")
        srv.reset()  # back to the start-up audiences, same ids
        assert srv.audience_id("Volunteers") == volunteers
        assert len(srv.dump()["lists"]) == 2
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{srv.port}/3.0/ping", timeout=1)


def test_port_in_use_is_a_clear_error(sandbox):
    with pytest.raises(OSError, match="cannot listen on 127.0.0.1:.*pick another --port"):
        SandboxServer(port=sandbox.port).start()


def test_persistence_round_trip(tmp_path):
    path = tmp_path / "state" / "sandbox.json"
    kept, forgotten = new_email(), new_email()
    with SandboxServer(persist_path=path, audiences=["Demo"], save_interval=0.05) as srv:
        sdk = sandbox_client(srv)
        list_id = srv.audience_id("Demo")
        sdk.lists.set_list_member(
            list_id,
            h(kept),
            {
                "email_address": kept,
                "status_if_new": "subscribed",
                "merge_fields": {"FNAME": "Kim"},
            },
        )
        sdk.lists.update_list_member_tags(
            list_id, h(kept), {"tags": [{"name": "seg:x", "status": "active"}]}
        )
        sdk.lists.set_list_member(
            list_id, h(forgotten), {"email_address": forgotten, "status_if_new": "subscribed"}
        )
        sdk.lists.delete_list_member_permanent(list_id, h(forgotten))
        deadline = time.monotonic() + 3
        while not path.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert path.exists()  # saved while running, not only at stop
        key = srv.api_key
    text = path.read_text()
    assert key not in text and forgotten not in text and h(forgotten) in text
    with SandboxServer(persist_path=path, audiences=["Demo"]) as again:
        assert again.audience_id("Demo") == list_id  # not created twice
        member = sandbox_client(again).lists.get_list_member(list_id, h(kept))
        assert member["merge_fields"]["FNAME"] == "Kim"
        assert [t["name"] for t in member["tags"]] == ["seg:x"]
        assert again.is_forgotten(list_id, forgotten)


def test_corrupt_state_file_is_reported(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text("{not json")
    with pytest.raises(ValueError, match="not a sandbox state file"):
        SandboxServer(persist_path=path)


def test_request_log_counts_and_holds_no_email_or_key(sandbox, sandbox_sdk, sandbox_audience):
    emails = [new_email() for _ in range(3)]
    for email in emails:
        sandbox_sdk.lists.set_list_member(
            sandbox_audience,
            h(email),
            {
                "email_address": email,
                "status_if_new": "subscribed",
                "merge_fields": {"FNAME": "Secret Name"},
            },
        )
    http(sandbox).get(f"/lists/{sandbox_audience}/members/{emails[0]}")  # raw address in path
    sandbox_sdk.lists.get_list_members_info(sandbox_audience)
    log = sandbox.request_log()
    assert log.counts == {
        ("PUT", "/lists/{list_id}/members/{subscriber_hash}"): 3,
        ("GET", "/lists/{list_id}/members/{subscriber_hash}"): 1,
        ("GET", "/lists/{list_id}/members"): 1,
    }
    assert log.count("PUT") == 3 and log.statuses() == {200: 5}
    assert log.entries[0].body["email_address"] == f"md5:{h(emails[0])}"
    assert log.entries[0].body["merge_fields"] == {"FNAME": "<redacted>"}
    dumped = json.dumps(log.to_dict())
    assert "@" not in dumped and sandbox.api_key not in dumped and "Secret" not in dumped
    sandbox.clear_request_log()
    assert sandbox.request_log().entries == []


def test_control_endpoints_over_http(sandbox):
    # State-changing control requests must be JSON (see test_sandbox_safety.py).
    json_type = {"Content-Type": "application/json"}
    with httpx.Client(base_url=sandbox.url + "/_sandbox", timeout=10, headers=json_type) as ctl:
        assert ctl.get("/health").json()["ok"] is True
        created = ctl.post("/lists", json={"name": "Hand made", "double_optin": True}).json()
        list_id = created["id"]
        r = ctl.post(
            f"/lists/{list_id}/members",
            json={
                "email_address": "hand@engage-sandbox.org",
                "status": "unsubscribed",
                "merge_fields": {"FNAME": "Hand"},
                "tags": ["Board member"],
            },
        )
        assert r.status_code == 200
        assert r.json()["unsubscribe_source"] == "self" and r.json()["tags"] == ["Board member"]
        assert (
            ctl.post(
                f"/lists/{list_id}/members",
                json={"email_address": "x@engage-sandbox.org", "merge_fields": {"NOPE": 1}},
            ).status_code
            == 400
        )
        assert (
            ctl.post(
                "/lists/0000000000/members", json={"email_address": "x@engage-sandbox.org"}
            ).status_code
            == 404
        )
        state = ctl.get("/state").json()
        assert [m["email_address"] for m in state["lists"][0]["members"]] == [
            "hand@engage-sandbox.org"
        ]
        assert ctl.put("/faults", json={"rates": {"teapot": 1}}).status_code == 400
        assert ctl.put("/faults", json={"script": ["500"]}).json()["script"] == ["500"]
        assert http(sandbox).get("/ping").status_code == 500
        assert ctl.delete("/faults").json()["script"] == []
        assert ctl.patch("/settings", json={"no_such": 1}).status_code == 400
        assert ctl.patch("/settings", json={"max_page_size": 5}).json()["max_page_size"] == 5
        requests_seen = ctl.get("/requests").json()
        assert {"method": "GET", "endpoint": "/ping", "count": 1} in requests_seen["counts"]
        assert ctl.delete("/requests").json() == {"cleared": True}
        assert ctl.post("/save").status_code == 400  # started without a file
        assert ctl.post("/reset").json() == {"reset": True}
        assert ctl.get("/state").json()["lists"] == []
        assert ctl.get("/settings").json()["max_page_size"] == 1000
        assert ctl.get("/docs").status_code == 200


def _engage() -> str:
    exe = Path(sys.executable).parent / "engage"
    if not exe.exists():
        pytest.skip("the engage console script is not installed in this environment")
    return str(exe)


def test_engage_sandbox_cli(tmp_path):
    state = tmp_path / "demo.json"
    plan = tmp_path / "faults.json"
    plan.write_text(
        json.dumps(
            {
                "latency": 0.01,
                "rates": {"429": 0.0, "500": 0.2},
                "member_errors": {"held@example.org": "compliance"},
            }
        )
    )
    proc = subprocess.Popen(
        [
            _engage(),
            "sandbox",
            "--port",
            "0",
            "--json",
            "--audience",
            "Demo",
            "--persist",
            str(state),
            "--set",
            "batch_op_delay=0.01",
            "--faults",
            str(plan),
            "--fault",
            "500=0",  # a flag overrides the file's entry
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "ENGAGE_SANDBOX_API_KEY": ""},
    )
    try:
        info = json.loads(proc.stdout.readline())
        assert re.fullmatch(r"[0-9a-f]{32}-sandbox", info["api_key"])
        srv_url, key = info["url"], info["api_key"]
        r = httpx.get(srv_url + "/3.0/lists", auth=("u", key), timeout=10)
        assert [x["name"] for x in r.json()["lists"]] == ["Demo"]
        settings = httpx.get(srv_url + "/_sandbox/settings", timeout=10).json()
        assert settings["batch_op_delay"] == 0.01
        faults = httpx.get(srv_url + "/_sandbox/faults", timeout=10).json()
        assert faults["latency"] == 0.01
        assert faults["rates"] == {"429": 0.0, "500": 0.0}
        assert list(faults["member_errors"].values()) == ["compliance"]  # kept as a hash
        assert "held@example.org" not in json.dumps(faults)
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=15)
    assert proc.returncode == 0, err
    assert "Demo" in state.read_text()


def test_engage_sandbox_cli_refuses_bad_options():
    from typer.testing import CliRunner

    from sync.cli.app import app

    result = CliRunner().invoke(app, ["sandbox", "--port", "0", "--fault", "teapot=0.5"])
    assert result.exit_code == 2 and "unknown fault kind 'teapot'" in result.output


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read --faults file"),
        ("{latency: 1", "is not valid JSON"),
        ("[1, 2]", "must hold a JSON object"),
        ('{"latncy": 1}', "unknown fault setting(s): latncy"),
    ],
)
def test_engage_sandbox_cli_explains_a_bad_faults_file(tmp_path, content, message):
    from typer.testing import CliRunner

    from sync.cli.app import app

    path = tmp_path / "faults.json"
    if content is not None:
        path.write_text(content)
    result = CliRunner().invoke(app, ["sandbox", "--port", "0", "--faults", str(path)])
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())

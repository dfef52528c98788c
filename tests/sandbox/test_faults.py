"""Limits and fault injection, seen through the official SDK the way the sync will see them."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import requests
from mailchimp_marketing.api_client import ApiClientError
from sandboxtest_helpers import h, http, new_email, sdk_error

from mailchimp_sandbox import Faults, SandboxServer, sandbox_client


def put_member(sdk, list_id, email):
    return sdk.lists.set_list_member(
        list_id, h(email), {"email_address": email, "status_if_new": "subscribed"}
    )


# ---------------------------------------------------------------------- concurrency


def parallel_pings(srv, keys, n_per_key):
    """n_per_key simultaneous SDK calls per key; returns status codes per key."""
    barrier = threading.Barrier(len(keys) * n_per_key)

    def one(key):
        client = sandbox_client(srv, api_key=key, timeout=10)
        barrier.wait()
        try:
            client.ping.get()
            return 200
        except ApiClientError as exc:
            return exc.status_code

    with ThreadPoolExecutor(max_workers=len(keys) * n_per_key) as pool:
        futures = {key: [pool.submit(one, key) for _ in range(n_per_key)] for key in keys}
        return {key: sorted(f.result() for f in fs) for key, fs in futures.items()}


def test_more_than_10_in_flight_per_key_get_429(sandbox):
    sandbox.set_faults({"latency": 0.5})
    codes = parallel_pings(sandbox, [sandbox.api_key], 12)[sandbox.api_key]
    assert codes == [200] * 10 + [429] * 2
    refused = [e for e in sandbox.request_log().entries if e.status == 429]
    assert len(refused) == 2 and {e.fault for e in refused} == {"concurrency"}
    # the slots are free again once the answers are out
    assert parallel_pings(sandbox, [sandbox.api_key], 10)[sandbox.api_key] == [200] * 10


def test_requests_waiting_on_busy_state_count_as_in_flight_without_injected_latency(
    sandbox, sandbox_audience
):
    """With no latency injected: while the store is busy (the batch worker or a long batch
    subscribe holds its lock), 12 simultaneous reads are all in flight, so 2 are refused at once
    and the other 10 are answered as soon as the store is free."""
    get = lambda: http(sandbox).get(f"/lists/{sandbox_audience}").status_code  # noqa: E731
    with ThreadPoolExecutor(12) as pool:
        with sandbox.api.store.lock:  # the store is busy
            futures = [pool.submit(get) for _ in range(12)]
            deadline = time.monotonic() + 10
            while sum(f.done() for f in futures) < 2 and time.monotonic() < deadline:
                time.sleep(0.01)
            assert sorted(f.result() for f in futures if f.done()) == [429, 429]
            time.sleep(0.2)
            assert sum(f.done() for f in futures) == 2  # the rest wait for the store
        results = sorted(f.result(timeout=10) for f in futures)
    assert results == [200] * 10 + [429] * 2


def test_429_body_and_the_limit_is_per_key():
    keys = [f"{i:032x}-sandbox" for i in (1, 2)]
    with SandboxServer(api_keys=keys, faults={"latency": 0.5}) as srv:
        codes = parallel_pings(srv, keys, 7)
        assert codes == {keys[0]: [200] * 7, keys[1]: [200] * 7}
        srv.update_settings(max_in_flight_per_key=3)
        srv.set_faults({"latency": 0.3})
        with ThreadPoolExecutor(4) as pool:
            responses = list(pool.map(lambda _: http(srv).get("/ping"), range(4)))
        refused = [r for r in responses if r.status_code == 429]
        assert len(refused) == 1
        assert refused[0].json()["detail"] == (
            "You have exceeded the limit of 10 simultaneous connections."
        )
        assert refused[0].json()["title"] == "Too Many Requests"


# ---------------------------------------------------------------------- wire faults


@pytest.mark.parametrize(
    ("kind", "how_the_sdk_reports_it"),
    [
        ("429", "raises 429 with a problem document"),
        ("429_empty", "returns a non-ok Response"),
        ("403_empty", "returns a non-ok Response"),
        ("500", "raises 500 with a problem document"),
        ("500_bare", "returns a non-ok Response"),
        ("502_html", "raises 502 with HTML text"),
    ],
)
def test_injected_answers_in_the_sdks_shapes(
    sandbox, sandbox_sdk, sandbox_audience, kind, how_the_sdk_reports_it
):
    email = new_email()
    sandbox.set_faults({"script": [kind]})
    try:
        result = put_member(sandbox_sdk, sandbox_audience, email)
    except ApiClientError as exc:
        assert how_the_sdk_reports_it.startswith("raises")
        assert str(exc.status_code) == kind[:3]
        if kind == "502_html":
            assert exc.text.startswith("<html>")
        else:
            assert isinstance(exc.text, str) and '"status": ' + kind[:3] in exc.text
    else:
        assert how_the_sdk_reports_it == "returns a non-ok Response"
        assert isinstance(result, requests.Response) and not result.ok
        assert (result.status_code, result.content) == (int(kind[:3]), b"")
        assert "content-type" not in {k.lower() for k in result.headers}
    assert sandbox.member(sandbox_audience, email) is None  # refused before any processing
    assert put_member(sandbox_sdk, sandbox_audience, email)["status"] == "subscribed"
    assert [e.fault for e in sandbox.request_log().entries] == [kind, None]


def test_dropped_connection_before_and_after_processing(sandbox, sandbox_sdk, sandbox_audience):
    before, after = new_email(), new_email()
    sandbox.set_faults({"script": ["drop", "drop_after"]})
    status, doc = sdk_error(put_member, sandbox_sdk, sandbox_audience, before)
    assert status is None and isinstance(doc["exception"], requests.ConnectionError)
    assert sandbox.member(sandbox_audience, before) is None
    status, doc = sdk_error(put_member, sandbox_sdk, sandbox_audience, after)
    assert status is None
    assert sandbox.member(sandbox_audience, after)["status"] == "subscribed"  # a lost answer
    assert [e.status for e in sandbox.request_log().entries] == [None, None]


def test_stall_past_the_client_timeout_still_runs_server_side(sandbox, sandbox_audience):
    email = new_email()
    sandbox.set_faults({"script": ["stall"], "stall_seconds": 0.6})
    sdk = sandbox_client(sandbox, timeout=0.2)
    started = time.monotonic()
    status, doc = sdk_error(put_member, sdk, sandbox_audience, email)
    assert status is None and isinstance(doc["exception"], requests.Timeout)
    assert time.monotonic() - started < 0.6  # gave up before the 0.6 s stall ended
    assert sandbox.member(sandbox_audience, email) is None
    deadline = time.monotonic() + 3
    while sandbox.member(sandbox_audience, email) is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sandbox.member(sandbox_audience, email)["status"] == "subscribed"


def test_a_long_stall_ends_when_the_server_stops():
    with SandboxServer(faults={"rates": {"stall": 1.0}}) as srv:  # default 125 s stall
        sdk = sandbox_client(srv, timeout=0.2)
        assert sdk_error(sdk.ping.get)[0] is None
        results = []
        worker = threading.Thread(
            target=lambda: results.append(
                httpx.get(srv.api_url + "/ping", auth=("u", srv.api_key), timeout=30)
            )
        )
        worker.start()
        time.sleep(0.2)
        started = time.monotonic()
    worker.join(timeout=10)
    assert time.monotonic() - started < 5  # stop() released the stalled requests
    assert results and results[0].status_code == 200


def test_latency_fixed_and_random(sandbox, sandbox_sdk):
    sandbox.set_faults({"latency": 0.15})
    started = time.monotonic()
    sandbox_sdk.ping.get()
    assert time.monotonic() - started >= 0.15
    sandbox.set_faults({"latency_jitter": 0.1, "seed": 3})
    for _ in range(5):
        sandbox_sdk.ping.get()
    durations = [e.duration_ms for e in sandbox.request_log().entries[1:]]
    # Up to 100 ms of jitter each, plus the handler's own time (generous: CI machines are loaded).
    assert all(0 <= d <= 400 for d in durations) and len(set(durations)) == 5


def test_random_rates_are_seeded_and_roughly_right(sandbox, api):
    sandbox.set_faults({"rates": {"429": 0.2, "500_bare": 0.1}, "seed": 7})
    first = [api.get("/ping").status_code for _ in range(300)]
    assert 40 <= first.count(429) <= 80 and 15 <= first.count(500) <= 45
    sandbox.set_faults({"rates": {"429": 0.2, "500_bare": 0.1}, "seed": 7})
    assert [api.get("/ping").status_code for _ in range(300)] == first


def test_faults_can_target_endpoints(sandbox, sandbox_sdk, sandbox_audience):
    sandbox.set_faults({"rates": {"429": 1.0}, "endpoints": ["PUT /lists/{list_id}/members/*"]})
    assert sandbox_sdk.lists.get_list(sandbox_audience)["id"] == sandbox_audience
    status, _ = sdk_error(put_member, sandbox_sdk, sandbox_audience, new_email())
    assert status == 429


def test_forced_errors_for_chosen_members(sandbox, sandbox_sdk, sandbox_audience):
    victim, bystander = new_email(), new_email()
    sandbox.set_faults({"member_errors": {victim: "compliance"}})
    status, doc = sdk_error(put_member, sandbox_sdk, sandbox_audience, victim)
    assert (status, doc["title"]) == (400, "Member In Compliance State")
    assert put_member(sandbox_sdk, sandbox_audience, bystander)["status"] == "subscribed"
    result = sandbox_sdk.lists.batch_list_members(
        sandbox_audience,
        {
            "members": [
                {"email_address": victim, "status": "subscribed"},
                {"email_address": new_email(), "status": "subscribed"},
            ]
        },
    )
    assert (result["total_created"], result["error_count"]) == (1, 1)
    assert result["errors"][0]["email_address"] == victim
    assert victim not in str(sandbox.faults.to_dict())  # kept by hash only


def test_bad_fault_settings_are_refused():
    with pytest.raises(ValueError, match="unknown fault kind"):
        Faults(rates={"teapot": 0.5})
    with pytest.raises(ValueError, match="more than 1"):
        Faults(rates={"429": 0.7, "500": 0.7})
    with pytest.raises(ValueError, match="unknown member error"):
        Faults(member_errors={"a@b.org": "sad"})

"""A first load killed (SIGKILL) at random points: the next runs re-send at most the chunks
that were in flight at each kill, read from the sandbox's request log."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from synctest_helpers import sub_hash, supporter

CHUNK = 10
CONCURRENCY = 4
PEOPLE = 325


def creates_sent(sandbox) -> list[str]:
    """Subscriber hashes of every create (batch subscribe without update_existing) answered or
    not, in request order. A request killed before its body arrived created nobody: the sandbox
    logs it without a body."""
    out = []
    for e in sandbox.request_log().entries:
        body = e.body if isinstance(e.body, dict) else {}
        if (
            e.method == "POST"
            and e.endpoint == "/lists/{list_id}"
            and not body.get("update_existing")
        ):
            members = body.get("members") or []
            out += [str(m.get("email_address", "")).removeprefix("md5:") for m in members]
    return out


def engage_sync(env, sandbox) -> subprocess.Popen:
    cmd = [sys.executable, "-c", "from sync.cli.app import app; app()", "sync", "--db", str(env.db)]
    cmd += ["--manifest", str(env.manifest), "--json"]
    e = {
        **os.environ,
        "MAILCHIMP_API_KEY": sandbox.api_key,
        "ENGAGE_MAILCHIMP_URL": sandbox.url,
        "ENGAGE_SYNC_CHUNK_SIZE": str(CHUNK),
        "ENGAGE_RETRY_WAIT": "0.002",
        "ENGAGE_RETRY_WAIT_MAX": "0.02",
    }
    return subprocess.Popen(
        cmd, env=e, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=Path(env.tmp)
    )


def pushed(env) -> set[str]:
    return {r[0] for r in env.query("select subscriber_hash from engage_sync.pushed_members")}


def test_sigkill_during_a_first_load_resends_at_most_the_chunks_in_flight(env, sandbox):
    env.declare(concurrency=CONCURRENCY)
    people = [supporter(i) for i in range(1, PEOPLE + 1)]
    env.warehouse(people, [])
    sandbox.set_faults({"latency": 0.03, "latency_jitter": 0.03, "seed": 5})
    rng = random.Random(11)
    sent: list[str] = []  # every create sent, over all runs
    in_flight_at_kills = 0  # sent by a killed run and not recorded as pushed after the kill
    kills = 0
    while kills < 5:
        sandbox.clear_request_log()
        before = len(set(sent))
        proc = engage_sync(env, sandbox)
        remaining_chunks = (PEOPLE - len(pushed(env))) // CHUNK
        target = rng.randint(1, max(1, remaining_chunks // 2))
        deadline = time.monotonic() + 60
        while proc.poll() is None and time.monotonic() < deadline:
            if len(creates_sent(sandbox)) >= target * CHUNK:
                break
            time.sleep(0.003)
        time.sleep(rng.random() * 0.05)
        finished = proc.poll() is not None
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        time.sleep(0.2)  # let the sandbox log requests that were mid-way
        this_run = creates_sent(sandbox)
        sent += this_run
        if finished:
            break
        kills += 1
        recorded = pushed(env)
        lost = set(this_run) - recorded
        in_flight_at_kills += len(lost)
        assert len(lost) <= CONCURRENCY * CHUNK, (kills, len(lost), len(recorded), before)
    assert kills >= 3
    sandbox.set_faults(None)
    sandbox.clear_request_log()
    out = env.sync()
    assert out.status == "ok", out.as_dict()
    sent += creates_sent(sandbox)
    want = {sub_hash(p["email"]) for p in people}
    assert set(sent) == want and pushed(env) == want
    resent = len(sent) - len(want)
    # Every create sent twice was in flight at a kill; nothing acknowledged was lost.
    assert resent <= in_flight_at_kills <= kills * CONCURRENCY * CHUNK, (resent, in_flight_at_kills)
    print(f"kills={kills} re-sent creates={resent} in flight at kills={in_flight_at_kills}")

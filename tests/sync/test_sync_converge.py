"""Crash safety: with rate limits, server errors, dropped connections and kills at random
points, the next run converges to exactly the desired state without redoing finished work."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

import pytest
from synctest_helpers import supporter

FAULTS = {
    "rates": {
        "429": 0.2,
        "429_empty": 0.1,
        "500": 0.04,
        "500_bare": 0.03,
        "502_html": 0.03,
        "drop": 0.05,
        "drop_after": 0.05,
    },
    "seed": 7,
}
OWNED = ("seg:", "issue:")


class SimulatedKill(BaseException):
    """Raised from the apply hook: the process dies here (nothing after it runs)."""


def scenario(n: int, version: int) -> tuple[list[dict], list[tuple[str, str, str]]]:
    """A warehouse at `version` 0 or 1: v1 changes fields, segments, opts some people out."""
    rng = random.Random(version)
    people, memberships = [], []
    for i in range(1, n + 1):
        kw = {}
        if version and i % 7 == 0:
            kw["first_name"] = f"Renamed{i}"
        if version and i % 11 == 0:
            kw.update(email_status="unsubscribed", is_emailable=False)
        if version and i % 13 == 0:
            kw.update(district=None)  # leaves the audience (filter), no opt-out
        people.append(supporter(i, **kw))
        for tag in ("seg:a", "seg:b", "issue:housing"):
            if rng.random() < 0.4:
                memberships.append((f"s{i:04d}", tag.split(":")[1], tag))
    return people, memberships


def expected(people, memberships):
    """email -> (status, FNAME, owned tags) for everyone who should be live in Mailchimp."""
    tags: dict[str, set[str]] = {}
    for sid, _seg, tag in memberships:
        tags.setdefault(sid, set()).add(tag)
    out = {}
    for p in people:
        if p["is_emailable"] and p["district"] is not None:
            out[p["email"]] = ("subscribed", p["first_name"], tags.get(p["supporter_id"], set()))
    return out


def assert_converged(env, people, memberships) -> None:
    want = expected(people, memberships)
    members = env.members()
    optouts = {p["email"] for p in people if not p["is_emailable"]}
    for email, (status, fname, tags) in want.items():
        m = members[email]
        assert m["status"] == status, email
        assert m["merge_fields"]["FNAME"] == fname, email
        assert {t for t in m["tags"] if t.startswith(OWNED)} == tags, email
    for email, m in members.items():
        if email in optouts:
            assert m["status"] == "unsubscribed", email
        if email not in want:
            assert not [t for t in m["tags"] if t.startswith(OWNED)], email


def kill_after(k: int, where: str):
    seen = {"n": 0}

    def hook(step: str, phase: str) -> None:
        if phase == where:
            seen["n"] += 1
            if seen["n"] >= k:
                raise SimulatedKill(step)

    return hook


@pytest.mark.parametrize("seed", [1, 2])
def test_faults_and_kills_then_next_run_converges(env, sandbox, monkeypatch, seed):
    monkeypatch.setenv("ENGAGE_SYNC_CHUNK_SIZE", "20")
    env.declare(members={"model": "supporters", "filter": "district is not null"})
    v0, v1 = scenario(120, 0), scenario(120, 1)
    env.warehouse(*v0)
    assert env.sync().status == "ok"
    assert_converged(env, *v0)
    env.warehouse(*v1)
    sandbox.set_faults({**FAULTS, "seed": seed})
    rng = random.Random(seed)
    kills = 0
    for _ in range(4):
        hook = kill_after(rng.randint(1, 6), rng.choice(["acknowledged", "committed"]))
        try:
            env.sync(after_chunk=hook, force_reason="test: large change on purpose")
        except SimulatedKill:
            kills += 1
    assert kills >= 3
    sandbox.set_faults(None)
    sandbox.clear_request_log()
    out = env.sync(force_reason="test")
    assert out.status == "ok", out.as_dict()
    assert_converged(env, *v1)
    # Work finished by the killed runs was not redone: the last run planned far less than v1.
    first_plan = env.query(
        "select creates + updates + unsubscribes + tag_adds + tag_removes from "
        "engage_sync.plans order by created_at limit 1 offset 1"
    )[0][0]
    assert out.audiences[0].plan.counts.total < first_plan
    # ... and one more run finds nothing to do and sends no write.
    sandbox.clear_request_log()
    again = env.sync()
    assert again.audiences[0].plan.is_empty
    assert sandbox.request_log().count("POST") == 0


def test_a_run_with_only_faults_completes_or_is_partial_and_the_next_converges(env, sandbox):
    env.warehouse(*scenario(60, 0))
    sandbox.set_faults(
        {
            **FAULTS,
            "rates": {"429": 0.3, "500": 0.05, "502_html": 0.05, "drop": 0.05, "drop_after": 0.05},
        }
    )
    out = env.sync()
    assert out.status in ("ok", "partial")
    retried = sum(out.audiences[0].requests.values())
    assert retried > 3  # faults really happened and were retried
    sandbox.set_faults(None)
    env.sync()
    assert_converged(env, *scenario(60, 0))


def _engage(env, sandbox, extra_env):
    cmd = [
        sys.executable,
        "-c",
        "from sync.cli.app import app; app()",
        "sync",
        "--db",
        str(env.db),
        "--manifest",
        str(env.manifest),
        "--json",
        "--force",
        "kill test",
    ]
    e = {
        **os.environ,
        "MAILCHIMP_API_KEY": sandbox.api_key,
        "ENGAGE_MAILCHIMP_URL": sandbox.url,
        "ENGAGE_RETRY_ATTEMPTS": "15",
        "ENGAGE_RETRY_WAIT": "0.002",
        "ENGAGE_RETRY_WAIT_MAX": "0.02",
        "ENGAGE_RETRY_AFTER_TIMEOUT": "0.02",
        "ENGAGE_REQUEST_TIMEOUT": "5",
        **extra_env,
    }
    return subprocess.Popen(cmd, env=e, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_sigkill_of_engage_sync_at_random_points_converges(env, sandbox):
    """The real thing: `engage sync` in a subprocess, SIGKILLed mid-apply, three times."""
    env.declare(members={"model": "supporters", "filter": "district is not null"})
    v1 = scenario(150, 1)
    env.warehouse(*v1)
    sandbox.set_faults({**FAULTS, "latency": 0.004})
    rng = random.Random(3)
    for attempt in range(3):
        sandbox.clear_request_log()
        proc = _engage(env, sandbox, {"ENGAGE_SYNC_CHUNK_SIZE": "10"})
        target = rng.randint(5, 25)
        deadline = time.monotonic() + 60
        while proc.poll() is None and time.monotonic() < deadline:
            if sandbox.request_log().count("POST") >= target:
                break
            time.sleep(0.005)
        finished = proc.poll() is not None
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        assert not finished, f"run {attempt} ended before the kill: {proc.stderr.read()[-2000:]}"
    sandbox.set_faults(None)
    out = env.sync(force_reason="after kills")
    assert out.status == "ok", out.as_dict()
    assert_converged(env, *v1)
    runs = env.query("select status, count(*) from engage_sync.sync_runs group by 1")
    assert dict(runs).get("running") == 3  # the killed runs are visible as unfinished
    again = env.sync()
    assert again.audiences[0].plan.is_empty

"""Property: from any prior Mailchimp state and any desired state, one pull + sync reaches the
desired state for the fields and tags we own, and leaves everything else as it was."""

from __future__ import annotations

import tempfile
from pathlib import Path

from conftest import SyncEnv
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from synctest_helpers import default_meta

from sync.mailchimp import state
from sync.mailchimp.exposures import load_audiences
from sync.mailchimp.pull import pull_all

POOL = 6
OWNED_TAGS = ("seg:a", "seg:b", "issue:x")
HUMAN_TAGS = ("VIP", "Donor")
OWNED = ("seg:", "issue:")
MERGE_FIELDS = [
    {"column": "first_name", "tag": "FNAME", "type": "text"},
    {"column": "district", "tag": "DISTRICT", "type": "text"},
]


def email(i: int) -> str:
    return f"member{i}@campaign-mail.net"


person = st.fixed_dictionaries(
    {
        "present": st.booleans(),
        "status": st.sampled_from(["subscribed", "subscribed", "unsubscribed", "unknown"]),
        "district": st.sampled_from([None, "D1", "D2"]),
        "fname": st.sampled_from(["Ann", "Bo", "Cy"]),
        "tags": st.sets(st.sampled_from(OWNED_TAGS)),
    }
)
hand = st.fixed_dictionaries(
    {
        "status": st.sampled_from([None, None, "unsubscribed", "cleaned", "archived"]),
        "human_tags": st.sets(st.sampled_from(HUMAN_TAGS)),
        "phone": st.sampled_from([None, "555-0101"]),
        "owned_tags": st.one_of(st.none(), st.sets(st.sampled_from(OWNED_TAGS))),
        "fname": st.sampled_from([None, "Hand"]),
    }
)


def warehouse_rows(people):
    sups, mems = [], []
    for i, p in enumerate(people):
        if not p["present"]:
            continue
        sid = f"s{i}"
        sups.append(
            {
                "supporter_id": sid,
                "email": email(i),
                "first_name": p["fname"],
                "last_name": None,
                "email_status": p["status"],
                "is_emailable": p["status"] == "subscribed",
                "district": p["district"],
                "postcode": None,
                "score": None,
                "last_action": None,
            }
        )
        mems += [(sid, t.split(":")[1], t) for t in sorted(p["tags"])]
    return sups, mems


def snapshot(env):
    return (
        {e: m for e, m in env.members().items()}
        if env.query("select count(*) from engage_sync.audiences")[0][0]
        else {}
    )


def apply_hand_edits(env, sandbox, edits, reconcile):
    aid = env.audience_id()
    before = snapshot(env)
    for i, h in enumerate(edits):
        m = before.get(email(i))
        if m is None and not (h["human_tags"] or h["status"]):
            continue
        status = h["status"] or (m["status"] if m else "subscribed")
        tags = set(m["tags"]) if m else set()
        tags = {t for t in tags if t not in HUMAN_TAGS} | set(h["human_tags"])
        fields = dict(m["merge_fields"]) if m else {}
        if h["phone"]:
            fields["PHONE"] = h["phone"]
        if reconcile:  # drift in what we own: only --reconcile can see and repair it
            if h["owned_tags"] is not None:
                tags = {t for t in tags if not t.startswith(OWNED)} | set(h["owned_tags"])
            if h["fname"]:
                fields["FNAME"] = h["fname"]
        elif m is None:
            tags = {t for t in tags if not t.startswith(OWNED)}
        sandbox.add_member(aid, email(i), status, merge_fields=fields, tags=sorted(tags))


def check(before, after, people1, reconcile, ours):
    """`ours`: addresses the first sync put in Mailchimp (in the pushed state)."""
    for i, p in enumerate(people1):
        e = email(i)
        b, a = before.get(e), after.get(e)
        if b is not None and b["status"] == "archived" and e in ours and not reconcile:
            # Archived by staff after we wrote them: left alone until --reconcile.
            assert a == b, e
            continue
        optout = p["present"] and p["status"] == "unsubscribed"
        desired = p["present"] and p["status"] == "subscribed" and p["district"] is not None
        blocked = b is not None and b["status"] in ("unsubscribed", "cleaned")
        if b is None and not desired:
            assert a is None, e
            continue
        assert a is not None, e
        # Everything we do not own is exactly as it was.
        if b is not None:
            assert {t for t in a["tags"] if not t.startswith(OWNED)} == {
                t for t in b["tags"] if not t.startswith(OWNED)
            }, e
            assert a["merge_fields"].get("PHONE") == b["merge_fields"].get("PHONE"), e
        # Opt-outs win: never re-subscribed; warehouse opt-outs propagated.
        if blocked:
            assert a["status"] == b["status"], e
        owned_tags = {t for t in a["tags"] if t.startswith(OWNED)}
        if desired and not blocked:
            if b is not None and b["status"] in ("subscribed", "pending"):
                assert a["status"] == b["status"], e
            else:
                assert a["status"] == "subscribed", e
            assert a["merge_fields"].get("FNAME") == p["fname"], e
            assert a["merge_fields"].get("DISTRICT") == p["district"], e
            assert owned_tags == set(p["tags"]), e
        else:
            if optout and b["status"] in ("subscribed", "pending"):
                assert a["status"] == "unsubscribed", e
            elif not blocked:
                assert a["status"] == b["status"], e
            if b["status"] == "archived":  # not in the audience: left as it is
                assert a["tags"] == b["tags"], e
            else:
                assert owned_tags == set(), e
            assert (
                a["merge_fields"] == b["merge_fields"]
                or not p["present"]
                or (a["merge_fields"].get("PHONE") == b["merge_fields"].get("PHONE"))
            ), e


# Bounded and reproducible: 25 derandomized examples of small states; no shrinking phase (each
# example drives a real server, so shrinking can take minutes; the failing case is printed).
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    people0=st.lists(person, min_size=POOL, max_size=POOL),
    people1=st.lists(person, min_size=POOL, max_size=POOL),
    edits=st.lists(hand, min_size=POOL, max_size=POOL),
    reconcile=st.booleans(),
)
def test_sync_reaches_desired_owned_state_and_leaves_the_rest(
    sandbox_server, people0, people1, edits, reconcile
):
    sandbox = sandbox_server
    sandbox.reset()
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        env = SyncEnv(t, sandbox, t / "w.duckdb", t / "m.json", default_meta())
        env.declare(
            merge_fields=MERGE_FIELDS,
            members={"model": "supporters", "filter": "district is not null"},
            safety={
                "max_tag_removals": 10**6,
                "max_unsubscribes": 10**6,
                "max_size_drop_pct": 100,
                "max_tag_removals_pct": 100,
                "max_unsubscribes_pct": 100,
            },
        )
        env.warehouse(*warehouse_rows(people0))
        assert env.sync().status == "ok"
        ours = set(snapshot(env))
        apply_hand_edits(env, sandbox, edits, reconcile)
        before = snapshot(env)
        # The nightly order: pull, then (warehouse unchanged here: it lags) plan and apply.
        con = state.connect(env.db)
        client = env.client()
        try:
            pull_all(con, client, load_audiences(env.manifest), full=True)
        finally:
            con.close()
            client.close()
        env.warehouse(*warehouse_rows(people1))
        out = env.sync(reconcile=reconcile)
        assert out.status == "ok", out.as_dict()
        check(before, snapshot(env), people1, reconcile, ours)
        again = env.sync()
        assert again.audiences[0].plan.is_empty, again.audiences[0].plan

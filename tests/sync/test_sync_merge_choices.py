"""Radio/dropdown merge values are checked against the declared choices before any write:
a value Mailchimp would reject refuses the plan, naming the field, the value and the fix."""

from __future__ import annotations

import json

import pytest
from synctest_helpers import audience, compute_plan, default_meta, make_warehouse, supporter

from sync.errors import PlanError
from sync.jobs.audience_sync import sync_audience
from sync.mailchimp import state
from sync.mailchimp.exposures import load_audiences

WRITES = ("POST", "PUT", "PATCH", "DELETE")
FIELDS = [
    {"column": "first_name", "tag": "FNAME", "type": "text"},
    {"column": "district", "tag": "WARD", "type": "dropdown", "choices": ["D0", "D1", "D2"]},
]


@pytest.fixture
def con(tmp_path):
    c = state.connect(tmp_path / "w.duckdb")
    yield c
    c.close()


def _audience(fields):
    return audience(default_meta(merge_fields=fields))


def test_values_among_the_choices_are_planned(con):
    make_warehouse(con, [supporter(i) for i in range(6)], [])
    summary = compute_plan(con, _audience(FIELDS), "aud1", False)
    assert summary.counts.creates == 6
    created = con.execute(
        "select merge_fields from engage_sync.plan_members where action = 'create'"
    ).fetchall()
    assert {json.loads(mf)["WARD"] for (mf,) in created} == {"D0", "D1", "D2"}


def test_a_value_outside_the_choices_refuses_the_plan_naming_field_value_and_fix(con):
    fields = [FIELDS[0], {**FIELDS[1], "choices": ["D0", "D1"]}]
    make_warehouse(con, [supporter(i) for i in range(6)], [])
    with pytest.raises(PlanError) as err:
        compute_plan(con, _audience(fields), "aud1", False)
    msg = str(err.value)
    assert "WARD" in msg and "'D2' (2 members)" in msg
    assert "add the value to the choices of WARD" in msg
    assert "_mailchimp__exposures.yml" in msg and "engage build" in msg
    assert "@" not in msg  # no address in the message
    assert con.execute("select count(*) from engage_sync.plans").fetchone()[0] == 0


def test_a_value_that_is_an_address_is_never_shown(con):
    """A column mapped by mistake (emails in a dropdown) refuses the plan without printing them."""
    fields = [FIELDS[0], {**FIELDS[1], "choices": ["D0"]}]
    make_warehouse(con, [supporter(1, district="ana@example.org")], [])
    with pytest.raises(PlanError) as err:
        compute_plan(con, _audience(fields), "aud1", False)
    msg = str(err.value)
    assert "WARD" in msg and "not shown" in msg
    assert "ana@example.org" not in msg


def test_an_empty_value_is_not_a_choice_problem(con):
    fields = [FIELDS[0], {**FIELDS[1], "choices": ["D0"]}]
    make_warehouse(con, [supporter(i, district="D0" if i % 2 else None) for i in range(4)], [])
    assert compute_plan(con, _audience(fields), "aud1", False).counts.creates == 4


def test_the_sandbox_gets_nothing_when_a_value_is_outside_the_choices(env):
    env.declare(merge_fields=[FIELDS[0], {**FIELDS[1], "choices": ["D0", "D1"]}])
    env.warehouse([supporter(i) for i in range(5)], [("s0001", "lapsed", "seg:lapsed")])
    env.sandbox.clear_request_log()
    out = env.sync()
    assert out.status == "config", out.as_dict()
    assert "WARD" in out.error and "'D2'" in out.error
    # The audience itself is found (here: created) first; nothing is written into it.
    writes = [e for e in env.sandbox.request_log().entries if e.method in WRITES]
    assert [(e.method, e.endpoint) for e in writes if e.endpoint != "/lists"] == []
    assert env.query("select count(*) from engage_sync.pushed_members")[0][0] == 0
    # Fixed by declaring the choice: the dropdown is created with it and the values arrive.
    env.declare(merge_fields=FIELDS)
    out = env.sync()
    assert out.status == "ok", out.as_dict()
    members = env.members()
    assert {m["merge_fields"]["WARD"] for m in members.values()} == {"D0", "D1", "D2"}
    client = env.client()
    try:
        fields = {f["tag"]: f for f in client.get_merge_fields(env.audience_id())}
    finally:
        client.close()
    assert fields["WARD"]["type"] == "dropdown"
    assert fields["WARD"]["options"]["choices"] == ["D0", "D1", "D2"]


def test_opt_outs_still_go_out_when_a_value_is_outside_the_choices(env):
    """The nightly after a failed build (the dbt choice test fails) pushes opt-outs only:
    the choice check does not hold back an unsubscribe, which carries no merge values."""
    env.declare(merge_fields=FIELDS)
    people = [supporter(i) for i in range(5)]
    env.warehouse(people, [])
    assert env.sync().status == "ok"
    env.declare(merge_fields=[FIELDS[0], {**FIELDS[1], "choices": ["D0", "D1"]}])
    people[1] = supporter(1, email_status="unsubscribed", is_emailable=False)
    env.warehouse(people, [])
    assert env.sync().status == "config"
    [aud] = load_audiences(env.manifest)
    con = state.connect(env.db)
    client = env.client()
    try:
        res = sync_audience(con, client, aud, optouts_only=True)
    finally:
        client.close()
        con.close()
    assert res.status == "partial", res.as_dict()
    assert res.applied is not None and res.applied.done["unsubscribed"] == 1, res.as_dict()
    assert env.members()["person1@campaign-mail.net"]["status"] == "unsubscribed"
    # Nothing but the unsubscribe was written: the values stay as they were.
    assert {m["merge_fields"]["WARD"] for m in env.members().values()} == {"D0", "D1", "D2"}

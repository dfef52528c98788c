"""Third-party readers: `fields` paths from the published schema, ignored query parameters and
inclusive `since_*` filters (what the Singer tap-mailchimp needs; docs/sandbox.md)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from mailchimp_sandbox import partial
from mailchimp_sandbox.api import MailchimpApi

SUBSET = Path(__file__).parent / "contract" / "mailchimp_openapi_subset.json"


def _leaf_paths(tree: partial.Tree, prefix: str = "") -> list[str]:
    out: list[str] = []
    for key, sub in tree.items():
        path = prefix + key
        if key == partial.ANY:
            continue
        out.extend(_leaf_paths(sub, path + ".") if sub else [path])
        if partial.ANY in sub:
            out.append(path)
    return out


def test_shipped_paths_are_derived_from_the_published_schema():
    spec = json.loads(SUBSET.read_text(encoding="utf-8"))
    derived = partial.derive(spec, MailchimpApi().router.endpoints())
    assert partial.shipped_trees() == derived
    members = derived["GET /lists/{list_id}/members"]["members"]
    assert {"last_note", "sms_phone_number", "email_address", "merge_fields"} <= set(members)
    assert members["merge_fields"] == {partial.ANY: {}}  # any merge tag below
    assert "constraints" in derived["GET /lists"]
    assert "constraints" not in derived["GET /lists/{list_id}/members"]


def test_split_knows_schema_paths_and_reports_the_rest():
    schema = {"members": {"email_address": {}, "merge_fields": {partial.ANY: {}}}, "total": {}}
    requested = partial._tree(
        ["members.email_address", "members.merge_fields.FNAME", "members.nope", "constraints"]
    )
    known, unknown = partial.split(requested, schema)
    assert known == {"members": {"email_address": {}, "merge_fields": {"FNAME": {}}}}
    assert sorted(unknown) == ["constraints", "members.nope"]
    # deeper than a scalar, and a branch whose every child is unknown, select nothing
    known, unknown = partial.split(partial._tree(["members.email_address.x", "total"]), schema)
    assert (known, unknown) == ({"total": {}}, ["members.email_address.x"])


def test_every_schema_path_of_members_is_accepted(sandbox, api, sandbox_audience):
    sandbox.add_member(sandbox_audience, "reader@engage-sandbox.org", merge_fields={"FNAME": "R"})
    tree = partial.shipped_trees()["GET /lists/{list_id}/members"]
    paths = _leaf_paths(tree)
    assert "members.last_note.note" in paths and "members.sms_phone_number" in paths
    for path in paths:  # one by one: each is a valid request on its own
        r = api.get(f"/lists/{sandbox_audience}/members", params={"fields": path})
        assert r.status_code == 200, (path, r.text)
    sandbox.update_settings(fields_outside_schema="error")  # strict mode accepts them too
    r = api.get(f"/lists/{sandbox_audience}/members", params={"fields": ",".join(paths)})
    assert r.status_code == 200, r.text
    member = r.json()["members"][0]
    assert member["email_address"] == "reader@engage-sandbox.org"
    assert member["merge_fields"]["FNAME"] == "R"
    # in the schema but never stored by the sandbox: left out, as Mailchimp leaves an unset value
    assert "last_note" not in member and "sms_phone_number" not in member
    r = api.get(
        f"/lists/{sandbox_audience}/members",
        params={"fields": "members.merge_fields.FNAME,members.last_note.note"},
    )
    assert r.json() == {"members": [{"merge_fields": {"FNAME": "R"}}]}


def test_paths_outside_the_schema_are_ignored(sandbox, api, sandbox_audience):
    sandbox.add_member(sandbox_audience, "reader@engage-sandbox.org")
    url = f"/lists/{sandbox_audience}/members"
    # the tap's request: `constraints` exists on GET /lists only, Mailchimp ignores it here
    fields = "members.id,members.last_changed,_links,total_items,constraints,members._links"
    r = api.get(url, params={"fields": fields})
    assert r.status_code == 200 and set(r.json()) == {"members", "_links", "total_items"}
    assert set(r.json()["members"][0]) == {"id", "last_changed", "_links"}
    everything = api.get(url).json()
    assert api.get(url, params={"exclude_fields": "nope,members.nope"}).json() == everything
    assert api.get(url, params={"fields": "nope"}).json() == {}
    sandbox.update_settings(fields_outside_schema="error")
    strict = api.get(url, params={"fields": fields})
    assert (strict.status_code, strict.json()["title"]) == (400, "Requested Fields Invalid")
    assert api.get(url, params={"fields": fields.replace(",constraints", "")}).status_code == 200


def test_unknown_query_parameters_are_ignored(sandbox, api, sandbox_audience):
    sandbox.add_member(sandbox_audience, "reader@engage-sandbox.org")
    odd = {"utm_source": "x", "include_total_contacts": "true", "sort_field": "date_created"}
    assert api.get("/lists", params={**odd, "sort_dir": "ASC"}).json()["total_items"] == 1
    members = api.get(f"/lists/{sandbox_audience}/members", params={"mystery": "1"})
    assert members.status_code == 200 and members.json()["total_items"] == 1
    segments = api.get(f"/lists/{sandbox_audience}/segments", params={"mystery": "1"})
    assert segments.status_code == 200
    assert api.get("/campaigns", params={"status": "sent", "mystery": "1"}).status_code == 200
    assert api.get("/reports", params={"mystery": "1"}).status_code == 200


def test_since_last_changed_is_inclusive_at_stored_resolution(sandbox, api, sandbox_audience):
    second = "2026-05-04T10:20:30+00:00"
    sandbox.add_member(sandbox_audience, "at@engage-sandbox.org", last_changed=second)
    sandbox.add_member(
        sandbox_audience, "before@engage-sandbox.org", last_changed="2026-05-04T10:20:29+00:00"
    )
    url = f"/lists/{sandbox_audience}/members"

    def emails(**query: str) -> list[str]:
        found = api.get(url, params={"count": 100, **query}).json()["members"]
        return sorted(m["email_address"] for m in found)

    assert emails(since_last_changed=second) == ["at@engage-sandbox.org"]
    # a bound finer than the stored second still keeps that second's changes
    assert emails(since_last_changed="2026-05-04T10:20:30.750Z") == ["at@engage-sandbox.org"]
    assert emails(since_last_changed="2026-05-04T10:20:31Z") == []
    assert emails(before_last_changed=second) == ["before@engage-sandbox.org"]
    both = emails(since_last_changed="2026-05-04T10:20:29Z", before_last_changed=second)
    assert both == ["before@engage-sandbox.org"]


def test_a_change_in_the_bookmark_second_is_seen(sandbox, sandbox_sdk, sandbox_audience):
    """The incremental read a reader does: bookmark = newest last_changed, ask again from it."""
    email = "moves@engage-sandbox.org"
    sandbox_sdk.lists.add_list_member(
        sandbox_audience, {"email_address": email, "status": "subscribed"}
    )
    first = sandbox_sdk.lists.get_list_members_info(sandbox_audience, count=1000)
    bookmark = max(m["last_changed"] for m in first["members"])
    sandbox_sdk.lists.update_list_member(
        sandbox_audience, email, {"merge_fields": {"FNAME": "Moved"}}
    )
    again = sandbox_sdk.lists.get_list_members_info(
        sandbox_audience, since_last_changed=bookmark, count=1000
    )
    changed = {m["email_address"]: m for m in again["members"]}
    assert changed[email]["merge_fields"]["FNAME"] == "Moved"
    assert changed[email]["last_changed"] >= bookmark


def test_campaign_and_report_since_filters_are_inclusive(sandbox, api, sandbox_audience):
    sandbox.add_member(sandbox_audience, "reader@engage-sandbox.org")
    created = api.post(
        "/campaigns",
        json={
            "type": "regular",
            "recipients": {"list_id": sandbox_audience},
            "settings": {
                "subject_line": "Reader test",
                "title": "Reader test",
                "from_name": "Org",
                "reply_to": "org@engage-sandbox.org",
            },
        },
    ).json()
    assert api.post(f"/campaigns/{created['id']}/actions/send").status_code == 204
    sent = api.get(f"/campaigns/{created['id']}").json()["send_time"]
    moment = datetime.fromisoformat(sent.replace("Z", "+00:00")).astimezone(UTC)
    for path, key in (("/campaigns", "campaigns"), ("/reports", "reports")):
        at = api.get(path, params={"since_send_time": moment.isoformat()}).json()
        assert [c["id"] for c in at[key]] == [created["id"]], path
        later = (moment + timedelta(seconds=1)).isoformat()
        assert api.get(path, params={"since_send_time": later}).json()[key] == [], path


@pytest.mark.parametrize("value", ["ignore", "error"])
def test_fields_outside_schema_setting(sandbox, value):
    assert sandbox.update_settings(fields_outside_schema=value).fields_outside_schema == value
    with pytest.raises(ValueError):
        sandbox.update_settings(fields_outside_schema="maybe")

"""Member tags and static segments through the SDK: one object, Mailchimp's quirks, limits."""

from __future__ import annotations

from sandboxtest_helpers import h, new_email, sdk_error


def subscribe(sdk, list_id, email, status="subscribed"):
    return sdk.lists.set_list_member(
        list_id, h(email), {"email_address": email, "status_if_new": status}
    )


def tag_names(sdk, list_id, email):
    return sorted(t["name"] for t in sdk.lists.get_list_member_tags(list_id, h(email))["tags"])


def test_member_tags_active_inactive_and_case_insensitive(sandbox, sandbox_sdk, sandbox_audience):
    email = new_email()
    subscribe(sandbox_sdk, sandbox_audience, email)
    sandbox.add_member(sandbox_audience, new_email(), tags=["Volunteer"])  # a human's tag
    r = sandbox_sdk.lists.update_list_member_tags(
        sandbox_audience,
        h(email),
        {
            "tags": [
                {"name": "issue:housing", "status": "active"},
                {"name": "volunteer", "status": "active"},
            ],
            "is_syncing": True,
        },
    )
    assert r.status_code == 204 and r.content == b""
    assert tag_names(sandbox_sdk, sandbox_audience, email) == ["Volunteer", "issue:housing"]
    tags = sandbox_sdk.lists.get_list_member_tags(sandbox_audience, h(email))["tags"]
    assert all(len(t["date_added"]) == 19 and t["date_added"][10] == " " for t in tags)
    sandbox_sdk.lists.update_list_member_tags(
        sandbox_audience, h(email), {"tags": [{"name": "ISSUE:HOUSING", "status": "inactive"}]}
    )
    assert tag_names(sandbox_sdk, sandbox_audience, email) == ["Volunteer"]


def test_tags_post_quirks(sandbox_sdk, sandbox_audience, api):
    email = new_email()
    subscribe(sandbox_sdk, sandbox_audience, email)
    sandbox_sdk.lists.update_list_member_tags(
        sandbox_audience, h(email), {"tags": [{"name": "keep", "status": "active"}]}
    )
    # an empty list cannot remove all tags; a body without the wrapper does nothing
    assert (
        api.post(
            f"/lists/{sandbox_audience}/members/{h(email)}/tags", json={"tags": []}
        ).status_code
        == 204
    )
    r = api.post(
        f"/lists/{sandbox_audience}/members/{h(email)}/tags",
        json=[{"name": "keep", "status": "inactive"}],
    )
    assert r.status_code == 204
    assert tag_names(sandbox_sdk, sandbox_audience, email) == ["keep"]
    status, doc = sdk_error(
        sandbox_sdk.lists.update_list_member_tags,
        sandbox_audience,
        "0" * 32,
        {"tags": [{"name": "x", "status": "active"}]},
    )
    assert (status, doc["title"]) == (404, "Resource Not Found")
    status, doc = sdk_error(
        sandbox_sdk.lists.update_list_member_tags,
        sandbox_audience,
        h(email),
        {"tags": [{"name": "x", "status": "on"}]},
    )
    assert status == 400 and doc["errors"][0]["field"] == "tags.0.status"


def test_static_segment_is_a_tag(sandbox, sandbox_sdk, sandbox_audience):
    sub, unsub, stranger = new_email(), new_email(), new_email()
    subscribe(sandbox_sdk, sandbox_audience, sub)
    sandbox.add_member(sandbox_audience, unsub, "unsubscribed")
    seg = sandbox_sdk.lists.create_segment(
        sandbox_audience, {"name": "seg:lapsed-90d", "static_segment": [sub, unsub, stranger]}
    )
    assert seg["type"] == "static"
    assert seg["member_count"] == 1  # subscribed members only; non-members ignored
    assert tag_names(sandbox_sdk, sandbox_audience, sub) == ["seg:lapsed-90d"]
    assert tag_names(sandbox_sdk, sandbox_audience, unsub) == ["seg:lapsed-90d"]
    member = sandbox_sdk.lists.get_list_member(sandbox_audience, h(sub))
    assert member["tags"] == [{"id": seg["id"], "name": "seg:lapsed-90d"}]
    found = sandbox_sdk.lists.tag_search(sandbox_audience, name="SEG:")
    assert found == {"tags": [{"id": seg["id"], "name": "seg:lapsed-90d"}], "total_items": 1}
    assert sandbox_sdk.lists.tag_search(sandbox_audience, name="lapsed")["total_items"] == 0
    listed = sandbox_sdk.lists.list_segments(sandbox_audience, type="static")
    assert [s["id"] for s in listed["segments"]] == [seg["id"]]
    status, doc = sdk_error(
        sandbox_sdk.lists.create_segment, sandbox_audience, {"name": "SEG:LAPSED-90D"}
    )
    assert status == 400  # one name per tag, case-insensitively
    segment_members = sandbox_sdk.lists.get_segment_members_list(sandbox_audience, seg["id"])
    assert [m["id"] for m in segment_members["members"]] == [h(sub)]
    with_unsub = sandbox_sdk.lists.get_segment_members_list(
        sandbox_audience, seg["id"], include_unsubscribed=True
    )
    assert with_unsub["total_items"] == 2


def test_patch_static_segment_empty_resets(sandbox_sdk, sandbox_audience):
    a, b = new_email(), new_email()
    for email in (a, b):
        subscribe(sandbox_sdk, sandbox_audience, email)
    seg = sandbox_sdk.lists.create_segment(sandbox_audience, {"name": "s", "static_segment": [a]})
    seg = sandbox_sdk.lists.update_segment(
        sandbox_audience, seg["id"], {"name": "s", "static_segment": [b]}
    )
    assert seg["member_count"] == 1 and tag_names(sandbox_sdk, sandbox_audience, a) == []
    seg = sandbox_sdk.lists.update_segment(
        sandbox_audience, seg["id"], {"name": "renamed", "static_segment": []}
    )
    assert (seg["name"], seg["member_count"]) == ("renamed", 0)


def test_batch_add_remove_with_limits_counts_and_errors(sandbox, sandbox_sdk, sandbox_audience):
    members = [new_email() for _ in range(3)]
    for email in members:
        subscribe(sandbox_sdk, sandbox_audience, email)
    seg = sandbox_sdk.lists.create_segment(
        sandbox_audience, {"name": "batch", "static_segment": []}
    )
    stranger = new_email()
    result = sandbox_sdk.lists.batch_segment_members(
        {"members_to_add": [*members, stranger], "members_to_remove": []},
        sandbox_audience,
        seg["id"],
    )
    assert (result["total_added"], result["total_removed"], result["error_count"]) == (3, 0, 1)
    assert result["errors"][0]["email_addresses"] == [stranger]
    assert sorted(m["email_address"] for m in result["members_added"]) == sorted(members)
    result = sandbox_sdk.lists.batch_segment_members(
        {"members_to_remove": members[:1]}, sandbox_audience, seg["id"]
    )
    assert result["total_removed"] == 1
    assert sandbox_sdk.lists.get_segment(sandbox_audience, seg["id"])["member_count"] == 2
    too_many = [f"x{i}@engage-sandbox.org" for i in range(501)]
    status, doc = sdk_error(
        sandbox_sdk.lists.batch_segment_members,
        {"members_to_add": too_many},
        sandbox_audience,
        seg["id"],
    )
    assert status == 400 and doc["errors"][0]["field"] == "members_to_add"
    ok = sandbox_sdk.lists.batch_segment_members(
        {"members_to_add": too_many[:500]}, sandbox_audience, seg["id"]
    )
    assert ok["error_count"] == 500  # at the limit: accepted (none of them are members)


def test_single_segment_member_add_remove_and_delete(sandbox_sdk, sandbox_audience):
    email = new_email()
    subscribe(sandbox_sdk, sandbox_audience, email)
    seg = sandbox_sdk.lists.create_segment(sandbox_audience, {"name": "one", "static_segment": []})
    added = sandbox_sdk.lists.create_segment_member(
        sandbox_audience, seg["id"], {"email_address": email}
    )
    assert added["id"] == h(email)
    assert sandbox_sdk.lists.remove_segment_member(sandbox_audience, seg["id"], h(email)).ok
    status, _ = sdk_error(
        sandbox_sdk.lists.remove_segment_member, sandbox_audience, seg["id"], h(email)
    )
    assert status == 404
    assert sandbox_sdk.lists.delete_segment(sandbox_audience, seg["id"]).status_code == 204
    assert sdk_error(sandbox_sdk.lists.get_segment, sandbox_audience, seg["id"])[0] == 404


def test_saved_segments_are_stored_not_evaluated(sandbox_sdk, sandbox_audience):
    saved = sandbox_sdk.lists.create_segment(
        sandbox_audience,
        {"name": "saved", "options": {"match": "all", "conditions": []}},
    )
    assert (saved["type"], saved["member_count"]) == ("saved", 0)
    status, _ = sdk_error(
        sandbox_sdk.lists.create_segment,
        sandbox_audience,
        {"name": "both", "static_segment": [], "options": {"match": "all", "conditions": []}},
    )
    assert status == 400
    assert sandbox_sdk.lists.tag_search(sandbox_audience)["total_items"] == 0


def test_tag_changes_do_not_move_last_changed_unless_configured(
    sandbox, sandbox_sdk, sandbox_audience
):
    email = new_email()
    sandbox.add_member(sandbox_audience, email, last_changed="2020-01-01T00:00:00+00:00")
    seg = sandbox_sdk.lists.create_segment(sandbox_audience, {"name": "s", "static_segment": []})
    sandbox_sdk.lists.update_list_member_tags(
        sandbox_audience, h(email), {"tags": [{"name": "t", "status": "active"}]}
    )
    sandbox_sdk.lists.batch_segment_members(
        {"members_to_add": [email]}, sandbox_audience, seg["id"]
    )
    assert sandbox.member(sandbox_audience, email)["last_changed"] == "2020-01-01T00:00:00+00:00"
    sandbox.update_settings(tag_changes_touch_last_changed=True)
    sandbox_sdk.lists.batch_segment_members(
        {"members_to_remove": [email]}, sandbox_audience, seg["id"]
    )
    assert sandbox.member(sandbox_audience, email)["last_changed"] > "2020"


def test_archived_members_are_outside_segment_batches(sandbox, sandbox_sdk, sandbox_audience):
    email = new_email()
    sandbox.add_member(sandbox_audience, email, "archived", tags=["seg:kept"])
    seg_id = sandbox_sdk.lists.tag_search(sandbox_audience, name="seg:kept")["tags"][0]["id"]
    result = sandbox_sdk.lists.batch_segment_members(
        {"members_to_remove": [email]}, sandbox_audience, seg_id
    )
    assert (result["total_removed"], result["error_count"]) == (0, 1)
    assert sandbox.member(sandbox_audience, email)["tags"] == ["seg:kept"]

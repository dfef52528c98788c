"""Batch subscribe (`POST /lists/{list_id}`) through the SDK: HTTP 200 with per-member errors."""

from __future__ import annotations

from sandboxtest_helpers import new_email, sdk_error


def batch(sdk, list_id, members, **options):
    query = {
        k: options.pop(k) for k in ("skip_merge_validation", "skip_duplicate_check") if k in options
    }
    return sdk.lists.batch_list_members(list_id, {"members": members, **options}, **query)


def test_creates_and_reports_existing_without_update_existing(sandbox_sdk, sandbox_audience):
    a, b = new_email(), new_email()
    first = batch(
        sandbox_sdk,
        sandbox_audience,
        [
            {"email_address": a, "status": "subscribed", "merge_fields": {"FNAME": "A"}},
            {"email_address": b, "status": "pending"},
        ],
    )
    assert (first["total_created"], first["total_updated"], first["error_count"]) == (2, 0, 0)
    assert {m["status"] for m in first["new_members"]} == {"subscribed", "pending"}
    again = batch(sandbox_sdk, sandbox_audience, [{"email_address": a, "status": "subscribed"}])
    assert again["error_count"] == 1
    assert again["errors"] == [
        {
            "email_address": a,
            "error": f"{a} is already a list member, do you want to update? please provide "
            "update_existing:true in the request body",
            "error_code": "ERROR_CONTACT_EXISTS",
            "field": "",
            "field_message": "",
        }
    ]


def test_update_existing_tags_and_sync_tags(sandbox, sandbox_sdk, sandbox_audience):
    email = new_email()
    sandbox.add_member(sandbox_audience, email, tags=["Human tag"])
    result = batch(
        sandbox_sdk,
        sandbox_audience,
        [
            {
                "email_address": email,
                "status": "subscribed",
                "tags": ["seg:new"],
                "merge_fields": {"LNAME": "Lee"},
            }
        ],
        update_existing=True,
    )
    assert result["total_updated"] == 1
    assert sandbox.member(sandbox_audience, email)["tags"] == ["Human tag", "seg:new"]
    assert sandbox.member(sandbox_audience, email)["merge_fields"]["LNAME"] == "Lee"
    batch(
        sandbox_sdk,
        sandbox_audience,
        [{"email_address": email, "tags": ["seg:only"]}],
        update_existing=True,
        sync_tags=True,
    )
    assert sandbox.member(sandbox_audience, email)["tags"] == ["seg:only"]  # wipes human tags


def test_per_member_errors_with_http_200(sandbox, sandbox_sdk, sandbox_audience):
    sandbox_sdk.lists.add_list_merge_field(
        sandbox_audience, {"name": "Score", "type": "number", "tag": "SCORE"}
    )
    opted_out, forgotten = new_email(), new_email()
    sandbox.add_member(sandbox_audience, opted_out, "unsubscribed")
    sandbox.add_member(sandbox_audience, forgotten)
    sandbox_sdk.lists.delete_list_member_permanent(
        sandbox_audience, sandbox.member(sandbox_audience, forgotten)["id"]
    )
    good = new_email()
    result = batch(
        sandbox_sdk,
        sandbox_audience,
        [
            {"email_address": "nope", "status": "subscribed"},
            {"email_address": "someone@example.com", "status": "subscribed"},
            {"email_address": "postmaster@engage-sandbox.org", "status": "subscribed"},
            {"email_address": opted_out, "status": "subscribed"},
            {"email_address": forgotten, "status": "subscribed"},
            {"email_address": new_email(), "status": "subscribed", "merge_fields": {"SCORE": "x"}},
            {"email_address": good, "status": "subscribed"},
        ],
        update_existing=True,
    )
    assert (result["total_created"], result["error_count"]) == (1, 6)
    assert all(e["error_code"] == "ERROR_GENERIC" for e in result["errors"])
    details = [e["error"] for e in result["errors"]]
    assert details[0] == "Please provide a valid email address."
    assert details[1].endswith("looks fake or invalid, please enter a real email address.")
    assert "role-based" in details[2]
    assert "compliance state" in details[3]
    assert "permanently deleted" in details[4]
    assert (result["errors"][5]["field"], result["errors"][5]["field_message"]) == (
        "SCORE",
        "Please enter a number",
    )
    assert sandbox.member(sandbox_audience, opted_out)["status"] == "unsubscribed"


def test_at_most_500_members(sandbox_sdk, sandbox_audience):
    members = [
        {"email_address": f"m{i}@engage-sandbox.org", "status": "subscribed"} for i in range(501)
    ]
    status, doc = sdk_error(batch, sandbox_sdk, sandbox_audience, members)
    assert status == 400 and doc["errors"][0]["field"] == "members"
    ok = batch(sandbox_sdk, sandbox_audience, members[:500])
    assert ok["total_created"] == 500


def test_duplicates_in_one_request(sandbox, sandbox_sdk, sandbox_audience):
    email = new_email()
    twice = [
        {"email_address": email, "status": "subscribed"},
        {"email_address": email.upper(), "status": "unsubscribed"},
    ]
    result = batch(sandbox_sdk, sandbox_audience, twice)
    assert (result["total_created"], result["error_count"]) == (1, 1)
    other = new_email()
    twice = [
        {"email_address": other, "status": "pending"},
        {"email_address": other, "status": "subscribed"},
    ]
    result = batch(sandbox_sdk, sandbox_audience, twice, skip_duplicate_check=True)
    assert (result["total_created"], result["error_count"]) == (1, 0)
    assert sandbox.member(sandbox_audience, other)["status"] == "pending"  # the first one wins


def test_required_merge_fields_and_skip_merge_validation(sandbox_sdk, sandbox_audience):
    sandbox_sdk.lists.add_list_merge_field(
        sandbox_audience, {"name": "Ward", "type": "text", "tag": "WARD", "required": True}
    )
    member = [{"email_address": new_email(), "status": "subscribed"}]
    result = batch(sandbox_sdk, sandbox_audience, member)
    assert result["errors"][0]["field"] == "WARD"
    result = batch(sandbox_sdk, sandbox_audience, member, skip_merge_validation=True)
    assert result["total_created"] == 1

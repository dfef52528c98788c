"""Members through the official SDK: the status machine and its exact error texts."""

from __future__ import annotations

import hashlib

import pytest
from sandboxtest_helpers import h, http, new_email, sdk_error


def put(sdk, list_id, email, **body):
    return sdk.lists.set_list_member(list_id, h(email), {"email_address": email, **body})


# ---------------------------------------------------------------------- create / upsert


def test_put_creates_with_status_if_new_and_echoes_every_merge_field(sandbox_sdk, sandbox_audience):
    email = new_email()
    m = put(
        sandbox_sdk,
        sandbox_audience,
        email,
        status_if_new="subscribed",
        merge_fields={"FNAME": "Ann", "NOT_A_FIELD": "ignored"},
    )
    assert m["id"] == h(email)
    assert m["status"] == "subscribed"
    assert m["merge_fields"] == {"FNAME": "Ann", "LNAME": "", "ADDRESS": "", "PHONE": ""}
    assert m["source"] == "API - Generic"
    assert m["tags_count"] == 0 and m["tags"] == []
    assert len(m["unique_email_id"]) == 10 and len(m["contact_id"]) == 32
    assert m["timestamp_signup"] == "" and m["last_changed"].endswith("+00:00")


def test_put_without_status_if_new_cannot_create(sandbox_sdk, sandbox_audience):
    status, doc = sdk_error(put, sandbox_sdk, sandbox_audience, new_email(), status="subscribed")
    assert status == 400
    assert doc["title"] == "Invalid Resource"
    assert doc["errors"] == [
        {"field": "", "message": "Required fields were not provided: status_if_new"}
    ]


def test_put_status_if_new_never_overwrites_but_status_does(sandbox_sdk, sandbox_audience):
    email = new_email()
    put(sandbox_sdk, sandbox_audience, email, status_if_new="unsubscribed")
    again = put(sandbox_sdk, sandbox_audience, email, status_if_new="subscribed")
    assert again["status"] == "unsubscribed"
    pending = put(
        sandbox_sdk, sandbox_audience, email, status_if_new="subscribed", status="pending"
    )
    assert pending["status"] == "pending"


def test_post_needs_email_and_status_and_refuses_existing(sandbox_sdk, sandbox_audience):
    status, doc = sdk_error(
        sandbox_sdk.lists.add_list_member, sandbox_audience, {"email_address": new_email()}
    )
    assert status == 400
    assert doc["errors"][0]["message"] == "Required fields were not provided: status"
    email = new_email()
    sandbox_sdk.lists.add_list_member(
        sandbox_audience, {"email_address": email, "status": "subscribed"}
    )
    status, doc = sdk_error(
        sandbox_sdk.lists.add_list_member,
        sandbox_audience,
        {"email_address": email, "status": "subscribed"},
    )
    assert (status, doc["title"]) == (400, "Member Exists")
    assert doc["detail"] == (
        f"{email} is already a list member. Use PUT to insert or update list members."
    )


def test_put_to_another_hash_with_an_existing_email_is_member_exists(sandbox_sdk, sandbox_audience):
    email = new_email()
    put(sandbox_sdk, sandbox_audience, email, status_if_new="subscribed")
    # the classic bug: hashing the address without lower-casing it
    unlowered = hashlib.md5(email.upper().encode()).hexdigest()
    status, doc = sdk_error(
        sandbox_sdk.lists.set_list_member,
        sandbox_audience,
        unlowered,
        {"email_address": email, "status_if_new": "subscribed"},
    )
    assert (status, doc["title"]) == (400, "Member Exists")


def test_tags_count_only_on_create_not_on_put_of_existing(sandbox_sdk, sandbox_audience):
    email = new_email()
    created = sandbox_sdk.lists.add_list_member(
        sandbox_audience, {"email_address": email, "status": "subscribed", "tags": ["a", "b"]}
    )
    assert sorted(t["name"] for t in created["tags"]) == ["a", "b"]
    updated = put(sandbox_sdk, sandbox_audience, email, status_if_new="subscribed", tags=["c"])
    assert sorted(t["name"] for t in updated["tags"]) == ["a", "b"]


@pytest.mark.parametrize(
    ("email", "detail"),
    [
        ("not-an-address", "Please provide a valid email address."),
        (
            "someone@example.com",
            "someone@example.com looks fake or invalid, please enter a real email address.",
        ),
        (
            "john.doe@gmail.com",
            "john.doe@gmail.com looks fake or invalid, please enter a real email address.",
        ),
    ],
)
def test_invalid_and_fake_addresses(sandbox_sdk, sandbox_audience, email, detail):
    status, doc = sdk_error(
        sandbox_sdk.lists.add_list_member,
        sandbox_audience,
        {"email_address": email, "status": "subscribed"},
    )
    assert (status, doc["title"], doc["detail"]) == (400, "Invalid Resource", detail)


def test_role_address_allowed_on_single_add(sandbox_sdk, sandbox_audience):
    m = sandbox_sdk.lists.add_list_member(
        sandbox_audience, {"email_address": "info-desk@engage-sandbox.org", "status": "subscribed"}
    )
    assert m["status"] == "subscribed"
    m = sandbox_sdk.lists.add_list_member(
        sandbox_audience, {"email_address": "admin@engage-sandbox.org", "status": "subscribed"}
    )
    assert m["status"] == "subscribed"


def test_path_accepts_email_and_contact_id_where_documented(sandbox_sdk, sandbox, sandbox_audience):
    email = new_email()
    m = put(sandbox_sdk, sandbox_audience, email, status_if_new="subscribed")
    assert sandbox_sdk.lists.get_list_member(sandbox_audience, m["contact_id"])["id"] == m["id"]
    # via plain HTTP: the SDK mangles paths containing "server", so clients should hash
    with http(sandbox) as client:
        got = client.get(f"/lists/{sandbox_audience}/members/{email.upper()}")
        assert got.status_code == 200 and got.json()["id"] == h(email)
        # delete-permanent and tags do not accept an address
        r = client.post(f"/lists/{sandbox_audience}/members/{email}/actions/delete-permanent")
        assert r.status_code == 404
        r = client.post(f"/lists/{sandbox_audience}/members/{email}/tags", json={"tags": []})
        assert r.status_code == 404


def test_unknown_member_and_list_are_404(sandbox_sdk, sandbox_audience):
    status, doc = sdk_error(sandbox_sdk.lists.get_list_member, sandbox_audience, "f" * 32)
    assert status == 404
    assert (doc["title"], doc["detail"]) == (
        "Resource Not Found",
        "The requested resource could not be found.",
    )
    status, _ = sdk_error(sandbox_sdk.lists.get_list_members_info, "0000000000")
    assert status == 404


# ---------------------------------------------------------------------- status machine


def test_unsubscribe_then_resubscribe_by_api_is_allowed_when_we_unsubscribed(
    sandbox_sdk, sandbox_audience
):
    email = new_email()
    put(sandbox_sdk, sandbox_audience, email, status_if_new="subscribed")
    m = sandbox_sdk.lists.update_list_member(sandbox_audience, h(email), {"status": "unsubscribed"})
    assert m["status"] == "unsubscribed"
    assert m["unsubscribe_reason"] == "N/A (Unsubscribed via the API)"
    again = sandbox_sdk.lists.update_list_member(
        sandbox_audience, h(email), {"status": "subscribed"}
    )
    assert again["status"] == "subscribed"


@pytest.mark.parametrize("status_before", ["unsubscribed", "cleaned"])
def test_resubscribing_an_opted_out_member_is_member_in_compliance_state(
    sandbox, sandbox_sdk, sandbox_audience, status_before
):
    email = new_email()
    sandbox.add_member(sandbox_audience, email, status_before)  # the person unsubscribed / bounced
    for call, args in [
        (sandbox_sdk.lists.update_list_member, ({"status": "subscribed"},)),
        (put, ()),
    ]:
        if call is put:
            status, doc = sdk_error(
                put,
                sandbox_sdk,
                sandbox_audience,
                email,
                status_if_new="subscribed",
                status="subscribed",
            )
        else:
            status, doc = sdk_error(call, sandbox_audience, h(email), *args)
        assert (status, doc["title"]) == (400, "Member In Compliance State")
        assert doc["detail"] == (
            f"{email} is in a compliance state due to unsubscribe, bounce, or compliance "
            "review and cannot be subscribed."
        )
    assert sandbox.member(sandbox_audience, email)["status"] == status_before


def test_pending_is_a_re_opt_in_for_unsubscribed_but_not_for_cleaned(
    sandbox, sandbox_sdk, sandbox_audience
):
    gone, bounced = new_email(), new_email()
    sandbox.add_member(sandbox_audience, gone, "unsubscribed")
    sandbox.add_member(sandbox_audience, bounced, "cleaned")
    m = sandbox_sdk.lists.update_list_member(sandbox_audience, h(gone), {"status": "pending"})
    assert m["status"] == "pending"
    status, doc = sdk_error(
        sandbox_sdk.lists.update_list_member, sandbox_audience, h(bounced), {"status": "pending"}
    )
    assert doc["title"] == "Member In Compliance State"


def test_compliance_switch(sandbox, sandbox_sdk, sandbox_audience):
    email = new_email()
    put(sandbox_sdk, sandbox_audience, email, status_if_new="subscribed")
    sandbox_sdk.lists.update_list_member(sandbox_audience, h(email), {"status": "unsubscribed"})
    sandbox.update_settings(compliance_refusal="all")
    status, doc = sdk_error(
        sandbox_sdk.lists.update_list_member, sandbox_audience, h(email), {"status": "subscribed"}
    )
    assert doc["title"] == "Member In Compliance State"
    sandbox.update_settings(compliance_refusal="none")
    sandbox.add_member(sandbox_audience, email, "unsubscribed", unsubscribe_source="self")
    m = sandbox_sdk.lists.update_list_member(sandbox_audience, h(email), {"status": "subscribed"})
    assert m["status"] == "subscribed"


def test_patch_refuses_transactional(sandbox_sdk, sandbox_audience):
    email = new_email()
    put(sandbox_sdk, sandbox_audience, email, status_if_new="transactional")
    status, doc = sdk_error(
        sandbox_sdk.lists.update_list_member,
        sandbox_audience,
        h(email),
        {"status": "transactional"},
    )
    assert status == 400 and doc["errors"][0]["field"] == "status"


def test_archive_then_get_then_revive(sandbox_sdk, sandbox_audience):
    email = new_email()
    put(sandbox_sdk, sandbox_audience, email, status_if_new="subscribed")
    response = sandbox_sdk.lists.delete_list_member(sandbox_audience, h(email))
    assert response.status_code == 204 and response.content == b""
    assert sandbox_sdk.lists.get_list_member(sandbox_audience, h(email))["status"] == "archived"
    listed = sandbox_sdk.lists.get_list_members_info(sandbox_audience)
    assert listed["total_items"] == 0  # archived are not listed unless asked for
    archived = sandbox_sdk.lists.get_list_members_info(sandbox_audience, status="archived")
    assert archived["total_items"] == 1
    revived = sandbox_sdk.lists.add_list_member(
        sandbox_audience, {"email_address": email, "status": "subscribed"}
    )
    assert revived["status"] == "subscribed"
    sandbox_sdk.lists.delete_list_member(sandbox_audience, h(email))
    revived = put(sandbox_sdk, sandbox_audience, email, status_if_new="subscribed")
    assert revived["status"] == "subscribed"


def test_archived_self_unsubscribed_member_cannot_be_revived_as_subscribed(
    sandbox, sandbox_sdk, sandbox_audience
):
    email = new_email()
    sandbox.add_member(sandbox_audience, email, "unsubscribed")
    sandbox_sdk.lists.delete_list_member(sandbox_audience, h(email))
    status, doc = sdk_error(put, sandbox_sdk, sandbox_audience, email, status_if_new="subscribed")
    assert doc["title"] == "Member In Compliance State"


@pytest.mark.parametrize("status_before", ["pending", "cleaned", "archived"])
def test_archive_refused_for_pending_cleaned_archived(
    sandbox, sandbox_sdk, sandbox_audience, status_before
):
    email = new_email()
    sandbox.add_member(sandbox_audience, email, status_before)
    status, doc = sdk_error(sandbox_sdk.lists.delete_list_member, sandbox_audience, h(email))
    assert (status, doc["title"]) == (405, "Method Not Allowed")
    assert doc["detail"] == (
        "This list member cannot be removed. Can not archive a contact that is bounced, "
        "pending or archived"
    )


def test_delete_permanent_leaves_a_tombstone(sandbox, sandbox_sdk, sandbox_audience):
    email = new_email()
    put(sandbox_sdk, sandbox_audience, email, status_if_new="subscribed")
    response = sandbox_sdk.lists.delete_list_member_permanent(sandbox_audience, h(email))
    assert response.status_code == 204  # the SDK sent the literal body `null`
    assert sandbox.request_log().entries[-1].body is None
    assert sdk_error(sandbox_sdk.lists.get_list_member, sandbox_audience, h(email))[0] == 404
    forgotten = (
        f"{email} was permanently deleted and cannot be re-imported. The contact must "
        "re-subscribe to get back on the list."
    )
    for attempt in (
        lambda: put(sandbox_sdk, sandbox_audience, email, status_if_new="subscribed"),
        lambda: sandbox_sdk.lists.add_list_member(
            sandbox_audience, {"email_address": email, "status": "subscribed"}
        ),
    ):
        status, doc = sdk_error(attempt)
        assert (status, doc["title"], doc["detail"]) == (
            400,
            "Forgotten Email Not Subscribed",
            forgotten,
        )
    assert sandbox.is_forgotten(sandbox_audience, email)
    assert email not in str(sandbox.dump())  # only the hash is kept


def test_email_change_rules(sandbox, sandbox_sdk, sandbox_audience):
    old, new, taken = new_email(), new_email(), new_email()
    put(sandbox_sdk, sandbox_audience, old, status_if_new="subscribed")
    put(sandbox_sdk, sandbox_audience, taken, status_if_new="subscribed")
    status, doc = sdk_error(
        sandbox_sdk.lists.update_list_member, sandbox_audience, h(old), {"email_address": taken}
    )
    assert doc["title"] == "Member Exists"
    moved = sandbox_sdk.lists.update_list_member(sandbox_audience, h(old), {"email_address": new})
    assert moved["id"] == h(new)
    cleaned = new_email()
    sandbox.add_member(sandbox_audience, cleaned, "cleaned")
    status, doc = sdk_error(
        sandbox_sdk.lists.update_list_member,
        sandbox_audience,
        h(cleaned),
        {"email_address": new_email()},
    )
    assert doc["detail"] == (
        'This member\'s status is "cleaned." You can only update email addresses for members '
        'with a status of "subscribed."'
    )


def test_last_changed_moves_only_on_change(sandbox, sandbox_sdk, sandbox_audience):
    email = new_email()
    sandbox.add_member(sandbox_audience, email, last_changed="2020-01-01T00:00:00+00:00")
    same = put(sandbox_sdk, sandbox_audience, email, status_if_new="subscribed")
    assert same["last_changed"] == "2020-01-01T00:00:00+00:00"
    changed = put(
        sandbox_sdk,
        sandbox_audience,
        email,
        status_if_new="subscribed",
        merge_fields={"FNAME": "Zed"},
    )
    assert changed["last_changed"] > "2020-01-01T00:00:00+00:00"


def test_member_shows_at_most_50_tags_with_the_total(sandbox, sandbox_sdk, sandbox_audience):
    email = new_email()
    sandbox.add_member(sandbox_audience, email, tags=[f"t{i:02d}" for i in range(55)])
    m = sandbox_sdk.lists.get_list_member(sandbox_audience, h(email))
    assert (len(m["tags"]), m["tags_count"]) == (50, 55)
    all_tags = sandbox_sdk.lists.get_list_member_tags(sandbox_audience, h(email), count=100)
    assert all_tags["total_items"] == 55 and len(all_tags["tags"]) == 55


# ---------------------------------------------------------------------- reads


def test_paging_status_since_sort_and_fields(sandbox, sandbox_sdk, sandbox_audience, api):
    for i in range(25):
        sandbox.add_member(
            sandbox_audience,
            f"p{i:02d}@engage-sandbox.org",
            last_changed=f"2024-01-{i + 1:02d}T00:00:00+00:00",
        )
    sandbox.add_member(
        sandbox_audience,
        "gone@engage-sandbox.org",
        "unsubscribed",
        last_changed="2024-02-01T00:00:00+00:00",
    )
    first = sandbox_sdk.lists.get_list_members_info(sandbox_audience)
    assert (len(first["members"]), first["total_items"]) == (10, 26)
    page3 = sandbox_sdk.lists.get_list_members_info(sandbox_audience, count=10, offset=20)
    assert len(page3["members"]) == 6
    unsub = sandbox_sdk.lists.get_list_members_info(sandbox_audience, status="unsubscribed")
    assert [m["email_address"] for m in unsub["members"]] == ["gone@engage-sandbox.org"]
    since = sandbox_sdk.lists.get_list_members_info(
        sandbox_audience, since_last_changed="2024-01-20T00:00:00+00:00", count=1000
    )
    assert since["total_items"] == 7  # inclusive: 20..25 January and 1 February
    before = sandbox_sdk.lists.get_list_members_info(
        sandbox_audience, before_last_changed="2024-01-20T00:00:00+00:00", count=1000
    )
    assert before["total_items"] == 19  # exclusive: 1..19 January
    newest = sandbox_sdk.lists.get_list_members_info(
        sandbox_audience,
        sort_field="last_changed",
        sort_dir="DESC",
        count=2,
        fields=["members.email_address", "total_items"],
    )
    assert newest == {
        "members": [
            {"email_address": "gone@engage-sandbox.org"},
            {"email_address": "p24@engage-sandbox.org"},
        ],
        "total_items": 26,
    }
    slim = sandbox_sdk.lists.get_list_members_info(
        sandbox_audience,
        count=1,
        exclude_fields=["members._links", "members.merge_fields", "_links"],
    )
    assert "_links" not in slim and "merge_fields" not in slim["members"][0]
    assert "email_address" in slim["members"][0]
    # count above 1000: the SDK refuses client-side, the sandbox answers 400
    r = api.get(f"/lists/{sandbox_audience}/members", params={"count": 1001})
    assert r.status_code == 400 and r.json()["title"] == "Invalid Resource"
    # a path Mailchimp's schema lacks is ignored, as Mailchimp ignores it ...
    odd = api.get(
        f"/lists/{sandbox_audience}/members", params={"fields": "members.nope,total_items"}
    )
    assert (odd.status_code, odd.json()) == (200, {"total_items": 26})
    # ... unless the strict setting asks for Mailchimp's error
    sandbox.update_settings(fields_outside_schema="error")
    bad = api.get(f"/lists/{sandbox_audience}/members", params={"fields": "members.nope"})
    assert (bad.status_code, bad.json()["title"]) == (400, "Requested Fields Invalid")
    vip = api.get(f"/lists/{sandbox_audience}/members", params={"vip_only": "TRUE"})
    assert vip.json()["total_items"] == 0
    not_bool = api.get(f"/lists/{sandbox_audience}/members", params={"vip_only": "yes"})
    assert not_bool.json()["total_items"] == 26  # anything but true/1 is false


def test_page_size_clamp_setting(sandbox, sandbox_audience, api):
    sandbox.update_settings(page_size_over_limit="clamp", max_page_size=3)
    for i in range(5):
        sandbox.add_member(sandbox_audience, f"c{i}@engage-sandbox.org")
    r = api.get(f"/lists/{sandbox_audience}/members", params={"count": 50})
    assert len(r.json()["members"]) == 3

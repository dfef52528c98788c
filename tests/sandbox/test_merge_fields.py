"""Merge fields through the SDK: defaults, tag rules, cap, immutable type, value validation."""

from __future__ import annotations

import pytest
from sandboxtest_helpers import h, new_email, sdk_error


def add_field(sdk, list_id, **body):
    return sdk.lists.add_list_merge_field(list_id, body)


def test_new_audience_has_mailchimps_default_fields_sorted_by_tag(sandbox_sdk, sandbox_audience):
    fields = sandbox_sdk.lists.get_list_merge_fields(sandbox_audience)["merge_fields"]
    assert [(f["tag"], f["merge_id"], f["type"]) for f in fields] == [
        ("ADDRESS", 3, "address"),
        ("FNAME", 1, "text"),
        ("LNAME", 2, "text"),
        ("PHONE", 4, "phone"),
    ]
    by_tag = {f["tag"]: f for f in fields}
    assert by_tag["ADDRESS"]["options"] == {"default_country": 164}
    assert by_tag["FNAME"]["options"] == {"size": 25}
    assert by_tag["PHONE"]["options"] == {"phone_format": "none"}
    assert sandbox_sdk.lists.get_list(sandbox_audience)["stats"]["merge_field_count"] == 4


def test_tag_rules(sandbox_sdk, sandbox_audience):
    made = add_field(sandbox_sdk, sandbox_audience, name="Ward", type="text", tag="ward_2024")
    assert made["tag"] == "WARD_2024"
    generated = add_field(sandbox_sdk, sandbox_audience, name="No tag", type="text")
    assert generated["tag"] == f"MERGE{generated['merge_id']}"
    for bad in ("TOOLONGTAG11", "BAD-TAG", "EMAIL"):
        status, doc = sdk_error(
            add_field, sandbox_sdk, sandbox_audience, name="x", type="text", tag=bad
        )
        assert (status, doc["title"], doc["errors"][0]["field"]) == (400, "Invalid Resource", "tag")
    status, doc = sdk_error(
        add_field, sandbox_sdk, sandbox_audience, name="x", type="text", tag="Ward_2024"
    )
    assert "already exists" in doc["detail"]
    status, doc = sdk_error(add_field, sandbox_sdk, sandbox_audience, name="x", type="colour")
    assert status == 400 and doc["errors"][0]["field"] == "type"


def test_field_cap(sandbox, sandbox_sdk, sandbox_audience):
    sandbox.update_settings(max_merge_fields=6)
    add_field(sandbox_sdk, sandbox_audience, name="Five", type="text", tag="F5")
    add_field(sandbox_sdk, sandbox_audience, name="Six", type="text", tag="F6")
    status, doc = sdk_error(add_field, sandbox_sdk, sandbox_audience, name="Seven", type="text")
    assert status == 400 and "maximum of 6 merge fields" in doc["detail"]


def test_default_cap_is_30(sandbox_sdk, sandbox_audience):
    for i in range(26):
        add_field(sandbox_sdk, sandbox_audience, name=f"F{i}", type="text", tag=f"F{i}")
    status, doc = sdk_error(add_field, sandbox_sdk, sandbox_audience, name="one more", type="text")
    assert status == 400 and "maximum of 30" in doc["detail"]


def test_type_is_immutable_and_rename_keeps_values(sandbox_sdk, sandbox_audience):
    f = add_field(sandbox_sdk, sandbox_audience, name="Score", type="number", tag="SCORE")
    email = new_email()
    sandbox_sdk.lists.set_list_member(
        sandbox_audience,
        h(email),
        {"email_address": email, "status_if_new": "subscribed", "merge_fields": {"SCORE": 7}},
    )
    status, doc = sdk_error(
        sandbox_sdk.lists.update_list_merge_field,
        sandbox_audience,
        f["merge_id"],
        {"name": "Score", "type": "text"},
    )
    assert status == 400 and doc["errors"][0]["field"] == "type"
    status, doc = sdk_error(
        sandbox_sdk.lists.update_list_merge_field, sandbox_audience, f["merge_id"], {"tag": "PTS"}
    )
    assert doc["errors"][0]["message"] == "Required fields were not provided: name"
    renamed = sandbox_sdk.lists.update_list_merge_field(
        sandbox_audience, f["merge_id"], {"name": "Points", "tag": "PTS"}
    )
    assert (renamed["tag"], renamed["type"]) == ("PTS", "number")
    member = sandbox_sdk.lists.get_list_member(sandbox_audience, h(email))
    assert member["merge_fields"]["PTS"] == 7 and "SCORE" not in member["merge_fields"]
    sandbox_sdk.lists.delete_list_merge_field(sandbox_audience, f["merge_id"])
    member = sandbox_sdk.lists.get_list_member(sandbox_audience, h(email))
    assert "PTS" not in member["merge_fields"]


@pytest.mark.parametrize(
    ("kind", "options", "good", "stored", "bad", "message"),
    [
        ("number", {}, "12.5", 12.5, "twelve", "Please enter a number"),
        (
            "date",
            {},
            "2024/12/31",
            "2024-12-31",
            "2024-13-01",
            "Please enter a valid date",
        ),
        ("birthday", {}, "2/29", "02/29", "13/01", "Please enter a valid birthday (MM/DD)"),
        ("zip", {}, "02134", "02134", "2134", "Please enter a valid zip code"),
        (
            "url",
            {},
            "https://engage.test/x",
            "https://engage.test/x",
            "not a url",
            "Please enter a valid URL",
        ),
        (
            "dropdown",
            {"choices": ["Yes", "No"]},
            "Yes",
            "Yes",
            "Maybe",
            "Please choose one of the field's options",
        ),
        (
            "address",
            {},
            {"addr1": "1 Main St", "city": "Springfield", "state": "IL", "zip": "62701"},
            {
                "addr1": "1 Main St",
                "addr2": "",
                "city": "Springfield",
                "state": "IL",
                "zip": "62701",
                "country": "US",
            },
            {"addr1": "1 Main St"},
            "Please enter a complete address",
        ),
    ],
)
def test_value_validation_per_type(
    sandbox_sdk, sandbox_audience, kind, options, good, stored, bad, message
):
    add_field(sandbox_sdk, sandbox_audience, name=kind, type=kind, tag="FIELD", options=options)
    email = new_email()
    m = sandbox_sdk.lists.set_list_member(
        sandbox_audience,
        h(email),
        {"email_address": email, "status_if_new": "subscribed", "merge_fields": {"FIELD": good}},
    )
    assert m["merge_fields"]["FIELD"] == stored
    status, doc = sdk_error(
        sandbox_sdk.lists.update_list_member,
        sandbox_audience,
        h(email),
        {"merge_fields": {"FIELD": bad}},
    )
    assert (status, doc["title"], doc["detail"]) == (
        400,
        "Invalid Resource",
        "Your merge fields were invalid.",
    )
    assert doc["errors"] == [{"field": "FIELD", "message": message}]
    cleared = sandbox_sdk.lists.update_list_member(
        sandbox_audience, h(email), {"merge_fields": {"FIELD": ""}}
    )
    assert cleared["merge_fields"]["FIELD"] == ""


def test_null_and_booleans_fail_the_schema_and_text_is_truncated(sandbox_sdk, sandbox_audience):
    email = new_email()
    for value in (None, True):
        status, doc = sdk_error(
            sandbox_sdk.lists.set_list_member,
            sandbox_audience,
            h(email),
            {
                "email_address": email,
                "status_if_new": "subscribed",
                "merge_fields": {"FNAME": value},
            },
        )
        assert doc["detail"] == (
            "The resource submitted could not be validated. For field-specific details, see "
            "the 'errors' array."
        )
        assert doc["errors"] == [
            {
                "field": "merge_fields.FNAME",
                "message": "Data did not match any of the schemas described in anyOf.",
            }
        ]
    status, doc = sdk_error(
        sandbox_sdk.lists.set_list_member,
        sandbox_audience,
        h(email),
        {"email_address": email, "status_if_new": "subscribed", "merge_fields": ["x"]},
    )
    assert doc["errors"][0]["message"] == "Schema describes object, array found instead"
    m = sandbox_sdk.lists.set_list_member(
        sandbox_audience,
        h(email),
        {
            "email_address": email,
            "status_if_new": "subscribed",
            "merge_fields": {"FNAME": "é" * 200},
        },
    )
    assert len(m["merge_fields"]["FNAME"].encode()) == 254  # 255 bytes, no split character


def test_required_fields_unless_skip_merge_validation(sandbox_sdk, sandbox_audience):
    add_field(sandbox_sdk, sandbox_audience, name="Ward", type="text", tag="WARD", required=True)
    email = new_email()
    body = {"email_address": email, "status_if_new": "subscribed"}
    status, doc = sdk_error(sandbox_sdk.lists.set_list_member, sandbox_audience, h(email), body)
    assert doc["errors"] == [{"field": "WARD", "message": "Please enter a value"}]
    m = sandbox_sdk.lists.set_list_member(
        sandbox_audience, h(email), body, skip_merge_validation=True
    )
    assert m["merge_fields"]["WARD"] == ""
    # an update that does not mention the field is fine; clearing it is not
    sandbox_sdk.lists.update_list_member(sandbox_audience, h(email), {"vip": True})
    status, doc = sdk_error(
        sandbox_sdk.lists.update_list_member,
        sandbox_audience,
        h(email),
        {"merge_fields": {"WARD": ""}},
    )
    assert doc["errors"] == [{"field": "WARD", "message": "Please enter a value"}]

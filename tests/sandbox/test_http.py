"""Wire conventions: auth, problem documents, headers, 204s, 405/Allow, overrides, limits."""

from __future__ import annotations

import base64

import httpx
import mailchimp_marketing
from sandboxtest_helpers import h, http, new_email, sdk_error

from mailchimp_sandbox import configure_client


def test_basic_auth_any_username_and_bearer(sandbox):
    for auth in (("anystring", sandbox.api_key), ("", sandbox.api_key)):
        r = httpx.get(sandbox.api_url + "/ping", auth=auth)
        assert r.status_code == 200 and r.json() == {"health_status": "Everything's Chimpy!"}
    r = httpx.get(
        sandbox.api_url + "/lists", headers={"Authorization": f"Bearer {sandbox.api_key}"}
    )
    assert r.status_code == 200


def test_unknown_or_missing_key_is_401(sandbox):
    r = httpx.get(sandbox.api_url + "/lists", auth=("u", "f" * 32 + "-sandbox"))
    assert r.status_code == 401
    assert (r.json()["title"], r.json()["detail"]) == (
        "API Key Invalid",
        "Your API key may be invalid, or you've attempted to access the wrong datacenter.",
    )
    r = httpx.get(sandbox.api_url + "/lists")
    assert (r.status_code, r.json()["title"]) == (401, "API Key Missing")
    garbage = base64.b64encode(b"no-colon").decode()
    r = httpx.get(sandbox.api_url + "/lists", headers={"Authorization": f"Basic {garbage}"})
    assert r.status_code == 401
    sdk = configure_client(mailchimp_marketing.Client(), sandbox.url, "0" * 32 + "-sandbox")
    status, doc = sdk_error(sdk.lists.get_all_lists)
    assert (status, doc["title"]) == (401, "API Key Invalid")


def test_problem_documents_and_headers(api, sandbox_audience):
    ok = api.get(f"/lists/{sandbox_audience}")
    assert ok.headers["content-type"] == "application/json; charset=utf-8"
    assert len(ok.headers["x-request-id"]) == 36
    missing = api.get(f"/lists/{sandbox_audience}/members/{'0' * 32}")
    assert missing.headers["content-type"] == "application/problem+json; charset=utf-8"
    assert 'rel="describedBy"' in missing.headers["link"]
    doc = missing.json()
    assert set(doc) == {"type", "title", "status", "detail", "instance"}
    assert doc["instance"] == missing.headers["x-request-id"]
    assert doc["type"] == "https://mailchimp.com/developer/marketing/docs/errors/"


def test_204_is_empty_but_typed_json(api, sandbox_audience):
    email = new_email()
    api.put(
        f"/lists/{sandbox_audience}/members/{h(email)}",
        json={"email_address": email, "status_if_new": "subscribed"},
    )
    r = api.delete(f"/lists/{sandbox_audience}/members/{h(email)}")
    assert (r.status_code, r.content) == (204, b"")
    assert r.headers["content-type"] == "application/json; charset=utf-8"


def test_405_with_allow_and_unknown_paths(api, sandbox_audience):
    r = api.put("/lists", json={})
    assert (r.status_code, r.json()["title"]) == (405, "Method Not Allowed")
    assert r.headers["allow"] == "GET, POST"
    assert api.get("/nothing/here").status_code == 404
    assert api.get(f"/lists/{sandbox_audience}/members/{'0' * 32}/notes").status_code == 404


def test_method_override_only_with_post(api, sandbox_audience):
    email = new_email()
    api.put(
        f"/lists/{sandbox_audience}/members/{h(email)}",
        json={"email_address": email, "status_if_new": "subscribed"},
    )
    r = api.post(
        f"/lists/{sandbox_audience}/members/{h(email)}",
        json={"vip": True},
        headers={"X-HTTP-Method-Override": "PATCH"},
    )
    assert r.status_code == 200 and r.json()["vip"] is True
    r = api.get(f"/lists/{sandbox_audience}", headers={"X-HTTP-Method-Override": "DELETE"})
    assert (r.status_code, r.json()["title"]) == (422, "Invalid Method Override")


def test_json_parse_exception_and_wrong_shape(api, sandbox_audience):
    r = api.post(
        f"/lists/{sandbox_audience}/members",
        content=b'{"email_address": ',
        headers={"content-type": "application/json"},
    )
    assert (r.status_code, r.json()["title"], r.json()["detail"]) == (
        400,
        "JSON Parse Exception",
        "We encountered an unspecified JSON parsing error.",
    )
    r = api.post(f"/lists/{sandbox_audience}/members", json=[{"email_address": "x"}])
    assert r.json()["errors"] == [
        {"field": "", "message": "Schema describes object, array found instead"}
    ]


def test_x_trigger_error(api):
    r = api.get("/lists", headers={"X-Trigger-Error": "InternalServerError"})
    assert (r.status_code, r.json()["title"]) == (500, "Internal Server Error")
    r = api.get("/lists", headers={"X-Trigger-Error": "APIKeyMissing"})
    assert r.status_code == 401
    r = api.get("/lists", headers={"X-Trigger-Error": "NoSuchError"})
    assert r.status_code == 400 and "NoSuchError" in r.json()["detail"]


def test_request_body_limit(sandbox, api, sandbox_audience):
    sandbox.update_settings(max_body_bytes=1000)
    r = api.post(
        f"/lists/{sandbox_audience}/members",
        json={
            "email_address": new_email(),
            "status": "subscribed",
            "merge_fields": {"FNAME": "x" * 2000},
        },
    )
    assert (r.status_code, r.json()["title"]) == (413, "Request Entity Too Large")


def test_create_list_through_the_api(sandbox_sdk):
    status, doc = sdk_error(sandbox_sdk.lists.create_list, {"name": "No details"})
    assert status == 400
    assert doc["errors"][0]["message"].startswith("Required fields were not provided: contact")
    created = sandbox_sdk.lists.create_list(
        {
            "name": "Town hall 2024",
            "contact": {"company": "Org", "address1": "1 St", "city": "Town", "country": "GB"},
            "permission_reminder": "You signed our petition.",
            "campaign_defaults": {
                "from_name": "Org",
                "from_email": "team@engage-sandbox.org",
                "subject": "",
                "language": "en",
            },
            "email_type_option": False,
            "double_optin": True,
        }
    )
    assert len(created["id"]) == 10 and created["double_optin"] is True
    assert created["stats"]["member_count"] == 0
    updated = sandbox_sdk.lists.update_list(created["id"], {"name": "Renamed"})
    assert updated["name"] == "Renamed"
    assert [x["id"] for x in sandbox_sdk.lists.get_all_lists()["lists"]] == [created["id"]]
    assert sandbox_sdk.lists.delete_list(created["id"]).status_code == 204
    assert sandbox_sdk.lists.get_all_lists()["total_items"] == 0


def test_second_key_and_root(sandbox):
    r = http(sandbox).get("/")
    assert r.status_code == 200 and r.json()["account_name"] == "engage sandbox"


def test_a_sandbox_bug_is_a_logged_500_not_a_silent_fault(sandbox, api, monkeypatch, caplog):
    def broken(req):
        raise RuntimeError("boom")

    monkeypatch.setitem(sandbox.api.router.routes["/ping"].handlers, "GET", broken)
    r = api.get("/ping")
    assert (r.status_code, r.json()["title"]) == (500, "Internal Server Error")
    assert any("sandbox bug in GET /ping" in rec.getMessage() for rec in caplog.records)


def test_refused_values_name_the_field_and_the_choices(api, sandbox_audience):
    members = f"/lists/{sandbox_audience}/members"
    for name, allowed in (
        ("status", "subscribed, unsubscribed, cleaned, pending, transactional, archived"),
        ("sort_field", "timestamp_opt, timestamp_signup, last_changed"),
    ):
        r = api.get(members, params={name: "nope"})
        assert (r.status_code, r.json()["detail"]) == (400, f"The {name} parameter is not valid.")
        assert r.json()["errors"] == [{"field": name, "message": f"Must be one of: {allowed}."}]
    r = api.get(f"/lists/{sandbox_audience}/segments", params={"type": "nope"})
    assert r.json()["errors"] == [
        {"field": "type", "message": "Must be one of: saved, static, fuzzy."}
    ]
    r = api.post(
        members,
        json={"email_address": new_email(), "status": "subscribed", "location": {"latitude": "x"}},
    )
    assert r.status_code == 400
    assert r.json()["errors"] == [
        {"field": "location.latitude", "message": "Schema describes number, string found instead"}
    ]
    r = api.post(f"/lists/{sandbox_audience}/segments", json={"name": "s", "static_segment": [1]})
    assert r.json()["errors"] == [
        {"field": "static_segment.0", "message": "Schema describes string, integer found instead"}
    ]


def test_segment_names_are_unique_on_create_and_rename(api, sandbox_audience):
    segments = f"/lists/{sandbox_audience}/segments"
    first = api.post(segments, json={"name": "taken", "static_segment": []}).json()
    second = api.post(segments, json={"name": "other", "static_segment": []}).json()
    for r in (
        api.post(segments, json={"name": " taken ", "static_segment": []}),
        api.patch(f"{segments}/{second['id']}", json={"name": "taken"}),
    ):
        assert (r.status_code, r.json()["detail"]) == (
            400,
            'A segment or tag named "taken" already exists in this audience.',
        )
    r = api.patch(f"{segments}/{first['id']}", json={"name": " taken "})
    assert (r.status_code, r.json()["name"]) == (200, "taken")

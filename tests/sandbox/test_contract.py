"""Contract: every response the sandbox serves validates against Mailchimp's published schema.

The schema is `contract/mailchimp_openapi_subset.json`, cut by `contract/extract_spec.py` from
the OpenAPI rendering of Mailchimp's spec (3.0.85). Schemas are reached through the operation
(method + path), never by the file's hoisted component names. Deliberate relaxations, each
with its reason, are in RELAXATIONS; nothing else is skipped.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from jsonschema import Draft4Validator
from sandboxtest_helpers import h, new_email

HERE = Path(__file__).parent / "contract"
SUBSET = json.loads((HERE / "mailchimp_openapi_subset.json").read_text(encoding="utf-8"))

RELAXATIONS = {
    "merge_fields values": "the spec types every merge_fields value as an object "
    "(additionalProperties: {type: object}, 21 places) but Mailchimp returns strings and "
    "numbers (objects only for addresses), as recorded from the live API; relaxed to any "
    "JSON value. Merge values are checked by the sandbox's own per-type tests instead.",
    "format keywords": "validated without a format checker: Mailchimp sends empty timestamps "
    'as "" where the spec says format: date-time (recorded from the live API).',
}


def _relax(node: Any) -> None:
    if isinstance(node, dict):
        props = node.get("properties")
        if isinstance(props, dict):
            mf = props.get("merge_fields")
            if isinstance(mf, dict) and isinstance(mf.get("additionalProperties"), dict):
                mf["additionalProperties"] = {}
        for value in node.values():
            _relax(value)
    elif isinstance(node, list):
        for value in node:
            _relax(value)


COMPONENTS = copy.deepcopy(SUBSET["components"])
_relax(COMPONENTS)


def spec_key(template: str) -> str:
    import re

    return re.sub(
        r"\{(\w+)\}",
        lambda m: "{" + re.sub(r"_(\w)", lambda x: x.group(1).upper(), m.group(1)) + "}",
        template,
    )


def response_schema(method: str, template: str, status: int) -> dict[str, Any] | None:
    op = SUBSET["paths"][spec_key(template)][method.lower()]
    responses = op["responses"]
    node = responses.get(str(status)) or (responses["default"] if status >= 400 else None)
    if node is None:
        raise AssertionError(f"{method} {template}: the spec declares no {status} response")
    content = node.get("content")
    if not content:
        return None  # e.g. 204: no body
    return {"$ref": content["application/json"]["schema"]["$ref"], "components": COMPONENTS}


class Recorder:
    """Keeps every /3.0 exchange of a scenario: (method, template, status, body)."""

    def __init__(self, sandbox) -> None:
        self.sandbox = sandbox
        self.exchanges: list[tuple[str, str, int, bytes, str]] = []
        self.client = httpx.Client(
            base_url=sandbox.api_url,
            auth=("contract", sandbox.api_key),
            timeout=10,
            event_hooks={"response": [self._keep]},
        )

    def _keep(self, response: httpx.Response) -> None:
        response.read()
        path = response.request.url.path.removeprefix("/3.0") or "/"
        template = self.sandbox.api.router.template_for(path)
        self.exchanges.append(
            (
                response.request.method,
                template,
                response.status_code,
                response.content,
                response.headers.get("content-type", ""),
            )
        )

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client, name)


def run_scenario(sandbox) -> Recorder:
    """Touch every route the sandbox serves, with successes and typical errors."""
    api = Recorder(sandbox)
    api.get("/")
    api.get("/ping")
    lst = api.post(
        "/lists",
        json={
            "name": "Contract",
            "permission_reminder": "You signed up.",
            "email_type_option": False,
            "contact": {"company": "Org", "address1": "1 St", "city": "Town", "country": "US"},
            "campaign_defaults": {
                "from_name": "Org",
                "from_email": "org@engage-sandbox.org",
                "subject": "Hi",
                "language": "en",
            },
        },
    ).json()
    lid = lst["id"]
    api.get("/lists")
    api.get(f"/lists/{lid}", params={"include_total_contacts": "true"})
    api.patch(f"/lists/{lid}", json={"double_optin": True})
    api.post("/lists", json={"name": "incomplete"})  # 400
    mf = api.post(
        f"/lists/{lid}/merge-fields", json={"name": "Score", "type": "number", "tag": "SCORE"}
    ).json()
    api.post(
        f"/lists/{lid}/merge-fields",
        json={"name": "Ward", "type": "dropdown", "options": {"choices": ["North", "South"]}},
    )
    api.get(f"/lists/{lid}/merge-fields")
    api.get(f"/lists/{lid}/merge-fields/{mf['merge_id']}")
    api.patch(f"/lists/{lid}/merge-fields/{mf['merge_id']}", json={"name": "Points"})
    emails = [new_email("contract") for _ in range(4)]
    a, b, c, d = emails
    api.put(
        f"/lists/{lid}/members/{h(a)}",
        json={
            "email_address": a,
            "status_if_new": "subscribed",
            "merge_fields": {
                "FNAME": "Ann",
                "SCORE": 3,
                "ADDRESS": {"addr1": "1 St", "city": "Town", "state": "CA", "zip": "90001"},
            },
            "interests": {},
            "location": {"latitude": 51.5, "longitude": -0.1},
            "ip_signup": "192.0.2.1",
            "timestamp_signup": "2024-05-01T10:00:00Z",
        },
    )
    api.post(
        f"/lists/{lid}/members", json={"email_address": b, "status": "pending", "tags": ["seg:new"]}
    )
    api.post(f"/lists/{lid}/members", json={"email_address": a, "status": "subscribed"})  # 400
    api.patch(f"/lists/{lid}/members/{h(a)}", json={"status": "unsubscribed"})
    api.get(f"/lists/{lid}/members/{h(a)}")
    api.get(f"/lists/{lid}/members", params={"count": 2, "status": "unsubscribed"})
    api.get(f"/lists/{lid}/members", params={"fields": "members.id,total_items"})
    api.post(
        f"/lists/{lid}",
        json={
            "members": [
                {"email_address": c, "status": "subscribed", "tags": ["seg:new"]},
                {"email_address": b, "status": "subscribed"},
                {"email_address": "bad", "status": "subscribed"},
            ],
            "update_existing": False,
        },
    )
    api.post(
        f"/lists/{lid}/members/{h(c)}/tags",
        json={"tags": [{"name": "issue:housing", "status": "active"}], "is_syncing": True},
    )
    api.get(f"/lists/{lid}/members/{h(c)}/tags")
    api.get(f"/lists/{lid}/tag-search", params={"name": "seg"})
    seg = api.post(
        f"/lists/{lid}/segments", json={"name": "seg:contract", "static_segment": [c]}
    ).json()
    api.post(
        f"/lists/{lid}/segments",
        json={"name": "saved", "options": {"match": "all", "conditions": []}},
    )
    api.get(f"/lists/{lid}/segments")
    api.get(f"/lists/{lid}/segments/{seg['id']}")
    api.patch(f"/lists/{lid}/segments/{seg['id']}", json={"name": "seg:renamed"})
    api.post(
        f"/lists/{lid}/segments/{seg['id']}",
        json={"members_to_add": [b, "nobody@engage-sandbox.org"], "members_to_remove": [c]},
    )
    api.post(f"/lists/{lid}/segments/{seg['id']}/members", json={"email_address": c})
    api.get(f"/lists/{lid}/segments/{seg['id']}/members")
    api.delete(f"/lists/{lid}/segments/{seg['id']}/members/{h(c)}")
    api.delete(f"/lists/{lid}/segments/{seg['id']}")
    api.put(
        f"/lists/{lid}/members/{h(d)}", json={"email_address": d, "status_if_new": "subscribed"}
    )
    api.delete(f"/lists/{lid}/members/{h(d)}")
    api.delete(f"/lists/{lid}/members/{h(b)}")  # 405: pending
    api.post(f"/lists/{lid}/members/{h(c)}/actions/delete-permanent")
    api.put(
        f"/lists/{lid}/members/{h(c)}", json={"email_address": c, "status_if_new": "subscribed"}
    )  # 400
    batch = api.post(
        "/batches",
        json={
            "operations": [
                {"method": "GET", "path": f"/lists/{lid}", "operation_id": "one"},
                {"method": "GET", "path": "/nowhere", "operation_id": "two"},
            ]
        },
    ).json()
    deadline = time.monotonic() + 10
    while api.get(f"/batches/{batch['id']}").json()["status"] != "finished":
        assert time.monotonic() < deadline, "batch did not finish"
        time.sleep(0.02)
    api.get("/batches")
    api.delete(f"/batches/{batch['id']}")
    api.delete(f"/lists/{lid}/merge-fields/{mf['merge_id']}")
    api.get(f"/lists/{lid}/members/{'0' * 32}")  # 404
    api.delete(f"/lists/{lid}")
    campaign_scenario(api, sandbox)
    return api


def campaign_scenario(api: Recorder, sandbox) -> None:
    """Campaigns, a send to a tag, generated activity, and every report endpoint."""
    lid = sandbox.create_list("Contract campaigns")
    people = [new_email("reader") for _ in range(40)]
    for i, email in enumerate(people):
        sandbox.add_member(lid, email, "subscribed", tags=["seg:all"] if i % 2 else [])
    tag_id = next(t["id"] for t in api.get(f"/lists/{lid}/segments").json()["segments"])
    settings = {
        "subject_line": "Bus lanes now",
        "title": "Bus lanes now alert",
        "from_name": "Org",
        "reply_to": "org@engage-sandbox.org",
    }
    whole = api.post(
        "/campaigns",
        json={"type": "regular", "recipients": {"list_id": lid}, "settings": settings},
    ).json()
    tagged = api.post(
        "/campaigns",
        json={
            "type": "regular",
            "recipients": {"list_id": lid, "segment_opts": {"saved_segment_id": tag_id}},
            "settings": settings,
        },
    ).json()
    api.post("/campaigns", json={"type": "weekly"})  # 400
    api.post("/campaigns", json={"type": "regular", "recipients": {"list_id": "nope"}})  # 400
    api.get(f"/reports/{whole['id']}")  # 404: not sent
    api.post(f"/campaigns/{whole['id']}/actions/send")
    api.post(f"/campaigns/{tagged['id']}/actions/send")
    api.post(f"/campaigns/{tagged['id']}/actions/send")  # 400: already sent
    rates = {
        "seed": 7,
        "send_time": "2026-01-05T09:00:00Z",
        "open_rate": 0.6,
        "click_rate": 0.5,
        "bounce_rate": 0.1,
        "unsubscribe_rate": 0.1,
        "abuse_rate": 0.1,
    }
    for campaign in (whole, tagged):
        url = f"{sandbox.url}/_sandbox/campaigns/{campaign['id']}/activity"
        assert httpx.post(url, json=rates, timeout=10).status_code == 200
    api.get("/campaigns", params={"status": "sent", "count": 1, "offset": 1})
    api.get("/campaigns", params={"since_send_time": "2026-01-01T00:00:00Z"})
    api.get(f"/campaigns/{tagged['id']}")
    api.get(f"/campaigns/{tagged['id']}", params={"fields": "id,recipients.segment_opts"})
    api.get("/campaigns/0000000000")  # 404
    api.get("/reports", params={"count": 1000})
    api.get("/reports", params={"exclude_fields": "reports._links"})
    api.get(f"/reports/{whole['id']}")
    api.get(f"/reports/{whole['id']}/sent-to", params={"count": 5})
    api.get(f"/reports/{whole['id']}/email-activity", params={"count": 40})
    api.get(f"/reports/{whole['id']}/email-activity", params={"since": "2026-01-05T12:00:00Z"})
    api.get(f"/reports/{whole['id']}/unsubscribed")
    api.get(f"/reports/{whole['id']}/abuse-reports")
    api.get(f"/reports/{whole['id']}/sent-to", params={"count": 1001})  # 400


def test_every_response_matches_the_published_schema(sandbox):
    api = run_scenario(sandbox)
    failures, validated = [], set()
    for method, template, status, body, content_type in api.exchanges:
        schema = response_schema(method, template, status)
        where = f"{method} {template} -> {status}"
        if schema is None:
            if body:
                failures.append(f"{where}: expected an empty body, got {body[:80]!r}")
            validated.add((method, template))
            continue
        expected_type = "application/problem+json" if status >= 400 else "application/json"
        if not content_type.startswith(expected_type):
            failures.append(f"{where}: content-type {content_type!r}")
        errors = sorted(
            Draft4Validator(schema).iter_errors(json.loads(body)), key=lambda e: list(e.path)
        )
        for error in errors[:5]:
            failures.append(f"{where}: {'/'.join(map(str, error.path))}: {error.message[:200]}")
        if status < 400:
            validated.add((method, template))
    assert not failures, "\n".join(failures)
    served = set(sandbox.api.router.endpoints())
    assert served - validated == set(), "routes without a validated success response"
    statuses = {status for *_, status, _, _ in api.exchanges}
    assert {200, 204, 400, 404, 405} <= statuses


def test_the_schema_checks_are_strict_enough_to_fail():
    schema = response_schema("GET", "/lists/{list_id}/members/{subscriber_hash}", 200)
    validator = Draft4Validator(schema)
    assert not list(validator.iter_errors({"status": "subscribed", "merge_fields": {"A": 1}}))
    assert list(validator.iter_errors({"status": "deleted"}))
    assert list(validator.iter_errors({"tags": [{"id": "seven"}]}))
    activity = Draft4Validator(response_schema("GET", "/reports/{campaign_id}/email-activity", 200))
    assert not list(activity.iter_errors({"emails": [{"activity": [{"action": "open"}]}]}))
    assert list(activity.iter_errors({"emails": [{"activity": "open"}]}))
    campaign = Draft4Validator(response_schema("GET", "/campaigns/{campaign_id}", 200))
    assert list(campaign.iter_errors({"status": "delivered"}))
    problem = response_schema("GET", "/lists", 404)
    assert list(Draft4Validator(problem).iter_errors({"title": "x", "status": 404}))


# Key set of a member created by POST, recorded from the live API (grouparoo/grouparoo
# @a453a40b, plugins/@grouparoo/mailchimp/__tests__/fixtures/export/...); the sandbox returns the
# same keys for a subscribed member without interests, marketing permissions or notes.
RECORDED_MEMBER_KEYS = {
    "id",
    "email_address",
    "unique_email_id",
    "contact_id",
    "full_name",
    "web_id",
    "email_type",
    "status",
    "consents_to_one_to_one_messaging",
    "merge_fields",
    "stats",
    "ip_signup",
    "timestamp_signup",
    "ip_opt",
    "timestamp_opt",
    "member_rating",
    "last_changed",
    "language",
    "vip",
    "email_client",
    "location",
    "source",
    "tags_count",
    "tags",
    "list_id",
    "_links",
}


def test_golden_member_shape(sandbox, sandbox_sdk, sandbox_audience):
    email = new_email()
    member = sandbox_sdk.lists.add_list_member(
        sandbox_audience,
        {"email_address": email, "status": "subscribed", "merge_fields": {"FNAME": "Caio"}},
    )
    assert set(member) == RECORDED_MEMBER_KEYS
    assert member["stats"] == {"avg_open_rate": 0, "avg_click_rate": 0}
    assert set(member["location"]) == {
        "latitude",
        "longitude",
        "gmtoff",
        "dstoff",
        "country_code",
        "timezone",
    }
    assert member["full_name"] == "Caio" and member["member_rating"] == 2


def _full_spec() -> Path | None:
    candidates = [os.environ.get("ENGAGE_MAILCHIMP_OPENAPI", "")]
    candidates.append(
        str(
            Path(__file__).resolve().parents[3]
            / "shared"
            / "reference"
            / "mailchimp-marketing-openapi.json"
        )
    )
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


def test_subset_matches_the_full_spec_when_available():
    """Drift check: the vendored subset is what extract_spec.py cuts from the full file."""
    full = _full_spec()
    if full is None:
        pytest.skip("full spec not found (set ENGAGE_MAILCHIMP_OPENAPI to check for drift)")
    import sys

    sys.path.insert(0, str(HERE))
    from extract_spec import extract

    from mailchimp_sandbox.api import MailchimpApi

    raw = full.read_bytes()
    assert hashlib.sha256(raw).hexdigest() == SUBSET["source"]["sha256"]
    fresh = extract(json.loads(raw), MailchimpApi().router.endpoints())
    assert fresh["paths"] == SUBSET["paths"] and fresh["components"] == SUBSET["components"]

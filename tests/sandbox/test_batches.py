"""`/batches` through the SDK: asynchronous states, the tar.gz result archive, limits."""

from __future__ import annotations

import io
import json
import tarfile
import time

import requests
from sandboxtest_helpers import h, new_email, sdk_error


def wait_finished(sdk, batch_id, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        batch = sdk.batches.status(batch_id)
        if batch["status"] == "finished":
            return batch
        time.sleep(0.02)
    raise AssertionError(f"batch {batch_id} did not finish")


def archive_results(url):
    r = requests.get(url, timeout=10)  # no auth: a pre-signed URL
    assert r.status_code == 200, r.text
    results = []
    with tarfile.open(fileobj=io.BytesIO(r.content), mode="r:gz") as tar:
        for member in tar.getmembers():
            assert member.name.endswith(".json") and "/" not in member.name
            results.extend(json.load(tar.extractfile(member)))
    return results


def test_states_move_pending_started_finalizing_finished(sandbox, sandbox_sdk):
    sandbox.update_settings(batch_start_delay=0.3, batch_op_delay=0.06, batch_finalize_delay=0.3)
    ops = [{"method": "GET", "path": "/ping", "operation_id": f"op-{i}"} for i in range(4)]
    batch = sandbox_sdk.batches.start({"operations": ops})
    assert (batch["status"], batch["total_operations"], batch["response_body_url"]) == (
        "pending",
        4,
        "",
    )
    seen, snapshots = [], {}
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        current = sandbox_sdk.batches.status(batch["id"])
        if not seen or seen[-1] != current["status"]:
            seen.append(current["status"])
            snapshots[current["status"]] = current
        if current["status"] == "finished":
            break
        time.sleep(0.02)
    assert seen == ["pending", "started", "finalizing", "finished"]
    # all operations are done long before the status flips to finished
    assert snapshots["finalizing"]["finished_operations"] == 4
    assert snapshots["finalizing"]["response_body_url"] == ""
    done = snapshots["finished"]
    assert done["completed_at"] and done["response_body_url"].startswith(sandbox.url)


def test_result_archive_with_errors_double_encoded(sandbox, sandbox_sdk, sandbox_audience):
    email = new_email()
    ops = [
        {
            "method": "PUT",
            "path": f"/lists/{sandbox_audience}/members/{h(email)}",
            "operation_id": "row-1",
            "body": json.dumps({"email_address": email, "status_if_new": "subscribed"}),
        },
        {
            "method": "GET",
            "path": f"/lists/{sandbox_audience}/members/{'0' * 32}",
            "operation_id": "row-2",
        },
        {
            "method": "POST",
            "path": f"/lists/{sandbox_audience}/members",
            "operation_id": "row-3",
            "body": json.dumps({"email_address": email}),
        },
        {
            "method": "POST",
            "path": f"/lists/{sandbox_audience}/members/{h(email)}/tags",
            "operation_id": "row-4",
            "body": json.dumps({"tags": [{"name": "seg:x", "status": "active"}]}),
        },
        {
            "method": "GET",
            "path": f"/lists/{sandbox_audience}/members",
            "operation_id": "row-5",
            "params": {"count": 1, "fields": "total_items"},
        },
    ]
    sandbox.update_settings(batch_out_of_order=False)  # row-4 needs row-1 first
    batch = wait_finished(sandbox_sdk, sandbox_sdk.batches.start({"operations": ops})["id"])
    assert (
        batch["total_operations"],
        batch["finished_operations"],
        batch["errored_operations"],
    ) == (5, 5, 2)
    results = {r["operation_id"]: r for r in archive_results(batch["response_body_url"])}
    assert {k: v["status_code"] for k, v in results.items()} == {
        "row-1": 200,
        "row-2": 404,
        "row-3": 400,
        "row-4": 204,
        "row-5": 200,
    }
    assert json.loads(results["row-1"]["response"])["email_address"] == email
    assert json.loads(results["row-2"]["response"])["title"] == "Resource Not Found"
    assert json.loads(results["row-3"]["response"])["errors"][0]["message"] == (
        "Required fields were not provided: status"
    )
    assert results["row-4"]["response"] == ""
    assert json.loads(results["row-5"]["response"]) == {"total_items": 1}
    assert sandbox.member(sandbox_audience, email)["tags"] == ["seg:x"]
    # batch operations do not appear as API calls in the request log
    assert sandbox.request_log().count(endpoint="/lists/{list_id}/members/{subscriber_hash}") == 0


def test_operations_run_out_of_order_and_results_span_files(sandbox, sandbox_sdk):
    sandbox.update_settings(batch_results_per_file=7)
    ops = [{"method": "GET", "path": "/ping", "operation_id": str(i)} for i in range(20)]
    batch = wait_finished(sandbox_sdk, sandbox_sdk.batches.start({"operations": ops})["id"])
    order = [r["operation_id"] for r in archive_results(batch["response_body_url"])]
    assert sorted(order, key=int) == [str(i) for i in range(20)]
    assert order != [str(i) for i in range(20)]
    r = requests.get(batch["response_body_url"], timeout=10)
    with tarfile.open(fileobj=io.BytesIO(r.content), mode="r:gz") as tar:
        assert len(tar.getmembers()) == 3


def test_body_must_be_a_json_string(sandbox_sdk):
    status, doc = sdk_error(
        sandbox_sdk.batches.start,
        {"operations": [{"method": "POST", "path": "/lists", "body": {"name": "x"}}]},
    )
    assert status == 400
    assert doc["errors"] == [
        {"field": "operations.0.body", "message": "Schema describes string, object found instead"}
    ]


def test_result_url_expires_and_refreshes(sandbox, sandbox_sdk):
    sandbox.update_settings(batch_url_ttl=0.2)
    batch = wait_finished(
        sandbox_sdk,
        sandbox_sdk.batches.start({"operations": [{"method": "GET", "path": "/ping"}]})["id"],
    )
    url = batch["response_body_url"]
    assert requests.get(url, timeout=10).status_code == 200
    tampered = url[:-4] + ("0000" if not url.endswith("0000") else "1111")
    assert requests.get(tampered, timeout=10).status_code == 403
    expires = int(url.split("expires=")[1].split("&")[0])
    time.sleep(max(0.0, expires - time.time()) + 0.05)
    expired = requests.get(url, timeout=10)
    assert expired.status_code == 403 and "Request has expired" in expired.text
    fresh = sandbox_sdk.batches.status(batch["id"])["response_body_url"]
    assert requests.get(fresh, timeout=10).status_code == 200


def test_at_most_500_pending_batches_then_list_and_delete(sandbox, sandbox_sdk):
    sandbox.update_settings(max_pending_batches=2, batch_start_delay=30)
    one = {"operations": [{"method": "GET", "path": "/ping"}]}
    first = sandbox_sdk.batches.start(one)
    sandbox_sdk.batches.start(one)
    status, doc = sdk_error(sandbox_sdk.batches.start, one)
    assert (status, doc["detail"]) == (
        429,
        "You have more than 500 pending webhooks. Please wait for some to complete before "
        "adding any more batches.",
    )
    listed = sandbox_sdk.batches.list()
    assert listed["total_items"] == 2 and {b["status"] for b in listed["batches"]} == {"pending"}
    assert sandbox_sdk.batches.delete_request(first["id"]).status_code == 204
    assert sdk_error(sandbox_sdk.batches.status, first["id"])[0] == 404
    assert sandbox_sdk.batches.start(one)["status"] == "pending"

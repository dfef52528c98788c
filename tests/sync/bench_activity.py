"""Benchmark of the campaign-activity pull (not collected by pytest):
`.venv/bin/python tests/sync/bench_activity.py [--members 100000 --campaigns 50]`.

Builds an audience of N members in the in-process sandbox, sends C campaigns to all of it,
spread evenly over the last `--days` days, generates their activity (default rates), then
measures two pulls of campaign activity side by side:
- the first pull (reads `history_days` back): requests per endpoint from the client's own
  counters, against the bound stated in `sync.mailchimp.activity`, rows stored, wall time;
- a second pull with nothing new: only the look-back window's campaigns, 1 + 3 x C_window
  requests, and its wall time.
Peak RSS of the process is printed (the sandbox runs in it too).
"""

from __future__ import annotations

import argparse
import math
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))

from synctest_helpers import default_meta, write_manifest  # noqa: E402

from mailchimp_sandbox.server import SandboxServer  # noqa: E402
from sync.mailchimp import state  # noqa: E402
from sync.mailchimp.activity import pull_activity  # noqa: E402
from sync.mailchimp.client import MailchimpClient, RetryPolicy, Target  # noqa: E402
from sync.mailchimp.exposures import load_audiences  # noqa: E402

PAGE = 1000


def pages(n: int) -> int:
    return max(1, math.ceil(n / PAGE))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--members", type=int, default=100_000)
    ap.add_argument("--campaigns", type=int, default=50)
    ap.add_argument("--days", type=int, default=100, help="campaigns spread over this many days")
    ap.add_argument("--latency", type=float, default=0.0, help="seconds added per request")
    args = ap.parse_args()

    with (
        tempfile.TemporaryDirectory() as tmp,
        SandboxServer(
            faults={"latency": args.latency}, settings={"max_in_flight_per_key": 10}
        ) as srv,
    ):
        t0 = time.perf_counter()
        aid = srv.create_list("Supporters")
        for i in range(args.members):
            srv.add_member(aid, f"reader{i}@bench-mail.net")
        now = datetime.now(UTC)
        with httpx.Client(base_url=srv.api_url, auth=("u", srv.api_key), timeout=600) as api:
            for k in range(args.campaigns):
                settings = {
                    "title": f"Campaign {k}",
                    "subject_line": f"Campaign {k}",
                    "from_name": "Org",
                    "reply_to": "org@engage-sandbox.org",
                }
                body = {"type": "regular", "recipients": {"list_id": aid}, "settings": settings}
                cid = api.post("/campaigns", json=body).json()["id"]
                api.post(f"/campaigns/{cid}/actions/send").raise_for_status()
                sent = now - timedelta(days=args.days * (args.campaigns - k) / args.campaigns)
                srv.campaign_activity(cid, seed=k, send_time=sent.isoformat())
        setup = time.perf_counter() - t0

        meta = default_meta()
        meta["audience"] = {"name": "Supporters", "id": aid}
        manifest = Path(tmp) / "m.json"
        write_manifest(manifest, {"aud": meta})
        [aud] = load_audiences(manifest)
        con = state.connect(Path(tmp) / "w.duckdb")
        target = Target(base_url=srv.url, api_key=srv.api_key, overridden=True)

        def one_pull() -> tuple[dict[str, int], float, object]:
            # The sandbox sums every campaign's activity when it lists campaigns: slow at this size.
            retry = RetryPolicy(
                attempts=3, wait_initial=0.01, wait_max=0.1, after_timeout=0.1, request_timeout=600
            )
            client = MailchimpClient(target, concurrency=8, retry=retry)
            started = time.perf_counter()
            res = pull_activity(con, client, aud, aid)
            took = time.perf_counter() - started
            counts = client.stats.as_dict()["requests"]
            client.close()
            return counts, took, res

        first, first_s, res1 = one_pull()
        rows = con.execute("select count(*) from engage_sync.pulled_campaign_activity").fetchone()[
            0
        ]
        second, second_s, res2 = one_pull()

        # The bound of sync.mailchimp.activity for the first pull (every campaign is new).
        bound = pages(args.campaigns)
        for _ in range(args.campaigns):
            bound += pages(args.members)  # sent-to: every campaign went to everyone
            bound += pages(int(args.members * 0.01 * 1.5)) + 1  # unsubscribed (~1%), abuse
        # email-activity pages: members with any activity since the send
        activity_pages = first.get("reports.email_activity", 0)
        bound += activity_pages
        window = res2.campaigns
        print(
            f"audience {args.members:,} members, {args.campaigns} campaigns sent to all of it "
            f"over {args.days} days; setup {setup:.1f} s"
        )
        print(f"{'pull':<8} {'campaigns':>9} {'requests':>8} {'by endpoint':<70} {'seconds':>8}")
        for name, counts, secs, res in (
            ("first", first, first_s, res1),
            ("second", second, second_s, res2),
        ):
            by = ", ".join(f"{k.split('.', 1)[1]}={v}" for k, v in sorted(counts.items()))
            print(f"{name:<8} {res.campaigns:>9} {sum(counts.values()):>8} {by:<70} {secs:>8.1f}")
        print(
            f"first pull: {rows:,} activity rows; bound from the docstring {bound} "
            f"(email-activity pages {activity_pages})"
        )
        print(
            f"second pull: {sum(second.values())} requests, expected 1 + 3 x {window} = "
            f"{1 + 3 * window}"
        )
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak RSS {rss:.0f} MiB")
        con.close()
        ok = sum(first.values()) <= bound and sum(second.values()) == 1 + 3 * window
        return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

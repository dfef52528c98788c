"""Benchmark of the sync (not collected by pytest): run `.venv/bin/python tests/sync/bench_sync.py`.

Measures, side by side against the in-process sandbox with a simulated network latency:
- a first full load of N members (create + merge fields + tags) at concurrency 1 vs 8, its
  wall time against requests x latency / 10 (every request overlapped at Mailchimp's cap of 10
  connections) and the setup calls' span (merge-field and tag creates) from the request log;
- the plan computed in DuckDB for N members (and the no-op re-plan);
- recording an acknowledged chunk: one set-based statement (Arrow) vs DuckDB executemany;
- peak RSS of the process.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from synctest_helpers import (  # noqa: E402
    build_desired,
    default_meta,
    make_warehouse,
    supporter,
    write_manifest,
)

from mailchimp_sandbox.server import SandboxServer  # noqa: E402
from sync.jobs.audience_sync import sync_job  # noqa: E402
from sync.mailchimp import state  # noqa: E402
from sync.mailchimp.client import MailchimpClient, RetryPolicy, Target  # noqa: E402


def warehouse(db: Path, n: int, meta: dict) -> None:
    rng = random.Random(1)
    people = [supporter(i) for i in range(1, n + 1)]
    tags = [
        (p["supporter_id"], t.split(":")[1], t)
        for p in people
        for t in ("seg:a", "seg:b", "seg:c", "issue:x")
        if rng.random() < 0.3
    ]
    con = state.connect(db)
    make_warehouse(con, people, tags)
    build_desired(con, {"aud": meta})
    con.close()


def full_load(n: int, concurrency: int, latency: float) -> dict:
    with (
        tempfile.TemporaryDirectory() as tmp,
        SandboxServer(faults={"latency": latency}, settings={"max_in_flight_per_key": 10}) as srv,
    ):
        t = Path(tmp)
        db, manifest = t / "w.duckdb", t / "m.json"
        meta = default_meta(concurrency=concurrency)
        warehouse(db, n, meta)
        write_manifest(manifest, {"aud": meta})
        client = MailchimpClient(
            Target(srv.url, srv.api_key, True), concurrency=concurrency, retry=RetryPolicy.fast()
        )
        started = time.perf_counter()
        out = sync_job(db, manifest, client=client, force_reason="bench")
        first = time.perf_counter() - started
        setup = [
            e
            for e in srv.request_log().entries
            if e.method == "POST" and e.endpoint.endswith(("/merge-fields", "/segments"))
        ]
        setup_s = (
            max(e.at + e.duration_ms / 1000 for e in setup) - min(e.at for e in setup)
            if setup
            else 0.0
        )
        started = time.perf_counter()
        again = sync_job(db, manifest, client=client)
        second = time.perf_counter() - started
        client.close()
        a = out.audiences[0]
        return {
            "first_s": first,
            "noop_s": second,
            "requests": sum(a.requests.values()),
            "ideal_s": sum(a.requests.values()) * latency / 10,
            "setup_calls": len(setup),
            "setup_s": setup_s,
            "created": a.applied.done.get("created"),
            "tags": a.applied.done.get("tags_added"),
            "noop_empty": again.audiences[0].plan.is_empty,
            "status": out.status,
        }


def chunk_write(rows: int) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        con = state.connect(Path(tmp) / "w.duckdb")
        data = [(f"{i:032x}", "FNAME", f"v{i}") for i in range(rows)]
        t = time.perf_counter()
        state.record_fields(con, "a", data)
        bulk = time.perf_counter() - t
        t = time.perf_counter()
        con.executemany(
            "insert or replace into engage_sync.pushed_merge_fields values (?, ?, ?, ?, now())",
            [["b", h, tag, v] for h, tag, v in data],
        )
        many = time.perf_counter() - t
        con.close()
    return bulk, many


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--members", type=int, default=5000)
    ap.add_argument("--latency", type=float, default=0.02, help="seconds per request")
    args = ap.parse_args()
    print(f"first full load of {args.members} members, {args.latency * 1000:.0f} ms latency")
    results = {}
    for conc in (1, 8):
        r = full_load(args.members, conc, args.latency)
        results[conc] = r
        print(
            f"  concurrency {conc}: {r['first_s']:.2f} s, {r['requests']} requests, "
            f"created {r['created']}, tags {r['tags']}, status {r['status']}; "
            f"no-op re-run {r['noop_s']:.2f} s (empty plan: {r['noop_empty']}); "
            f"requests x latency / 10 = {r['ideal_s']:.2f} s "
            f"({r['first_s'] / r['ideal_s']:.1f}x); {r['setup_calls']} setup calls "
            f"spanned {r['setup_s']:.2f} s"
        )
    print(f"  ratio concurrency 1 / 8: {results[1]['first_s'] / results[8]['first_s']:.2f}x")
    bulk, many = chunk_write(2500)
    print(
        f"recording one acknowledged chunk (500 members x 5 fields = 2500 rows): "
        f"set-based {bulk * 1000:.0f} ms vs executemany {many * 1000:.0f} ms "
        f"({many / bulk:.0f}x)"
    )
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()

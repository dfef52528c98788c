#!/usr/bin/env python3
"""The warehouse benchmark (issue 13): build time and memory against the raw-scan floor.

Owns the benchmark harness: the cached corpora (made by `scripts/make_scale_data.py`), the
raw-scan floor, timing `engage build` as an operator runs it, the peak RSS of its whole process
tree, per-stage times from dbt's artifacts, optional incremental rebuilds, and the results
table and JSON. `docs/benchmarks.md` explains every figure. Not part of `make test`.

For each size (default 100,000 and 1,000,000 people), side by side in one run:

1. corpus: generated once into `<cache>/people-<N>-seed-<S>/` (cache: `--cache-dir`, else
   `$ENGAGE_BENCH_DIR`, else `~/.cache/engage-bench`); regenerated only when missing or when
   the generator scripts changed (their SHA-256 is stamped next to the corpus);
2. floor: the time DuckDB needs to read every row of every file once, as text (see
   `measure_floor`); best of `--floor-runs` (default 2) on a warm page cache;
3. build: `.venv/bin/engage build --as-of 2026-11-20` in a subprocess on a fresh warehouse
   (ENGAGE_RAW_DIR=<corpus>/raw, ENGAGE_DUCKDB_PATH=<work>/engage.duckdb, DBT_TARGET_PATH and
   DBT_LOG_PATH under <work>), killed with its whole process group after `--timeout` seconds;
   the RSS of the process and all its descendants is summed every 0.2 s (psutil);
4. stages: from `<work>/target/run_results.json` + `manifest.json`;
5. with `--incremental`: a second build with nothing changed, then one after adding one small
   petition export (~1% of the people) to the raw folder (removed again afterwards).

Usage:
    .venv/bin/python scripts/bench.py                          # 100k and 1M people
    .venv/bin/python scripts/bench.py --people 2000,5000 --incremental
    make bench BENCH_ARGS="--people 100000 --timeout 1800"
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import json
import os
import platform
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GENERATOR = REPO / "scripts" / "make_scale_data.py"
GENERATOR_INPUTS = [GENERATOR, REPO / "scripts" / "make_sample_data.py"]
ENGAGE = REPO / ".venv" / "bin" / "engage"
AS_OF = "2026-11-20"
DEFAULT_SIZES = [1_000, 100_000, 1_000_000]
# A corpus this small (10k rows) costs the build almost nothing but its fixed part: dbt's
# start-up, parse and ~550 nodes (models, seeds, ~450 tests) each run once.
FIXED_COST_MAX_PEOPLE = 2_000
DEFAULT_SEED = 13
SAMPLE_EVERY = 0.2  # seconds between RSS samples
GIB = 1024**3
TARGETS = {  # at 1,000,000 people
    "build_over_floor_max": 10.0,
    "peak_rss_gib_max": 4.0,
    "time_ratio_1m_over_100k_max": 11.0,
}
STAGES = [
    "ingest",
    "staging",
    "identity",
    "consent",
    "engagement",
    "marts",
    "segments",
    "mailchimp",
    "seeds",
    "snapshots",
    "tests",
    "other",
]
INGEST_MODEL = "model.engage.base_spreadsheets__files"
DELIMITED = {".csv", ".tsv", ".txt"}
WORKBOOKS = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------
# Corpora
# --------------------------------------------------------------------------------------------


def generator_hash() -> str:
    digest = hashlib.sha256()
    for path in GENERATOR_INPUTS:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def extra_file_name() -> str:
    sys.path.insert(0, str(GENERATOR.parent))
    try:
        import make_scale_data

        return make_scale_data.extra_file_name()
    finally:
        sys.path.remove(str(GENERATOR.parent))


def ensure_corpus(cache_dir: Path, people: int, seed: int) -> Path:
    """The corpus folder for (people, seed), generated if missing or made by another generator."""
    folder = cache_dir / f"people-{people}-seed-{seed}"
    stamp = folder / "generator.sha256"
    wanted = generator_hash()
    leftover = folder / "raw" / "petitions" / extra_file_name()
    if leftover.exists():  # an interrupted --incremental run: the corpus is otherwise intact
        leftover.unlink()
    if (folder / "raw").is_dir() and stamp.exists() and stamp.read_text().strip() == wanted:
        log(f"corpus {people:,} people: cached in {folder}")
        return folder
    log(f"corpus {people:,} people: generating into {folder}")
    stamp.unlink(missing_ok=True)
    folder.mkdir(parents=True, exist_ok=True)
    python = sys.executable
    subprocess.run(
        [
            python,
            str(GENERATOR),
            "--people",
            str(people),
            "--seed",
            str(seed),
            "--out",
            str(folder),
        ],
        check=True,
    )
    subprocess.run(
        [
            python,
            str(GENERATOR),
            "--people",
            str(people),
            "--seed",
            str(seed),
            "--out",
            str(folder / "extra"),
            "--extra-file",
        ],
        check=True,
    )
    stamp.write_text(wanted + "\n")  # last: a half-written corpus is regenerated next time
    return folder


def corpus_facts(raw: Path) -> dict:
    files = [p for p in sorted(raw.rglob("*")) if p.is_file()]
    return {
        "files": len(files),
        "bytes": sum(p.stat().st_size for p in files),
        "kinds": len({p.relative_to(raw).parts[0] for p in files}),
    }


# --------------------------------------------------------------------------------------------
# The raw-scan floor
# --------------------------------------------------------------------------------------------


@dataclass
class FloorRun:
    seconds: float = 0.0
    rows: int = 0  # data rows (records read minus one header record per file/sheet)
    files: int = 0
    by_reader: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def sniff_encoding(path: Path) -> str:
    """`utf-16` for a UTF-16 byte-order mark, else `utf-8` (DuckDB skips a UTF-8 BOM)."""
    with open(path, "rb") as handle:
        head = handle.read(4)
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "utf-16"
    return "utf-8"


def sniff_delimiter(path: Path, encoding: str) -> str:
    """The most frequent of , ; tab | in the first line (what the ingest also considers)."""
    with open(path, "rb") as handle:
        head = handle.read(64 * 1024)
    text = head.decode("utf-16" if encoding == "utf-16" else "utf-8", errors="replace")
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    if first.lower().startswith("sep=") and len(first) > 4:
        return first[4]
    counts = {d: first.count(d) for d in (",", ";", "\t", "|")}
    return max(counts, key=lambda d: counts[d]) if max(counts.values()) else ","


def _read_csv_sql(null_padding: bool) -> str:
    options = (
        "all_varchar=true, header=false, delim=?, quote='\"', escape='\"', encoding=?, "
        "strict_mode=false, ignore_errors=false, max_line_size=67108864"
    )
    if null_padding:  # ragged rows: DuckDB needs the serial reader for this with quoted newlines
        options += ", null_padding=true, parallel=false"
    # Every row is read into text values (a temporary in-memory table), not only counted:
    # count(*) lets DuckDB find the records without building a single value.
    return f"CREATE OR REPLACE TEMP TABLE floor_rows AS SELECT * FROM read_csv(?, {options})"


def _read_rows(con, sql: str, params: list) -> int:
    con.execute(sql, params)
    count = con.execute("SELECT count(*) FROM floor_rows").fetchall()[0][0]
    con.execute("DROP TABLE floor_rows")
    return int(count)


def floor_delimited(con, path: Path, run: FloorRun) -> None:
    """Time one DuckDB pass over a delimited file; only the successful read is timed."""
    import duckdb

    encoding = sniff_encoding(path)
    delimiter = sniff_delimiter(path, encoding)
    attempts = [(str(path), encoding, False), (str(path), encoding, True)]
    if encoding == "utf-8":
        attempts += [(str(path), "latin-1", False), (str(path), "latin-1", True)]
    for target, enc, padding in attempts:
        try:
            started = time.perf_counter()
            count = _read_rows(con, _read_csv_sql(padding), [target, delimiter, enc])
            elapsed = time.perf_counter() - started
        except duckdb.Error:
            continue
        run.seconds += elapsed
        run.by_reader["duckdb_csv"] = run.by_reader.get("duckdb_csv", 0.0) + elapsed
        run.rows += max(0, count - 1)
        if enc != encoding or padding:
            run.notes.append(f"{path.name}: encoding={enc} null_padding={padding}")
        return
    # Windows-1252 with bytes 0x80-0x9F: DuckDB (without its encodings extension) reads neither
    # utf-8 nor latin-1. Timed: Python's cp1252 decode; then DuckDB on the UTF-8 text.
    started = time.perf_counter()
    text = path.read_bytes().decode("cp1252", errors="replace")
    decode_seconds = time.perf_counter() - started
    with tempfile.NamedTemporaryFile("w", suffix=".csv", encoding="utf-8", delete=False) as tmp:
        tmp.write(text)
    try:
        started = time.perf_counter()
        count = _read_rows(con, _read_csv_sql(True), [tmp.name, delimiter, "utf-8"])
        elapsed = time.perf_counter() - started + decode_seconds
    finally:
        os.unlink(tmp.name)
    run.seconds += elapsed
    run.by_reader["cp1252_transcoded"] = run.by_reader.get("cp1252_transcoded", 0.0) + elapsed
    run.rows += max(0, count - 1)
    run.notes.append(f"{path.name}: cp1252, decoded in Python then read by DuckDB")


def floor_workbook(path: Path, run: FloorRun) -> None:
    """Time reading every sheet of a workbook with python-calamine (what the ingest uses)."""
    from python_calamine import CalamineWorkbook

    started = time.perf_counter()
    workbook = CalamineWorkbook.from_path(str(path))
    rows = 0
    for name in workbook.sheet_names:
        sheet_rows = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
        non_blank = sum(1 for r in sheet_rows if any(str(c).strip() for c in r))
        rows += max(0, non_blank - 1)
    elapsed = time.perf_counter() - started
    run.seconds += elapsed
    run.by_reader["calamine_xlsx"] = run.by_reader.get("calamine_xlsx", 0.0) + elapsed
    run.rows += rows


def measure_floor(raw: Path, runs: int) -> dict:
    """Best of `runs` full passes over every file of `raw` (see the module docstring)."""
    import duckdb

    best: FloorRun | None = None
    for _ in range(max(1, runs)):
        run = FloorRun()
        con = duckdb.connect()  # in memory, default threads (all cores)
        for path in sorted(p for p in raw.rglob("*") if p.is_file()):
            suffix = path.suffix.lower()
            if suffix in DELIMITED:
                floor_delimited(con, path, run)
            elif suffix in WORKBOOKS:
                floor_workbook(path, run)
            else:
                continue
            run.files += 1
        con.close()
        if best is None or run.seconds < best.seconds:
            best = run
    assert best is not None
    return {
        "seconds": round(best.seconds, 3),
        "data_rows": best.rows,
        "files": best.files,
        "by_reader_seconds": {k: round(v, 3) for k, v in sorted(best.by_reader.items())},
        "runs": max(1, runs),
        "duckdb_threads": os.cpu_count(),
        "notes": sorted(set(best.notes)),
    }


# --------------------------------------------------------------------------------------------
# The build
# --------------------------------------------------------------------------------------------


def tree_rss(proc) -> int:
    """Resident set size of `proc` plus all its descendants, in bytes (0 once it is gone)."""
    import psutil

    total = 0
    try:
        members = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0
    for member in members:
        try:
            total += member.memory_info().rss
        except psutil.Error:
            continue
    return total


def run_build(raw: Path, work: Path, label: str, timeout: float) -> dict:
    """`engage build --as-of AS_OF` as a subprocess; wall time, peak tree RSS, exit status."""
    import psutil

    env = dict(os.environ)
    env.update(
        ENGAGE_RAW_DIR=str(raw),
        ENGAGE_DUCKDB_PATH=str(work / "engage.duckdb"),
        ENGAGE_TARGET="dev",
        DBT_TARGET_PATH=str(work / "target"),
        DBT_LOG_PATH=str(work / "logs"),
    )
    cmd = [str(ENGAGE), "build", "--as-of", AS_OF]
    log_path = work / f"build-{label}.log"
    with open(log_path, "wb") as out:
        started = time.monotonic()
        proc = subprocess.Popen(
            cmd, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        watched = psutil.Process(proc.pid)
        peak, samples, timed_out = 0, 0, False
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            peak = max(peak, tree_rss(watched))
            samples += 1
            if time.monotonic() - started > timeout:
                timed_out = True
                os.killpg(proc.pid, signal.SIGKILL)  # the build and every worker it started
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(SAMPLE_EVERY)
        seconds = time.monotonic() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
    with contextlib.suppress(ProcessLookupError):  # stragglers left in the build's group
        os.killpg(proc.pid, signal.SIGKILL)
    result = {
        "label": label,
        # exit 5: built and tested, with quarantined files (listed in the build's log)
        "status": "did not finish"
        if timed_out
        else ("ok" if proc.returncode in (0, 5) else "failed"),
        "exit_code": None if timed_out else proc.returncode,
        "seconds": round(seconds, 2),
        "peak_rss_bytes": peak,
        "peak_rss_gib": round(peak / GIB, 3),
        "rss_samples": samples,
        "ru_maxrss_bytes": usage.ru_maxrss * 1024,  # Linux: KiB; the largest single process
        "log": str(log_path),
    }
    if result["status"] == "ok":
        result["stages"] = stage_times(work / "target", work / "engage.duckdb.ingest")
    return result


def stage_of(node: dict, unique_id: str) -> str:
    resource_type = node.get("resource_type") or unique_id.split(".", 1)[0]
    if resource_type in ("test", "unit_test"):
        return "tests"
    if resource_type == "seed":
        return "seeds"
    if resource_type == "snapshot":
        return "snapshots"
    path = (node.get("original_file_path") or "").replace("\\", "/")
    for prefix, stage in [
        ("models/staging/", "staging"),
        ("models/intermediate/identity/", "identity"),
        ("models/intermediate/consent/", "consent"),
        ("models/intermediate/engagement/", "engagement"),
        ("models/marts/engagement/", "engagement"),
        ("models/segments/", "segments"),
        ("models/mailchimp/", "mailchimp"),
        ("models/marts/", "marts"),
    ]:
        if path.startswith(prefix):
            return stage
    return "other"


def _parse_ts(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def stage_times(target: Path, ingest_dir: Path | None = None) -> dict:
    """Per-stage seconds from run_results.json (node timings) and manifest.json (node paths).

    `seconds` per stage: the sum of its nodes' compile + execute time (with dbt's 4 threads the
    sums overlap and can add up to more than the build). `span_seconds`: first start to last end.
    The ingest (the raw folder read) happens while `base_spreadsheets__files` compiles (dbt-duckdb
    loads plugin sources when a model resolves `source()`), so that node's compile time is the
    ingest, not staging. When the ingest folder's `last_ingest.json` (with `seconds`) is there,
    its figure is used instead (and taken out of that compile time).
    """
    results = json.loads((target / "run_results.json").read_text())
    manifest = json.loads((target / "manifest.json").read_text())
    nodes = {**manifest.get("nodes", {}), **manifest.get("unit_tests", {})}
    sums = dict.fromkeys(STAGES, 0.0)
    spans: dict[str, list[dt.datetime]] = {}
    counts = dict.fromkeys(STAGES, 0)
    for result in results["results"]:
        uid = result["unique_id"]
        stage = stage_of(nodes.get(uid, {}), uid)
        for timing in result.get("timing", []):
            if not timing.get("started_at") or not timing.get("completed_at"):
                continue
            start, end = _parse_ts(timing["started_at"]), _parse_ts(timing["completed_at"])
            part = stage
            if uid == INGEST_MODEL and timing["name"] == "compile":
                part = "ingest"
            sums[part] += (end - start).total_seconds()
            span = spans.setdefault(part, [start, end])
            span[0], span[1] = min(span[0], start), max(span[1], end)
        counts[stage] += 1
    source = "compile time of base_spreadsheets__files"
    candidates = [ingest_dir / "last_ingest.json"] if ingest_dir else []
    for candidate in [c for c in candidates if c.exists()]:
        try:
            summary = json.loads(candidate.read_text())
        except ValueError:
            continue
        seconds = summary.get("seconds")
        if isinstance(seconds, int | float):
            sums["staging"] += max(0.0, sums["ingest"] - float(seconds))
            sums["ingest"], source = float(seconds), candidate.name
            counts["ingest_files_read"] = summary.get("parsed", 0)
            counts["ingest_files_unchanged"] = summary.get("reused", 0)
            break
    return {
        "seconds": {k: round(v, 2) for k, v in sums.items()},
        "span_seconds": {k: round((v[1] - v[0]).total_seconds(), 2) for k, v in spans.items()},
        "nodes": counts,
        "ingest_source": source,
        "dbt_elapsed_seconds": round(results.get("elapsed_time", 0.0), 2),
    }


def warehouse_facts(db: Path) -> dict:
    import duckdb

    try:
        con = duckdb.connect(str(db), read_only=True)
        try:
            supporters = con.execute("SELECT count(*) FROM main.supporters").fetchall()[0][0]
        finally:
            con.close()
    except duckdb.Error as exc:
        return {"error": str(exc).splitlines()[0]}
    return {"supporters": supporters, "bytes": db.stat().st_size}


# --------------------------------------------------------------------------------------------
# One size, the table, the JSON
# --------------------------------------------------------------------------------------------


def bench_size(people: int, args: argparse.Namespace, cache_dir: Path) -> dict:
    corpus = ensure_corpus(cache_dir, people, args.seed)
    raw = corpus / "raw"
    entry: dict = {"people": people, "corpus": {"dir": str(corpus), **corpus_facts(raw)}}
    log(f"floor {people:,} people: reading {entry['corpus']['files']} files")
    entry["floor"] = measure_floor(raw, args.floor_runs)
    entry["corpus"]["data_rows"] = entry["floor"]["data_rows"]
    log(f"floor {people:,} people: {entry['floor']['seconds']:.2f}s")
    if args.only_floor:
        return entry
    work_root = Path(args.work_dir) if args.work_dir else cache_dir / "work"
    work_root.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f"people-{people}-", dir=work_root))
    log(f"build {people:,} people: fresh warehouse in {work}")
    try:
        build = run_build(raw, work, "full", args.timeout)
        entry["build"] = build
        log(
            f"build {people:,} people: {build['status']} in {build['seconds']:.1f}s, "
            f"peak RSS {build['peak_rss_gib']:.2f} GiB"
        )
        if build["status"] == "ok":
            entry["warehouse"] = warehouse_facts(work / "engage.duckdb")
        if args.incremental and build["status"] == "ok":
            entry["incremental"] = incremental(raw, corpus, work, args.timeout, build["seconds"])
    finally:
        if args.keep:
            entry["work_dir"] = str(work)
        else:
            shutil.rmtree(work, ignore_errors=True)
    return entry


def incremental(raw: Path, corpus: Path, work: Path, timeout: float, full: float) -> dict:
    out: dict = {}
    log("incremental: rebuild with no file changed")
    out["unchanged"] = run_build(raw, work, "unchanged", timeout)
    extra = corpus / "extra" / "raw" / "petitions" / extra_file_name()
    target = raw / "petitions" / extra.name
    log(f"incremental: rebuild after adding {target.relative_to(raw)}")
    shutil.copyfile(extra, target)
    try:
        out["one_new_file"] = run_build(raw, work, "one-new-file", timeout)
    finally:
        target.unlink(missing_ok=True)
    out["one_new_file"]["file"] = f"petitions/{extra.name}"
    out["one_new_file"]["file_bytes"] = extra.stat().st_size
    for key in ("unchanged", "one_new_file"):
        if out[key]["status"] == "ok" and full:
            out[key]["vs_full"] = round(out[key]["seconds"] / full, 3)
    return out


def summarise(entries: list[dict]) -> dict:
    ok = [e for e in entries if e.get("build", {}).get("status") == "ok"]
    ratios = []
    for small, big in zip(ok, ok[1:], strict=False):
        ratios.append(
            {
                "people": [small["people"], big["people"]],
                "people_ratio": round(big["people"] / small["people"], 3),
                "build_time_ratio": round(big["build"]["seconds"] / small["build"]["seconds"], 3),
            }
        )
    checks: dict = {}
    for e in entries:
        if e["people"] != 1_000_000 or "build" not in e:
            continue
        b = e["build"]
        finished = b["status"] == "ok"
        checks["build_over_floor"] = {
            "value": round(b["seconds"] / e["floor"]["seconds"], 2) if finished else None,
            "max": TARGETS["build_over_floor_max"],
        }
        checks["peak_rss_gib"] = {"value": b["peak_rss_gib"], "max": TARGETS["peak_rss_gib_max"]}
        for r in ratios:
            if r["people"] == [100_000, 1_000_000]:
                checks["time_ratio_1m_over_100k"] = {
                    "value": r["build_time_ratio"],
                    "max": TARGETS["time_ratio_1m_over_100k_max"],
                }
        for c in checks.values():
            c["met"] = c["value"] is not None and c["value"] <= c["max"]
    return {"ratios": ratios, "targets_at_1m": checks, "fixed_cost": fixed_cost(ok)}


def fixed_cost(ok: list[dict]) -> dict | None:
    """The build's fixed part (a build of a tiny corpus) set against the 1M floor, and what
    the 1M build costs beyond it: the share of build/floor that no data work can remove."""
    tiny = [e for e in ok if e["people"] <= FIXED_COST_MAX_PEOPLE]
    big = [e for e in ok if e["people"] == 1_000_000]
    if not tiny or not big:
        return None
    fixed = tiny[0]["build"]["seconds"]
    floor = big[0]["floor"]["seconds"]
    build = big[0]["build"]["seconds"]
    return {
        "people": tiny[0]["people"],
        "seconds": fixed,
        "over_floor_1m": round(fixed / floor, 2),
        "beyond_fixed_seconds_1m": round(build - fixed, 1),
        "beyond_fixed_over_floor_1m": round((build - fixed) / floor, 2),
    }


def fmt_people(n: int) -> str:
    if n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    if n % 1000 == 0:
        return f"{n // 1000}k"
    return str(n)


def print_table(entries: list[dict], summary: dict) -> None:
    stage_cols = [stage for stage in STAGES if stage != "other"]
    head = ["people", "rows", "floor s", "build s", "build/floor", "peak GiB", *stage_cols]
    lines = [head]
    for e in entries:
        b = e.get("build", {})
        floor = e["floor"]["seconds"]
        build_s = b.get("seconds")
        status = b.get("status")
        row = [
            fmt_people(e["people"]),
            f"{e['corpus'].get('data_rows', 0):,}",
            f"{floor:.2f}",
            "-" if not b else (f"{build_s:.1f}" if status == "ok" else status),
            f"{build_s / floor:.1f}x" if status == "ok" and floor else "-",
            f"{b['peak_rss_gib']:.2f}" if b else "-",
        ]
        stages = b.get("stages", {}).get("seconds", {})
        row += [f"{stages[s]:.1f}" if s in stages else "-" for s in stage_cols]
        lines.append(row)
    widths = [max(len(str(r[i])) for r in lines) for i in range(len(head))]
    for n, r in enumerate(lines):
        print("  ".join(str(c).rjust(w) for c, w in zip(r, widths, strict=True)))
        if n == 0:
            print("  ".join("-" * w for w in widths))
    for e in entries:
        inc = e.get("incremental")
        if inc:
            parts = []
            for key, label in (("unchanged", "no change"), ("one_new_file", "one new file")):
                r = inc[key]
                ratio = f" ({r['vs_full']:.2f}x full)" if "vs_full" in r else ""
                parts.append(f"{label} {r['seconds']:.1f}s {r['status']}{ratio}")
            print(f"incremental {fmt_people(e['people'])}: " + "; ".join(parts))
    for r in summary["ratios"]:
        small, big = r["people"]
        print(
            f"build time {fmt_people(big)}/{fmt_people(small)}: {r['build_time_ratio']:.2f} "
            f"(people x{r['people_ratio']:g})"
        )
    for name, c in summary["targets_at_1m"].items():
        verdict = "met" if c["met"] else "NOT met"
        print(f"target at 1M {name}: {c['value']} (max {c['max']}) {verdict}")
    fixed = summary.get("fixed_cost")
    if fixed:
        print(
            f"fixed cost (build of {fmt_people(fixed['people'])} people): {fixed['seconds']:.1f}s"
            f" = {fixed['over_floor_1m']:.1f}x the 1M floor; the 1M build beyond it:"
            f" {fixed['beyond_fixed_seconds_1m']:.1f}s = {fixed['beyond_fixed_over_floor_1m']:.1f}x"
        )
    print(
        "stage seconds: sum of node compile+execute times (dbt threads overlap); "
        "tests = all test nodes; ingest = raw folder read"
    )


def host_facts() -> dict:
    import duckdb
    import psutil

    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpu_count": os.cpu_count(),
        "memory_gib": round(psutil.virtual_memory().total / GIB, 1),
        "duckdb": duckdb.__version__,
    }


def parse_sizes(text: str) -> list[int]:
    sizes = []
    for part in text.split(","):
        part = part.strip().lower().replace("_", "")
        if not part:
            continue
        scale = 1
        if part.endswith("k"):
            part, scale = part[:-1], 1000
        elif part.endswith("m"):
            part, scale = part[:-1], 1_000_000
        sizes.append(int(float(part) * scale))
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError("--people wants positive counts, e.g. 100000,1000000")
    return sorted(set(sizes))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Benchmark `engage build` on generated corpora against the raw-scan floor "
        "(DuckDB reading every row of every file once as text). Prints a table and writes JSON. "
        "See docs/benchmarks.md.",
    )
    parser.add_argument(
        "--people",
        type=parse_sizes,
        default=DEFAULT_SIZES,
        help="comma-separated sizes, e.g. 100000,1000000 or 100k,1m (default: 1k,100k,1m; "
        "the 1k build measures the fixed cost)",
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="generator seed")
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=None,
        help="where corpora are kept (default: $ENGAGE_BENCH_DIR, else ~/.cache/engage-bench)",
    )
    parser.add_argument(
        "--work-dir",
        type=Path,
        default=None,
        help="where fresh warehouses are built (default: <cache-dir>/work)",
    )
    parser.add_argument("--only-floor", action="store_true", help="measure the floor, no build")
    parser.add_argument("--keep", action="store_true", help="keep the warehouses and dbt target")
    parser.add_argument(
        "--timeout",
        type=float,
        default=3600.0,
        help="seconds before a build is killed and reported as 'did not finish' (default 3600)",
    )
    parser.add_argument(
        "--incremental",
        action="store_true",
        help="after the full build: rebuild with no change, then with one new "
        "small petition export",
    )
    parser.add_argument(
        "--floor-runs",
        type=int,
        default=2,
        help="passes over the files for the floor; the fastest counts (default 2)",
    )
    parser.add_argument(
        "--json",
        type=Path,
        default=None,
        help="results file (default: <cache-dir>/bench-results.json)",
    )
    args = parser.parse_args(argv)
    cache_dir = (
        (
            args.cache_dir
            or Path(os.environ.get("ENGAGE_BENCH_DIR") or Path.home() / ".cache" / "engage-bench")
        )
        .expanduser()
        .resolve()
    )
    if not args.only_floor and not ENGAGE.exists():
        parser.error(f"{ENGAGE} is missing: run `make install` first")
    cache_dir.mkdir(parents=True, exist_ok=True)
    entries = [bench_size(people, args, cache_dir) for people in args.people]
    summary = summarise(entries)
    results = {
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": f"engage build --as-of {AS_OF}",
        "seed": args.seed,
        "generator_sha256": generator_hash(),
        "host": host_facts(),
        "sizes": entries,
        **summary,
        "targets": TARGETS,
        "children_ru_maxrss_bytes": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024,
    }
    json_path = (args.json or cache_dir / "bench-results.json").expanduser()
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(results, indent=2) + "\n")
    print_table(entries, summary)
    print(f"results: {json_path}")
    builds = [e["build"]["status"] for e in entries if "build" in e]
    return 0 if all(s == "ok" for s in builds) else 1


if __name__ == "__main__":
    raise SystemExit(main())

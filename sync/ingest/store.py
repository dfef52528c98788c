"""The ingest folder: every raw file parsed once into Parquet, re-read only when it changes.

`ingest(raw_dir, ingest_dir)` brings `<ingest_dir>` in line with the raw folder and returns the
small raw tables (`raw_files`, `raw_headers`) as Arrow; the rows stay on disk as Parquet for
the warehouse to read (`raw_rows`, see `models/staging/spreadsheets/_spreadsheets__sources.yml`).

Layout of `<ingest_dir>`:
  manifest.json                    per raw file: its fingerprint (raw folder, size, mtime) and
                                   what it yielded (sheets with header, content hash, rows read,
                                   or the reason it could not be read)
  rows/<file_id>/part-NNNNN.parquet  the rows of each current sheet (`sync.ingest.parse`)
  rows/_empty/part-00000.parquet   an empty part, so `rows/*/*.parquet` always matches
  last_ingest.json                 the last run's counts and seconds (benchmarks, reports)

A file whose path, size and modification time are unchanged is not opened again; a changed or
new file is parsed; parts of files that are gone are deleted. Parsing runs in worker processes
(`ENGAGE_INGEST_WORKERS`, default: one per core) once there is more than a few MB to read, and
each file is time-boxed (`ENGAGE_INGEST_FILE_TIMEOUT` seconds, default 300): a file that takes
longer, or crashes its reader, is quarantined with that reason instead of stopping the build.
Nothing but regular files is ever opened (`sync.ingest.scan`).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import asdict, dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from sync.ingest.parse import PARSER_VERSION, SheetResult, file_id, parse_file, ready
from sync.ingest.scan import RawFileEntry, check_raw_dir, list_raw_files

RAW_FILES_SCHEMA = pa.schema(
    [
        ("file_id", pa.string()),
        ("file_path", pa.string()),
        ("kind", pa.string()),
        ("file_name", pa.string()),
        ("sheet_name", pa.string()),
        ("content_hash", pa.string()),
        ("encoding", pa.string()),
        ("delimiter", pa.string()),
        ("rows_read", pa.int64()),
        ("read_error", pa.string()),
        ("read_note", pa.string()),
    ]
)
RAW_HEADERS_SCHEMA = pa.schema(
    [("file_id", pa.string()), ("column_position", pa.int64()), ("header", pa.string())]
)
ROWS_FOLDER = "rows"
ROWS_GLOB = f"{ROWS_FOLDER}/*/*.parquet"
_EMPTY = "_empty"
_MANIFEST = "manifest.json"
_LAST_RUN = "last_ingest.json"

DEFAULT_FILE_TIMEOUT = 300.0
# Below this many bytes to parse, parse in-process: starting workers would cost more.
DEFAULT_POOL_MIN_BYTES = 4 * 1024 * 1024

Progress = Callable[[str], None]


@dataclass
class IngestSummary:
    """Counts for one ingest run; never any cell content (cells can be personal data)."""

    files: int = 0
    parsed: int = 0
    reused: int = 0
    quarantined: int = 0
    sheets: int = 0
    rows: int = 0
    seconds: float = 0.0

    def line(self, raw_dir: Path) -> str:
        return (
            f"engage_files: {raw_dir}: {self.files} files ({self.parsed} read, {self.reused} "
            f"unchanged, {self.quarantined} quarantined), {self.sheets} sheets, {self.rows} rows "
            f"in {self.seconds:.2f}s"
        )


@dataclass
class IngestResult:
    raw_files: pa.Table
    raw_headers: pa.Table
    summary: IngestSummary


@dataclass(frozen=True)
class IngestOptions:
    workers: int
    file_timeout: float
    pool_min_bytes: int

    @classmethod
    def from_env(cls) -> IngestOptions:
        return cls(
            workers=max(1, int(os.environ.get("ENGAGE_INGEST_WORKERS") or os.cpu_count() or 1)),
            file_timeout=float(
                os.environ.get("ENGAGE_INGEST_FILE_TIMEOUT") or DEFAULT_FILE_TIMEOUT
            ),
            pool_min_bytes=int(
                os.environ.get("ENGAGE_INGEST_POOL_MIN_BYTES") or DEFAULT_POOL_MIN_BYTES
            ),
        )


def ingest(
    raw_dir: Path,
    ingest_dir: Path,
    options: IngestOptions | None = None,
    progress: Progress | None = None,
) -> IngestResult:
    """Bring `ingest_dir` in line with `raw_dir` (see module docstring); the raw tables."""
    started = time.perf_counter()
    options = options or IngestOptions.from_env()
    root = check_raw_dir(raw_dir)
    rows_dir = ingest_dir / ROWS_FOLDER
    rows_dir.mkdir(parents=True, exist_ok=True)
    _ensure_empty_part(rows_dir)
    previous = _load_manifest(ingest_dir, root)
    summary = IngestSummary()
    files: dict[str, dict] = {}
    todo: list[RawFileEntry] = []
    for entry in list_raw_files(root):
        summary.files += 1
        fingerprint = {"size": entry.size, "mtime_ns": entry.mtime_ns}
        if entry.skip_reason:
            sheet = SheetResult(file_id(entry.file_path, None), None, read_error=entry.skip_reason)
            files[entry.file_path] = {**fingerprint, "sheets": [sheet.to_dict()]}
            continue
        old = previous.get(entry.file_path)
        if old and _reusable(old, fingerprint, rows_dir):
            files[entry.file_path] = old
            summary.reused += 1
        else:
            todo.append(entry)
    for entry, sheets, retry in _parse_all(todo, rows_dir, options, progress):
        files[entry.file_path] = {
            "size": entry.size,
            "mtime_ns": entry.mtime_ns,
            "sheets": sheets,
            "retry": retry,
        }
        summary.parsed += 1
    _remove_stale_parts(rows_dir, files)
    _save_json(
        ingest_dir / _MANIFEST, {"version": PARSER_VERSION, "root": str(root), "files": files}
    )
    result = _tables(files, summary)
    summary.seconds = time.perf_counter() - started
    _save_json(ingest_dir / _LAST_RUN, {"raw_dir": str(root), **asdict(summary)})
    return result


def _reusable(old: dict, fingerprint: dict, rows_dir: Path) -> bool:
    if old.get("retry") or old.get("size") != fingerprint["size"]:
        return False
    if old.get("mtime_ns") != fingerprint["mtime_ns"]:
        return False
    return all(
        (rows_dir / sheet["file_id"]).is_dir()
        for sheet in old["sheets"]
        if sheet["read_error"] is None
    )


def _load_manifest(ingest_dir: Path, root: Path) -> dict[str, dict]:
    """The previous run's files, if it read the same raw folder with the same parser."""
    try:
        manifest = json.loads((ingest_dir / _MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if manifest.get("version") != PARSER_VERSION or manifest.get("root") != str(root):
        return {}
    return manifest.get("files", {})


def _save_json(path: Path, value: dict) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(value, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)


def _ensure_empty_part(rows_dir: Path) -> None:
    path = rows_dir / _EMPTY / "part-00000.parquet"
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    empty = pa.table(
        {
            "file_id": pa.array([], pa.string()),
            "row_number": pa.array([], pa.int64()),
            "c1": pa.array([], pa.string()),
        }
    )
    pq.write_table(empty, path)


def _remove_stale_parts(rows_dir: Path, files: dict[str, dict]) -> None:
    """Delete the parts of sheets that are no longer in the raw folder (or no longer read)."""
    current = {
        sheet["file_id"]
        for record in files.values()
        for sheet in record["sheets"]
        if sheet["read_error"] is None
    }
    for child in rows_dir.iterdir():
        if child.name != _EMPTY and child.name not in current:
            shutil.rmtree(child, ignore_errors=True)


def _tables(files: dict[str, dict], summary: IngestSummary) -> IngestResult:
    file_rows: list[dict] = []
    header_ids: list[str] = []
    header_positions: list[int] = []
    header_texts: list[str] = []
    for path in sorted(files):
        record = files[path]
        kind = path.split("/", 1)[0] if "/" in path else None
        for sheet in record["sheets"]:
            if sheet["read_error"] is not None:
                summary.quarantined += 1
            else:
                summary.sheets += 1
                summary.rows += sheet["rows_read"]
            file_rows.append(
                {
                    "file_id": sheet["file_id"],
                    "file_path": path,
                    "kind": kind,
                    "file_name": path.rsplit("/", 1)[-1],
                    "sheet_name": sheet["sheet_name"],
                    "content_hash": sheet["content_hash"],
                    "encoding": sheet["encoding"],
                    "delimiter": sheet["delimiter"],
                    "rows_read": sheet["rows_read"],
                    "read_error": sheet["read_error"],
                    "read_note": sheet.get("read_note"),
                }
            )
            for position, header in enumerate(sheet["headers"], start=1):
                header_ids.append(sheet["file_id"])
                header_positions.append(position)
                header_texts.append(header)
    headers = pa.table(
        [
            pa.array(header_ids, pa.string()),
            pa.array(header_positions, pa.int64()),
            pa.array(header_texts, pa.string()),
        ],
        schema=RAW_HEADERS_SCHEMA,
    )
    return IngestResult(pa.Table.from_pylist(file_rows, schema=RAW_FILES_SCHEMA), headers, summary)


# ------------------------------------------------------------------------------------ parsing


def _parse_all(
    todo: list[RawFileEntry],
    rows_dir: Path,
    options: IngestOptions,
    progress: Progress | None,
):
    """Yield (entry, sheet results, retry next time) for every file to parse."""
    if not todo:
        return
    total = sum(e.size for e in todo)
    if total < options.pool_min_bytes:
        for entry in todo:
            yield entry, parse_file(str(entry.path), entry.file_path, str(rows_dir)), False
        return
    yield from _parse_in_workers(todo, rows_dir, options, progress)


def _timeout_result(entry: RawFileEntry, seconds: float) -> list[dict]:
    reason = (
        f"reading took longer than {seconds:g} s and was stopped; the file is quarantined and "
        "is tried again on the next build. Split it into smaller files, or raise "
        "ENGAGE_INGEST_FILE_TIMEOUT"
    )
    return [SheetResult(file_id(entry.file_path, None), None, read_error=reason).to_dict()]


def _crash_result(entry: RawFileEntry, exc: BaseException) -> list[dict]:
    reason = (
        f"the reader crashed on this file ({type(exc).__name__}); re-export it as CSV (UTF-8) "
        "or XLSX"
    )
    return [SheetResult(file_id(entry.file_path, None), None, read_error=reason).to_dict()]


def _parse_in_workers(
    todo: list[RawFileEntry],
    rows_dir: Path,
    options: IngestOptions,
    progress: Progress | None,
):
    """Parse files in worker processes, at most `workers` at a time, each time-boxed.

    A file over its time box gets every worker killed (a stuck reader cannot be interrupted
    otherwise); the other files in flight are started again. A file whose worker died is tried
    once more on its own before it is quarantined.
    """
    context = multiprocessing.get_context("spawn")
    pending = deque(sorted(todo, key=lambda e: (-e.size, e.file_path)))
    attempts: dict[str, int] = {}
    inflight: dict[Future, tuple[RawFileEntry, float]] = {}
    executor: ProcessPoolExecutor | None = None
    done_count, last_report = 0, time.monotonic()
    try:
        while pending or inflight:
            if executor is None:
                size = min(options.workers, len(todo))
                executor = ProcessPoolExecutor(max_workers=size, mp_context=context)
                # start every worker before the time boxes start ticking
                wait([executor.submit(ready) for _ in range(size)])
            while pending and len(inflight) < options.workers:
                retrying = attempts.get(pending[0].file_path, 0) > 0
                if retrying and inflight:
                    break  # a file that crashed a worker runs alone
                entry = pending.popleft()
                future = executor.submit(
                    parse_file, str(entry.path), entry.file_path, str(rows_dir)
                )
                inflight[future] = (entry, time.monotonic())
                if retrying:
                    break
            now = time.monotonic()
            next_deadline = min(t0 + options.file_timeout for _, t0 in inflight.values())
            finished, _ = wait(
                list(inflight), timeout=max(0.05, next_deadline - now), return_when=FIRST_COMPLETED
            )
            broken = False
            for future in finished:
                entry, _ = inflight.pop(future)
                try:
                    sheets = future.result()
                except Exception as exc:  # BrokenProcessPool: a worker died (e.g. killed)
                    broken = True
                    attempts[entry.file_path] = attempts.get(entry.file_path, 0) + 1
                    if attempts[entry.file_path] >= 2:
                        done_count += 1
                        yield entry, _crash_result(entry, exc), True
                    else:
                        pending.appendleft(entry)
                    continue
                done_count += 1
                yield entry, sheets, False
            now = time.monotonic()
            expired = [f for f, (_, t0) in inflight.items() if now - t0 > options.file_timeout]
            if expired or broken:
                for future in expired:
                    entry, _ = inflight.pop(future)
                    done_count += 1
                    yield entry, _timeout_result(entry, options.file_timeout), True
                for entry, _ in inflight.values():
                    pending.appendleft(entry)
                inflight.clear()
                _kill(executor)
                executor = None
            if progress and time.monotonic() - last_report > 10:
                progress(f"engage_files: read {done_count} of {len(todo)} changed files")
                last_report = time.monotonic()
    finally:
        if executor is not None and inflight:
            _kill(executor)
        elif executor is not None:
            executor.shutdown(wait=True)


def _kill(executor: ProcessPoolExecutor) -> None:
    processes = list(getattr(executor, "_processes", {}).values())
    for process in processes:
        process.kill()
    executor.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.join(timeout=5)

"""Apply a plan to Mailchimp, chunk by chunk, recording each acknowledged chunk in the state.

Owns the order of writes and what each Mailchimp answer means for our state:

1. merge fields: the audience's schema is checked and missing fields created (a conflict stops
   the run here, before any member is written);
2. creates: batch subscribe (<=500, `update_existing: false`) with `subscribed`/`pending`, so an
   address that already exists is never given a status; those come back as
   `ERROR_CONTACT_EXISTS` and are updated in step 3 instead;
3. updates: batch subscribe with `update_existing: true` and no status, changed fields only;
4. unsubscribes: batch subscribe with `status: unsubscribed` (the only status we ever send to
   an existing member);
5. tags: static-segment `members_to_add` / `members_to_remove` (<=500 each), per tag; never
   `sync_tags`, so tags we do not own are never touched;
6. archives: DELETE per member.

Chunks of a step run concurrently (up to the client's cap); each acknowledged chunk is written
to `engage_sync` in its own transaction by the main thread, so a run killed at any point
resumes from the state on the next run. Terminal per-member errors go to `sync_rejects`;
transient ones are counted and left for the next run (the plan will contain them again).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import duckdb

from sync.errors import ConfigError, MailchimpError, redact
from sync.mailchimp import state
from sync.mailchimp.client import MailchimpClient, subscriber_hash
from sync.mailchimp.exposures import Audience, MergeFieldSpec
from sync.mailchimp.merge_fields import check_schema, create_body, to_mailchimp
from sync.mailchimp.state import SCHEMA

log = logging.getLogger("engage.sync.apply")

CHUNK = 500  # Mailchimp's maximum for batch subscribe and static-segment batches


def chunk_size() -> int:
    """Members per request: 500, or less with ENGAGE_SYNC_CHUNK_SIZE (less work to redo after
    a crash, more requests)."""
    raw = os.environ.get("ENGAGE_SYNC_CHUNK_SIZE", "")
    try:
        n = int(raw) if raw else CHUNK
    except ValueError:
        raise ConfigError(f"ENGAGE_SYNC_CHUNK_SIZE={raw!r} is not a number") from None
    if not 1 <= n <= CHUNK:
        raise ConfigError(f"ENGAGE_SYNC_CHUNK_SIZE must be between 1 and {CHUNK}, not {n}")
    return n


MAX_ERRORS_KEPT = 50


def reject_reason(text: str, field_name: str = "", code: str = "") -> str | None:
    """Map a per-member Mailchimp error to a terminal reject reason (None: not terminal)."""
    t = (text or "").lower()
    if code == "ERROR_CONTACT_EXISTS" or "already a list member" in t or "member exists" in t:
        return "exists"
    if "compliance state" in t:
        return "compliance_state"
    if "permanently deleted" in t or "forgotten" in t:
        return "forgotten"
    if "fake or invalid" in t or "valid email" in t or "role-based" in t or "role based" in t:
        return "invalid_email"
    if field_name or "merge field" in t or "please enter" in t or "please choose" in t:
        return "invalid_merge_value"
    return None


@dataclass
class ApplyResult:
    done: Counter = field(default_factory=Counter)
    failed: Counter = field(default_factory=Counter)
    rejected: Counter = field(default_factory=Counter)
    merge_fields_created: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def partial(self) -> bool:
        return sum(self.failed.values()) > 0

    def note_error(self, text: str) -> None:
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append(redact(text))

    def as_dict(self) -> dict[str, Any]:
        return {
            "done": {k: v for k, v in self.done.items() if v},
            "failed": {k: v for k, v in self.failed.items() if v},
            "rejected": {k: v for k, v in self.rejected.items() if v},
            "merge_fields_created": self.merge_fields_created,
            "errors": self.errors,
        }


@dataclass
class MemberRow:
    subscriber_hash: str
    email_address: str
    supporter_id: str | None
    status: str | None
    fields: dict[str, str]  # canonical values to send


@dataclass(frozen=True)
class MemberBatch:
    """One kind of batch-subscribe write: the step, the status sent (None: none) and whether
    existing members are updated (never for creates, so no existing member gets a status)."""

    step: str
    status: str | None
    update_existing: bool
    done_key: str


UPDATE = MemberBatch("update", None, True, "updated")


class ProgressSink:
    """Where apply reports progress; the CLI passes a rich-backed one."""

    def start(self, step: str, total: int) -> None:  # pragma: no cover - trivial
        pass

    def advance(self, step: str, n: int) -> None:  # pragma: no cover - trivial
        pass


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _payload_hash(fields: dict[str, str], specs: list[MergeFieldSpec]) -> str:
    return hashlib.md5("|".join(fields.get(s.tag, "") for s in specs).encode()).hexdigest()


class Applier:
    """Executes the current plan of one audience."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        client: MailchimpClient,
        aud: Audience,
        audience_id: str,
        run_id: str,
        progress: ProgressSink | None = None,
        after_chunk: Callable[[str, str], None] | None = None,
    ) -> None:
        self.con = con
        self.client = client
        self.aud = aud
        self.audience_id = audience_id
        self.run_id = run_id
        self.progress = progress or ProgressSink()
        # Test hook: called as (step, "acknowledged") inside each chunk's transaction, just
        # before the commit, and as (step, "committed") right after it.
        self.after_chunk = after_chunk
        self.chunk = chunk_size()
        # The exposure's cap, within the client's (a client may be shared by audiences).
        self.concurrency = max(1, min(client.concurrency, aud.spec.concurrency))
        self.specs = {s.tag: s for s in aud.spec.merge_fields}
        self.result = ApplyResult()
        # Members this run could not create/update, or found opted out: no tag adds for them.
        self.skip_tags: set[str] = set()

    # -- helpers ---------------------------------------------------------------------------

    def _rows(self, action: str) -> list[MemberRow]:
        rows = self.con.execute(
            f"select subscriber_hash, email_address, supporter_id, status, merge_fields "
            f"from {SCHEMA}.plan_members where audience_key = ? and action = ? "
            "order by subscriber_hash",
            [self.aud.key, action],
        ).fetchall()
        return [MemberRow(h, e, s, st, json.loads(mf) if mf else {}) for h, e, s, st, mf in rows]

    def _body(self, row: MemberRow, status: str | None) -> dict[str, Any]:
        body: dict[str, Any] = {"email_address": row.email_address}
        if status:
            body["status"] = status
        if row.fields:
            body["merge_fields"] = {
                tag: to_mailchimp(self.specs[tag], value)
                for tag, value in row.fields.items()
                if tag in self.specs  # only declared fields, ever
            }
        return body

    def _record(
        self, step: str, fn: Callable[[duckdb.DuckDBPyConnection], None], items: int = 0
    ) -> None:
        """The one path every sink records an acknowledged chunk through: its effects on the
        state and its journal line, in one transaction."""
        with state.in_transaction(self.con) as con:
            fn(con)
            con.execute(
                f"insert into {SCHEMA}.sync_ops values (?, ?, ?, ?, ?, ?, ?, ?)",
                [self.run_id, self.audience_id, step, None, items, None, None, state.utcnow()],
            )
            if self.after_chunk:
                self.after_chunk(step, "acknowledged")
        if self.after_chunk:
            self.after_chunk(step, "committed")

    def _run_concurrently(
        self,
        step: str,
        jobs: list[tuple[Any, Callable[[], Any]]],
        on_done: Callable[[Any, Any], None],
        on_error: Callable[[Any, MailchimpError], None],
    ) -> None:
        """Run `fn()` for each (key, fn) on the pool; handle results on this (main) thread.

        At most `concurrency` jobs are sent and not yet handled: a new one starts only when
        the answer of another has been recorded, so a run killed at any point has at most
        that many chunks in flight (sent, but not in the state) to send again.
        """
        if not jobs:
            return
        cap = self.concurrency
        queue = iter(jobs)
        pending: dict[Future, Any] = {}
        with ThreadPoolExecutor(max_workers=cap) as pool:

            def top_up() -> None:
                while len(pending) < cap:
                    job = next(queue, None)
                    if job is None:
                        return
                    pending[pool.submit(job[1])] = job[0]

            try:
                top_up()
                while pending:
                    finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                    for fut in finished:
                        key = pending.pop(fut)
                        try:
                            res = fut.result()
                        except MailchimpError as exc:
                            on_error(key, exc)
                        else:
                            on_done(key, res)
                        top_up()
            except BaseException:
                for f in pending:
                    f.cancel()
                raise

    # -- steps -----------------------------------------------------------------------------

    def run(self) -> ApplyResult:
        self.ensure_merge_fields()
        self.creates()
        self.updates()
        self.unsubscribes()
        self.tags()
        self.archives()
        return self.result

    def ensure_merge_fields(self) -> None:
        """Check the audience's merge fields (a conflict stops the run here, before any member
        is written) and create the missing ones, concurrently."""
        declared = list(self.aud.spec.merge_fields)
        existing = self.client.get_merge_fields(self.audience_id)
        missing = check_schema(declared, existing, self.aud.spec.merge_field_cap)
        add = self.client.add_merge_field
        self._setup_calls([partial(add, self.audience_id, create_body(m)) for m in missing])
        self.result.merge_fields_created = [m.tag for m in missing]

    def _setup_calls(self, calls: list[Callable[[], Any]]) -> list[Any]:
        """Independent setup calls (merge fields, tags), at most `concurrency` at once; their
        results in order. The first error is raised once every call has finished."""
        if len(calls) <= 1:
            return [c() for c in calls]
        with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
            futures = [pool.submit(c) for c in calls]
            wait(futures)
        return [f.result() for f in futures]

    def _member_errors(
        self,
        step: str,
        res: dict[str, Any],
        by_hash: dict[str, MemberRow],
        con: duckdb.DuckDBPyConnection,
    ) -> tuple[list[MemberRow], set[str]]:
        """Sort per-member errors: (already exist, every failed hash). Terminal ones recorded."""
        exists: list[MemberRow] = []
        failed: set[str] = set()
        rejects = []
        for err in res.get("errors") or []:
            email = str(err.get("email_address") or "")
            h = subscriber_hash(email) if email else ""
            row = by_hash.get(h)
            if row is None:
                continue
            failed.add(h)
            reason = reject_reason(
                str(err.get("error", "")), str(err.get("field") or ""), str(err.get("error_code"))
            )
            if reason == "exists":
                exists.append(row)
            elif reason:
                detail = redact(str(err.get("error", "")))
                if err.get("field"):
                    detail += f" ({err.get('field')}: {err.get('field_message', '')})"
                rejects.append(
                    (
                        h,
                        row.email_address,
                        reason,
                        detail,
                        err.get("field") or None,
                        _payload_hash(row.fields, list(self.specs.values()))
                        if reason == "invalid_merge_value"
                        else None,
                    )
                )
                self.result.rejected[reason] += 1
            else:
                self.result.failed[step] += 1
                self.result.note_error(f"{step} {h[:12]}: {err.get('error', '')}")
        if rejects:
            state.record_rejects(con, self.audience_id, rejects, self.run_id)
        return exists, failed

    # -- member sinks: batch subscribe, one chunk at a time -------------------------------

    def _send_members(self, batch: MemberBatch, chunk: list[MemberRow]) -> dict[str, Any]:
        bodies = [self._body(r, batch.status) for r in chunk]
        return self.client.batch_subscribe(self.audience_id, bodies, batch.update_existing)

    def _members_acknowledged(
        self, batch: MemberBatch, chunk: list[MemberRow], res: dict[str, Any]
    ) -> None:
        """Record one acknowledged chunk; members that turned out to exist are updated (no
        status) right away, so they are recorded before anything else is sent."""
        by_hash = {r.subscriber_hash: r for r in chunk}
        exists: list[MemberRow] = []

        def write(con: duckdb.DuckDBPyConnection) -> None:
            found, failed = self._member_errors(batch.step, res, by_hash, con)
            exists.extend(found)
            ok_members = []
            for m in (res.get("new_members") or []) + (res.get("updated_members") or []):
                h = str(m.get("id") or subscriber_hash(str(m.get("email_address", ""))))
                row = by_hash.get(h)
                if row is None or h in failed:
                    continue
                ok_members.append((row, str(m.get("status") or batch.status or "")))
            state.record_members(
                con,
                self.audience_id,
                [(r.subscriber_hash, r.email_address, r.supporter_id, st) for r, st in ok_members],
                self.run_id,
            )
            state.record_fields(
                con,
                self.audience_id,
                [(r.subscriber_hash, t, v) for r, _ in ok_members for t, v in r.fields.items()],
            )
            state.clear_rejects(con, self.audience_id, [r.subscriber_hash for r, _ in ok_members])
            acknowledged = {r.subscriber_hash for r, _ in ok_members}
            # Acknowledged by neither list nor errors (should not happen): retry next run.
            missing = set(by_hash) - acknowledged - failed
            if missing:
                self.result.failed[batch.step] += len(missing)
            self.skip_tags.update(failed - {r.subscriber_hash for r in found})
            self.skip_tags.update(missing)
            self.skip_tags.update(
                r.subscriber_hash
                for r, st in ok_members
                if st in ("unsubscribed", "cleaned", "archived")
            )
            self.result.done[batch.done_key] += len(ok_members)

        self._record(batch.step, write, len(chunk))
        self.progress.advance(batch.step, len(chunk))
        if exists and batch.step == "create":
            self.result.done["found_existing"] += len(exists)
            for part in _chunks(exists, self.chunk):
                self._members_now(UPDATE, part)

    def _members_now(self, batch: MemberBatch, chunk: list[MemberRow]) -> None:
        """Send one chunk on this thread and record the answer."""
        try:
            res = self._send_members(batch, chunk)
        except MailchimpError as exc:
            self._members_failed(batch, chunk, exc)
        else:
            self._members_acknowledged(batch, chunk, res)

    def _members_failed(
        self, batch: MemberBatch, chunk: list[MemberRow], exc: MailchimpError
    ) -> None:
        step = batch.step
        if exc.status == 400 and len(chunk) > 1 and not exc.transient:
            # One bad member can fail a whole request: split to isolate it.
            half = len(chunk) // 2
            for part in (chunk[:half], chunk[half:]):
                self._members_now(batch, part)
            return
        if exc.status == 400 and len(chunk) == 1 and not exc.transient:
            row = chunk[0]
            reason = (
                reject_reason(exc.detail + " " + exc.title, "merge" if exc.errors else "")
                or "invalid_merge_value"
            )
            if reason != "exists":
                reject = (
                    row.subscriber_hash,
                    row.email_address,
                    reason,
                    exc.summary(),
                    (exc.errors[0].get("field") if exc.errors else None),
                    _payload_hash(row.fields, list(self.specs.values())),
                )
                self._record(
                    step,
                    lambda con: state.record_rejects(con, self.audience_id, [reject], self.run_id),
                )
                self.result.rejected[reason] += 1
                self.skip_tags.add(row.subscriber_hash)
                self.progress.advance(step, 1)
                return
        self.result.failed[step] += len(chunk)
        self.result.note_error(f"{step}: {exc.summary()}")
        self.skip_tags.update(r.subscriber_hash for r in chunk)
        self.progress.advance(step, len(chunk))

    def _members(self, batch: MemberBatch, rows: list[MemberRow]) -> None:
        """Batch subscribe `rows` in chunks, at most `concurrency` in flight."""
        self._run_concurrently(
            batch.step,
            [(c, partial(self._send_members, batch, c)) for c in _chunks(rows, self.chunk)],
            partial(self._members_acknowledged, batch),
            partial(self._members_failed, batch),
        )

    def creates(self) -> None:
        """Create new members (subscribed, or pending on double opt-in); those that turn out
        to exist already are updated without a status as soon as their chunk is answered."""
        rows = self._rows("create")
        self.progress.start("create", len(rows))
        by_status: dict[str, list[MemberRow]] = {}
        for r in rows:
            by_status.setdefault(r.status or "subscribed", []).append(r)
        for status, group in sorted(by_status.items()):
            self._members(MemberBatch("create", status, False, "created"), group)

    def updates(self) -> None:
        rows = self._rows("update")
        self.progress.start("update", len(rows))
        self._members(UPDATE, rows)

    def unsubscribes(self) -> None:
        rows = self._rows("unsubscribe")
        self.progress.start("unsubscribe", len(rows))
        for r in rows:
            r.fields = {}
        self._members(MemberBatch("unsubscribe", "unsubscribed", True, "unsubscribed"), rows)

    def _tag_rows(self) -> dict[str, tuple[str, list[tuple[str, str]], list[tuple[str, str]]]]:
        """lower(tag) -> (tag, adds [(hash, email)], removes [(hash, email)])."""
        out: dict[str, tuple[str, list, list]] = {}
        for h, e, tag, op in self.con.execute(
            f"select subscriber_hash, email_address, tag, op from {SCHEMA}.plan_tags "
            "where audience_key = ? order by tag, subscriber_hash",
            [self.aud.key],
        ).fetchall():
            entry = out.setdefault(tag.lower(), (tag, [], []))
            if op == "add":
                if h not in self.skip_tags:
                    entry[1].append((h, e))
            else:
                entry[2].append((h, e))
        return out

    def tags(self) -> None:
        plan = self._tag_rows()
        total = sum(len(a) + len(r) for _, a, r in plan.values())
        self.progress.start("tags", total)
        if not total:
            return
        try:
            segments = self.client.static_segments(self.audience_id)
        except MailchimpError as exc:
            self.result.failed["tags"] += total
            self.result.note_error(f"tags: listing tags failed: {exc.summary()}")
            return
        to_create = [
            tag for low, (tag, adds, _) in sorted(plan.items()) if adds and low not in segments
        ]
        created = self._create_tags(to_create)
        jobs: list[tuple[Any, Callable[[], Any]]] = []
        for low, (tag, adds, removes) in sorted(plan.items()):
            seg = segments.get(low)
            if seg is None and not adds:
                # Nothing to remove from a tag that does not exist.
                gone = [(h, tag) for h, _ in removes]
                self._record(
                    "tags",
                    lambda con, g=gone: state.record_tags_removed(con, self.audience_id, g),
                    len(gone),
                )
                self.result.done["tags_removed"] += len(removes)
                self.progress.advance("tags", len(removes))
                continue
            if seg is None:
                seg_id = created.get(low)
                if isinstance(seg_id, MailchimpError):
                    self.result.failed["tags"] += len(adds) + len(removes)
                    self.result.note_error(f"tags: creating {tag!r} failed: {seg_id.summary()}")
                    continue
            else:
                seg_id = seg[0]
            n = max(len(adds), len(removes))
            for i in range(0, n, self.chunk):
                a_chunk, r_chunk = adds[i : i + self.chunk], removes[i : i + self.chunk]
                key = (tag, a_chunk, r_chunk)
                jobs.append(
                    (
                        key,
                        lambda s=seg_id, a=a_chunk, r=r_chunk: self.client.segment_batch(
                            self.audience_id, s, [e for _, e in a], [e for _, e in r]
                        ),
                    )
                )

        def on_done(key: tuple[str, list, list], res: dict[str, Any]) -> None:
            tag, a_chunk, r_chunk = key
            not_members = {
                subscriber_hash(str(e))
                for err in res.get("errors") or []
                for e in err.get("email_addresses") or []
            }
            added = [(h, tag) for h, _ in a_chunk if h not in not_members]
            # A remove reported as "not a member" means the tag is not there: done too.
            removed = [(h, tag) for h, _ in r_chunk]

            def write(con: duckdb.DuckDBPyConnection) -> None:
                state.record_tags_added(con, self.audience_id, added)
                state.record_tags_removed(con, self.audience_id, removed)

            self._record("tags", write, len(a_chunk) + len(r_chunk))
            failed_adds = len(a_chunk) - len(added)
            if failed_adds:
                self.result.failed["tags"] += failed_adds
                self.result.note_error(f"tags: {failed_adds} add(s) to {tag!r} refused")
            self.result.done["tags_added"] += len(added)
            self.result.done["tags_removed"] += len(removed)
            self.progress.advance("tags", len(a_chunk) + len(r_chunk))

        def on_error(key: tuple[str, list, list], exc: MailchimpError) -> None:
            tag, a_chunk, r_chunk = key
            self.result.failed["tags"] += len(a_chunk) + len(r_chunk)
            self.result.note_error(f"tags {tag!r}: {exc.summary()}")
            self.progress.advance("tags", len(a_chunk) + len(r_chunk))

        self._run_concurrently("tags", jobs, on_done, on_error)

    def _create_tag(self, tag: str) -> int | MailchimpError:
        """Create the static segment of `tag`; one that already exists (a create whose answer
        was lost to a dropped connection, then retried) is looked up instead."""
        try:
            return self.client.create_static_segment(self.audience_id, tag)
        except MailchimpError as exc:
            if exc.status != 400 or "already exists" not in (exc.detail + exc.title).lower():
                return exc
            try:
                found = self.client.static_segments(self.audience_id).get(tag.lower())
            except MailchimpError as again:
                return again
            return found[0] if found else exc

    def _create_tags(self, tags: list[str]) -> dict[str, int | MailchimpError]:
        """lower(tag) -> segment id (or the error) for each tag, created concurrently."""
        ids = self._setup_calls([partial(self._create_tag, t) for t in tags])
        return {t.lower(): i for t, i in zip(tags, ids, strict=True)}

    def archives(self) -> None:
        rows = self._rows("archive")
        self.progress.start("archive", len(rows))

        def job(row: MemberRow) -> Callable[[], Any]:
            return lambda: self.client.archive_member(self.audience_id, row.subscriber_hash)

        def done(row: MemberRow, _res: Any) -> None:
            self._record(
                "archive",
                lambda con: state.record_member_status(
                    con, self.audience_id, [row.subscriber_hash], "archived"
                ),
            )
            self.result.done["archived"] += 1
            self.progress.advance("archive", 1)

        def error(row: MemberRow, exc: MailchimpError) -> None:
            if exc.status in (404, 405):
                # Gone, or a state Mailchimp cannot archive (pending, cleaned, archived): done.
                done(row, None)
                return
            self.result.failed["archive"] += 1
            self.result.note_error(f"archive {row.subscriber_hash[:12]}: {exc.summary()}")
            self.progress.advance("archive", 1)

        self._run_concurrently("archive", [(r, job(r)) for r in rows], done, error)

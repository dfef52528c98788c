"""Apply a plan to Mailchimp, chunk by chunk, recording each acknowledged chunk in the state.

Owns the order of writes and what each Mailchimp answer means for our state. `Applier`
orchestrates one sink per kind of write (the shape of a singer-sdk Target and its Sinks):

1. merge fields (`Applier.ensure_merge_fields`): the audience's schema is checked and missing
   fields created (a conflict stops the run here, before any member is written);
2. `CreateSink`: batch subscribe (<=500, `update_existing: false`) with `subscribed`/`pending`,
   so an address that already exists is never given a status; those come back as
   `ERROR_CONTACT_EXISTS` and are updated (as in step 3) as soon as their chunk is answered;
3. `UpdateSink`: batch subscribe with `update_existing: true` and no status, changed fields only;
4. `UnsubscribeSink`: batch subscribe with `status: unsubscribed` (the only status we ever send
   to an existing member);
5. `TagSink`: static-segment `members_to_add` / `members_to_remove` (<=500 each), per tag;
   never `sync_tags`, so tags we do not own are never touched;
6. `ArchiveSink`: DELETE per member.

A sink sends items (a chunk of members, a chunk of one tag's adds and removes, one archive) and
turns each answer into an `Acknowledged`: what the chunk changes in `engage_sync`.
`ApplyContext.record` is the one path that writes it, with its journal line, in one transaction
on the main thread. `Sink.drain` sends a step's items concurrently with at most `concurrency`
sent and not yet recorded, so a run killed at any point resumes from the state on the next run,
re-sending at most those. Terminal per-member errors go to `sync_rejects`; transient ones are
counted and left for the next run (the plan will contain them again).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from functools import partial
from typing import Any, ClassVar, Generic, TypeVar

from sync.errors import ConfigError, MailchimpError, redact
from sync.mailchimp import state
from sync.mailchimp.client import MailchimpClient, subscriber_hash
from sync.mailchimp.exposures import Audience, MergeFieldSpec
from sync.mailchimp.merge_fields import check_schema, create_body, to_mailchimp
from sync.mailchimp.state import SCHEMA
from sync.warehouse.storage import Store

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
    rejected: Counter = field(default_factory=Counter)  # by reason
    rejected_by_step: Counter = field(default_factory=Counter)  # create, update, unsubscribe
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
            "rejected_by_step": {k: v for k, v in self.rejected_by_step.items() if v},
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


# (subscriber_hash, email_address, reason, detail, field, payload_hash): a `sync_rejects` row.
Reject = tuple[str, str, str, str, str | None, str | None]


@dataclass
class Acknowledged:
    """What one acknowledged chunk changes in the pushed state (`ApplyContext.record` writes it
    in one transaction)."""

    members: list[tuple[str, str, str | None, str]] = field(default_factory=list)
    fields: list[tuple[str, str, str]] = field(default_factory=list)  # (hash, tag, value)
    rejects: list[Reject] = field(default_factory=list)
    archived: list[str] = field(default_factory=list)  # subscriber hashes
    tags_added: list[tuple[str, str]] = field(default_factory=list)  # (hash, tag)
    tags_removed: list[tuple[str, str]] = field(default_factory=list)

    def write(self, con: Store, audience_id: str, run_id: str) -> None:
        """Each kind of change, in this order (every writer does nothing for no rows)."""
        state.record_rejects(con, audience_id, self.rejects, run_id)
        state.record_members(con, audience_id, self.members, run_id)
        state.record_fields(con, audience_id, self.fields)
        # A member Mailchimp accepted is no longer rejected.
        state.clear_rejects(con, audience_id, [m[0] for m in self.members])
        state.record_member_status(con, audience_id, self.archived, "archived")
        state.record_tags_added(con, audience_id, self.tags_added)
        state.record_tags_removed(con, audience_id, self.tags_removed)


class ProgressSink:
    """Where apply reports progress; the CLI passes a rich-backed one."""

    def start(self, step: str, total: int) -> None:  # pragma: no cover - trivial
        pass

    def advance(self, step: str, n: int) -> None:  # pragma: no cover - trivial
        pass


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _payload_hash(fields: dict[str, str], specs: Iterable[MergeFieldSpec]) -> str:
    return hashlib.md5("|".join(fields.get(s.tag, "") for s in specs).encode()).hexdigest()


@dataclass
class ApplyContext:
    """What the sinks of one audience's apply share: the state connection and the client, the
    chunk size and concurrency cap, the result, and the one path that records a chunk."""

    con: Store
    client: MailchimpClient
    aud: Audience
    audience_id: str
    run_id: str
    progress: ProgressSink
    # Test hook: called as (step, "acknowledged") inside each chunk's transaction, just before
    # the commit, and as (step, "committed") right after it.
    after_chunk: Callable[[str, str], None] | None
    chunk: int
    concurrency: int
    result: ApplyResult = field(default_factory=ApplyResult)
    # Members this run could not create/update, or found opted out: no tag adds for them.
    skip_tags: set[str] = field(default_factory=set)
    specs: dict[str, MergeFieldSpec] = field(init=False)

    def __post_init__(self) -> None:
        self.specs = {s.tag: s for s in self.aud.spec.merge_fields}

    def record(self, step: str, ack: Acknowledged, items: int = 0) -> None:
        """The one path every sink records an acknowledged chunk through: its effects on the
        state and its journal line (`sync_ops`), in one transaction."""
        with state.in_transaction(self.con) as con:
            ack.write(con, self.audience_id, self.run_id)
            con.execute(
                f"insert into {SCHEMA}.sync_ops values (?, ?, ?, ?, ?, ?, ?, ?)",
                [self.run_id, self.audience_id, step, None, items, None, None, state.utcnow()],
            )
            if self.after_chunk:
                self.after_chunk(step, "acknowledged")
        if self.after_chunk:
            self.after_chunk(step, "committed")

    def plan_rows(self, action: str) -> list[MemberRow]:
        """The plan's members for `action` (create, update, unsubscribe, archive)."""
        rows = self.con.execute(
            f"select subscriber_hash, email_address, supporter_id, status, merge_fields "
            f"from {SCHEMA}.plan_members where audience_key = ? and action = ? "
            "order by subscriber_hash",
            [self.aud.key, action],
        ).fetchall()
        return [MemberRow(h, e, s, st, json.loads(mf) if mf else {}) for h, e, s, st, mf in rows]

    def setup_calls(self, calls: list[Callable[[], Any]]) -> list[Any]:
        """Independent setup calls (merge fields, tags), at most `concurrency` at once; their
        results in order. The first error is raised once every call has finished."""
        if len(calls) <= 1:
            return [c() for c in calls]
        with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
            futures = [pool.submit(c) for c in calls]
            wait(futures)
        return [f.result() for f in futures]


T = TypeVar("T")


class Sink(ABC, Generic[T]):
    """One kind of write. `send` runs on the pool; `acknowledged` and `failed` run on the main
    thread, one answer at a time, and record what it changes through `ApplyContext.record`."""

    step: ClassVar[str]

    def __init__(self, ctx: ApplyContext) -> None:
        self.ctx = ctx

    @abstractmethod
    def run(self) -> None:
        """Read this sink's part of the plan and write it."""

    @abstractmethod
    def send(self, item: T) -> Any:
        """One request to Mailchimp; its answer goes to `acknowledged`."""

    @abstractmethod
    def acknowledged(self, item: T, res: Any) -> None:
        """Record what Mailchimp acknowledged for `item`."""

    @abstractmethod
    def failed(self, item: T, exc: MailchimpError) -> None:
        """Count (or record, when terminal) a request that failed after its retries."""

    def send_now(self, item: T) -> None:
        """Send one item on this thread and handle the answer."""
        try:
            res = self.send(item)
        except MailchimpError as exc:
            self.failed(item, exc)
        else:
            self.acknowledged(item, res)

    def drain(self, items: Iterable[T]) -> None:
        """Send every item on a pool; handle the answers on this (main) thread.

        At most `concurrency` items are sent and not yet handled: a new one starts only when
        the answer of another has been recorded, so a run killed at any point has at most
        that many chunks in flight (sent, but not in the state) to send again.
        """
        queue = iter(items)
        pending: dict[Future, T] = {}
        with ThreadPoolExecutor(max_workers=self.ctx.concurrency) as pool:
            try:
                self._top_up(pool, queue, pending)
                while pending:
                    finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                    for fut in finished:
                        item = pending.pop(fut)
                        try:
                            res = fut.result()
                        except MailchimpError as exc:
                            self.failed(item, exc)
                        else:
                            self.acknowledged(item, res)
                        self._top_up(pool, queue, pending)
            except BaseException:
                for f in pending:
                    f.cancel()
                raise

    def _top_up(
        self, pool: ThreadPoolExecutor, queue: Iterator[T], pending: dict[Future, T]
    ) -> None:
        while len(pending) < self.ctx.concurrency:
            item = next(queue, None)
            if item is None:
                return
            pending[pool.submit(self.send, item)] = item


# -- members: batch subscribe, one chunk at a time ------------------------------------------


class MemberSink(Sink[list[MemberRow]]):
    """Batch subscribe of one kind of member write; an item is a chunk of members."""

    action: ClassVar[str]  # in plan_members
    update_existing: ClassVar[bool]  # never for creates, so no existing member gets a status
    done_key: ClassVar[str]  # in ApplyResult.done

    def status_of(self, row: MemberRow) -> str | None:
        """The status sent for `row` (None: no status)."""
        return None

    def rows(self) -> list[MemberRow]:
        return self.ctx.plan_rows(self.action)

    def run(self) -> None:
        rows = self.rows()
        self.ctx.progress.start(self.step, len(rows))
        self.drain(_chunks(rows, self.ctx.chunk))

    def body(self, row: MemberRow) -> dict[str, Any]:
        body: dict[str, Any] = {"email_address": row.email_address}
        status = self.status_of(row)
        if status:
            body["status"] = status
        if row.fields:
            body["merge_fields"] = {
                tag: to_mailchimp(self.ctx.specs[tag], value)
                for tag, value in row.fields.items()
                if tag in self.ctx.specs  # only declared fields, ever
            }
        return body

    def send(self, item: list[MemberRow]) -> dict[str, Any]:
        bodies = [self.body(r) for r in item]
        return self.ctx.client.batch_subscribe(self.ctx.audience_id, bodies, self.update_existing)

    def acknowledged(self, item: list[MemberRow], res: dict[str, Any]) -> None:
        self.record_answer(item, res)

    def record_answer(self, chunk: list[MemberRow], res: dict[str, Any]) -> list[MemberRow]:
        """Record one acknowledged chunk; return the members that turned out to exist."""
        ctx = self.ctx
        by_hash = {r.subscriber_hash: r for r in chunk}
        ack = Acknowledged()
        exists, failed = self._member_errors(res, by_hash, ack)
        ok_members: list[tuple[MemberRow, str]] = []
        for m in (res.get("new_members") or []) + (res.get("updated_members") or []):
            h = str(m.get("id") or subscriber_hash(str(m.get("email_address", ""))))
            row = by_hash.get(h)
            if row is None or h in failed:
                continue
            ok_members.append((row, str(m.get("status") or self.status_of(row) or "")))
        ack.members = [
            (r.subscriber_hash, r.email_address, r.supporter_id, st) for r, st in ok_members
        ]
        ack.fields = [(r.subscriber_hash, t, v) for r, _ in ok_members for t, v in r.fields.items()]
        acknowledged = {r.subscriber_hash for r, _ in ok_members}
        # Acknowledged by neither list nor errors (should not happen): retry next run.
        missing = set(by_hash) - acknowledged - failed
        if missing:
            ctx.result.failed[self.step] += len(missing)
        ctx.skip_tags.update(failed - {r.subscriber_hash for r in exists})
        ctx.skip_tags.update(missing)
        opted_out = ("unsubscribed", "cleaned", "archived")
        ctx.skip_tags.update(r.subscriber_hash for r, st in ok_members if st in opted_out)
        ctx.result.done[self.done_key] += len(ok_members)
        ctx.record(self.step, ack, len(chunk))
        ctx.progress.advance(self.step, len(chunk))
        return exists

    def _member_errors(
        self, res: dict[str, Any], by_hash: dict[str, MemberRow], ack: Acknowledged
    ) -> tuple[list[MemberRow], set[str]]:
        """Sort per-member errors: (already exist, every failed hash). Terminal ones go to
        `ack.rejects`, the others are counted."""
        ctx = self.ctx
        exists: list[MemberRow] = []
        failed: set[str] = set()
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
                payload = (
                    _payload_hash(row.fields, ctx.specs.values())
                    if reason == "invalid_merge_value"
                    else None
                )
                ack.rejects.append(
                    (h, row.email_address, reason, detail, err.get("field") or None, payload)
                )
                ctx.result.rejected[reason] += 1
                ctx.result.rejected_by_step[self.step] += 1
            else:
                ctx.result.failed[self.step] += 1
                ctx.result.note_error(f"{self.step} {h[:12]}: {err.get('error', '')}")
        return exists, failed

    def failed(self, item: list[MemberRow], exc: MailchimpError) -> None:
        ctx = self.ctx
        if exc.status == 400 and len(item) > 1 and not exc.transient:
            # One bad member can fail a whole request: split to isolate it.
            half = len(item) // 2
            for part in (item[:half], item[half:]):
                self.send_now(part)
            return
        if exc.status == 400 and len(item) == 1 and not exc.transient:
            row = item[0]
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
                    _payload_hash(row.fields, ctx.specs.values()),
                )
                ctx.record(self.step, Acknowledged(rejects=[reject]))
                ctx.result.rejected[reason] += 1
                ctx.result.rejected_by_step[self.step] += 1
                ctx.skip_tags.add(row.subscriber_hash)
                ctx.progress.advance(self.step, 1)
                return
        ctx.result.failed[self.step] += len(item)
        ctx.result.note_error(f"{self.step}: {exc.summary()}")
        ctx.skip_tags.update(r.subscriber_hash for r in item)
        ctx.progress.advance(self.step, len(item))


class UpdateSink(MemberSink):
    """Changed merge fields of existing members: `update_existing: true`, no status."""

    step = action = "update"
    update_existing = True
    done_key = "updated"


class CreateSink(MemberSink):
    """New members, subscribed (or pending on double opt-in audiences), with
    `update_existing: false`; an address that turns out to exist already is updated without a
    status as soon as its chunk is answered."""

    step = action = "create"
    update_existing = False
    done_key = "created"

    def status_of(self, row: MemberRow) -> str | None:
        return row.status or "subscribed"

    def run(self) -> None:
        rows = self.rows()
        self.ctx.progress.start(self.step, len(rows))
        by_status: dict[str, list[MemberRow]] = {}
        for r in rows:
            by_status.setdefault(self.status_of(r) or "", []).append(r)
        for _status, group in sorted(by_status.items()):
            self.drain(_chunks(group, self.ctx.chunk))

    def acknowledged(self, item: list[MemberRow], res: dict[str, Any]) -> None:
        exists = self.record_answer(item, res)
        if exists:
            self.ctx.result.done["found_existing"] += len(exists)
            update = UpdateSink(self.ctx)
            for part in _chunks(exists, self.ctx.chunk):
                update.send_now(part)


class UnsubscribeSink(MemberSink):
    """Opt-outs: `status: unsubscribed` (the only status an existing member ever gets from
    us), no merge fields."""

    step = action = "unsubscribe"
    update_existing = True
    done_key = "unsubscribed"

    def status_of(self, row: MemberRow) -> str | None:
        return "unsubscribed"

    def rows(self) -> list[MemberRow]:
        rows = super().rows()
        for r in rows:
            r.fields = {}
        return rows


# -- tags: static-segment batches, per tag ---------------------------------------------------


@dataclass
class TagPlan:
    """One tag's changes: (subscriber_hash, email) to add and to remove."""

    tag: str
    adds: list[tuple[str, str]] = field(default_factory=list)
    removes: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class TagChunk:
    """One static-segment request: up to a chunk of adds and of removes for one tag."""

    tag: str
    segment_id: int
    adds: list[tuple[str, str]]
    removes: list[tuple[str, str]]

    @property
    def size(self) -> int:
        return len(self.adds) + len(self.removes)


class TagSink(Sink[TagChunk]):
    """Owned tags through static-segment `members_to_add` / `members_to_remove`; missing tags
    (segments) are created first, concurrently."""

    step = "tags"

    def plan(self) -> dict[str, TagPlan]:
        """lower(tag) -> its changes; no adds for members skipped by the member steps."""
        out: dict[str, TagPlan] = {}
        for h, e, tag, op in self.ctx.con.execute(
            f"select subscriber_hash, email_address, tag, op from {SCHEMA}.plan_tags "
            "where audience_key = ? order by tag, subscriber_hash",
            [self.ctx.aud.key],
        ).fetchall():
            entry = out.setdefault(tag.lower(), TagPlan(tag))
            if op == "add":
                if h not in self.ctx.skip_tags:
                    entry.adds.append((h, e))
            else:
                entry.removes.append((h, e))
        return out

    def run(self) -> None:
        ctx = self.ctx
        plan = self.plan()
        total = sum(len(p.adds) + len(p.removes) for p in plan.values())
        ctx.progress.start(self.step, total)
        if not total:
            return
        try:
            segments = ctx.client.static_segments(ctx.audience_id)
        except MailchimpError as exc:
            ctx.result.failed[self.step] += total
            ctx.result.note_error(f"tags: listing tags failed: {exc.summary()}")
            return
        created = self._create_tags(
            [p.tag for low, p in sorted(plan.items()) if p.adds and low not in segments]
        )
        chunks: list[TagChunk] = []
        for low, p in sorted(plan.items()):
            seg = segments.get(low)
            if seg is None and not p.adds:
                self._absent(p)
                continue
            if seg is None:
                seg_id = created.get(low)
                if isinstance(seg_id, MailchimpError):
                    ctx.result.failed[self.step] += len(p.adds) + len(p.removes)
                    ctx.result.note_error(f"tags: creating {p.tag!r} failed: {seg_id.summary()}")
                    continue
            else:
                seg_id = seg[0]
            for i in range(0, max(len(p.adds), len(p.removes)), ctx.chunk):
                chunks.append(
                    TagChunk(p.tag, seg_id, p.adds[i : i + ctx.chunk], p.removes[i : i + ctx.chunk])
                )
        self.drain(chunks)

    def _absent(self, p: TagPlan) -> None:
        """Nothing to remove from a tag that does not exist: the removes are done."""
        gone = [(h, p.tag) for h, _ in p.removes]
        self.ctx.record(self.step, Acknowledged(tags_removed=gone), len(gone))
        self.ctx.result.done["tags_removed"] += len(p.removes)
        self.ctx.progress.advance(self.step, len(p.removes))

    def _create_tag(self, tag: str) -> int | MailchimpError:
        """Create the static segment of `tag`; one that already exists (a create whose answer
        was lost to a dropped connection, then retried) is looked up instead."""
        client, audience_id = self.ctx.client, self.ctx.audience_id
        try:
            return client.create_static_segment(audience_id, tag)
        except MailchimpError as exc:
            if exc.status != 400 or "already exists" not in (exc.detail + exc.title).lower():
                return exc
            try:
                found = client.static_segments(audience_id).get(tag.lower())
            except MailchimpError as again:
                return again
            return found[0] if found else exc

    def _create_tags(self, tags: list[str]) -> dict[str, int | MailchimpError]:
        """lower(tag) -> segment id (or the error) for each tag, created concurrently."""
        ids = self.ctx.setup_calls([partial(self._create_tag, t) for t in tags])
        return {t.lower(): i for t, i in zip(tags, ids, strict=True)}

    def send(self, item: TagChunk) -> dict[str, Any]:
        return self.ctx.client.segment_batch(
            self.ctx.audience_id,
            item.segment_id,
            [e for _, e in item.adds],
            [e for _, e in item.removes],
        )

    def acknowledged(self, item: TagChunk, res: dict[str, Any]) -> None:
        ctx = self.ctx
        not_members = {
            subscriber_hash(str(e))
            for err in res.get("errors") or []
            for e in err.get("email_addresses") or []
        }
        added = [(h, item.tag) for h, _ in item.adds if h not in not_members]
        # A remove reported as "not a member" means the tag is not there: done too.
        removed = [(h, item.tag) for h, _ in item.removes]
        ctx.record(self.step, Acknowledged(tags_added=added, tags_removed=removed), item.size)
        failed_adds = len(item.adds) - len(added)
        if failed_adds:
            ctx.result.failed[self.step] += failed_adds
            ctx.result.note_error(f"tags: {failed_adds} add(s) to {item.tag!r} refused")
        ctx.result.done["tags_added"] += len(added)
        ctx.result.done["tags_removed"] += len(removed)
        ctx.progress.advance(self.step, item.size)

    def failed(self, item: TagChunk, exc: MailchimpError) -> None:
        self.ctx.result.failed[self.step] += item.size
        self.ctx.result.note_error(f"tags {item.tag!r}: {exc.summary()}")
        self.ctx.progress.advance(self.step, item.size)


# -- archives: one DELETE per member ---------------------------------------------------------


class ArchiveSink(Sink[MemberRow]):
    """Members who left an audience whose removal policy is `archive`."""

    step = "archive"

    def run(self) -> None:
        rows = self.ctx.plan_rows("archive")
        self.ctx.progress.start(self.step, len(rows))
        self.drain(rows)

    def send(self, item: MemberRow) -> None:
        self.ctx.client.archive_member(self.ctx.audience_id, item.subscriber_hash)

    def acknowledged(self, item: MemberRow, res: Any) -> None:
        self.ctx.record(self.step, Acknowledged(archived=[item.subscriber_hash]))
        self.ctx.result.done["archived"] += 1
        self.ctx.progress.advance(self.step, 1)

    def failed(self, item: MemberRow, exc: MailchimpError) -> None:
        if exc.status in (404, 405):
            # Gone, or a state Mailchimp cannot archive (pending, cleaned, archived): done.
            self.acknowledged(item, None)
            return
        self.ctx.result.failed[self.step] += 1
        self.ctx.result.note_error(f"archive {item.subscriber_hash[:12]}: {exc.summary()}")
        self.ctx.progress.advance(self.step, 1)


class Applier:
    """Executes the current plan of one audience: merge fields, then each sink in turn."""

    def __init__(
        self,
        con: Store,
        client: MailchimpClient,
        aud: Audience,
        audience_id: str,
        run_id: str,
        progress: ProgressSink | None = None,
        after_chunk: Callable[[str, str], None] | None = None,
    ) -> None:
        self.ctx = ApplyContext(
            con=con,
            client=client,
            aud=aud,
            audience_id=audience_id,
            run_id=run_id,
            progress=progress or ProgressSink(),
            after_chunk=after_chunk,
            chunk=chunk_size(),
            # The exposure's cap, within the client's (a client may be shared by audiences).
            concurrency=max(1, min(client.concurrency, aud.spec.concurrency)),
        )

    @property
    def result(self) -> ApplyResult:
        return self.ctx.result

    def run(self, optouts_only: bool = False) -> ApplyResult:
        """Every step in order; the tag step runs after the member steps, whose failures it
        skips (`ApplyContext.skip_tags`). `optouts_only`: the unsubscribes and nothing else
        (the nightly's answer to a failed build: opt-outs never wait for a broken segment)."""
        if optouts_only:
            UnsubscribeSink(self.ctx).run()
            return self.ctx.result
        self.ensure_merge_fields()
        sinks: list[Sink[Any]] = [
            CreateSink(self.ctx),
            UpdateSink(self.ctx),
            UnsubscribeSink(self.ctx),
            TagSink(self.ctx),
            ArchiveSink(self.ctx),
        ]
        for sink in sinks:
            sink.run()
        return self.ctx.result

    def ensure_merge_fields(self) -> None:
        """Check the audience's merge fields (a conflict stops the run here, before any member
        is written) and create the missing ones, concurrently."""
        ctx = self.ctx
        declared = list(ctx.aud.spec.merge_fields)
        existing = ctx.client.get_merge_fields(ctx.audience_id)
        missing = check_schema(declared, existing, ctx.aud.spec.merge_field_cap)
        add = ctx.client.add_merge_field
        ctx.setup_calls([partial(add, ctx.audience_id, create_body(m)) for m in missing])
        ctx.result.merge_fields_created = [m.tag for m in missing]

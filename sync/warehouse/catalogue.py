"""The segment catalogue: a static site a marketer opens in a browser (`engage catalogue`).

Owns reading what a marketer needs to know about each segment from a built warehouse and
writing it as plain HTML (Jinja2 templates in `templates/catalogue`, autoescaped, no script,
no external URL): `index.html` lists every tag of the `segments` mart; `segments/<tag>.html`
shows one tag; `merge-fields.html` lists the merge fields the exposures declare, with
ready-to-paste Mailchimp conditional-content snippets; `propensity.html` shows the "likely to
act" model's backtest (AUC, calibration by decile, the verdict) from `propensity_backtest`.

Where the figures come from: `segments` (size, change since the previous build, priority,
held-out counts by reason), `segment_sizes_daily` (sizes over time, the 90-day trend),
`segment_memberships` (overlap between tags), `issues` (the issue an `issue:` tag belongs to),
`engage_sync.sync_runs` (last synced, when the sync has run) and dbt's manifest (each
segment's description and SQL). The warehouse is read through `sync.warehouse.storage` (a
DuckDB file opened read-only, or PostgreSQL), in portable SQL. Only aggregate counts are
read: no page carries an e-mail address or any other member's detail.

The merge fields come in as `MergeFieldInput` (built by the caller from the exposures), so this
module does not depend on the Mailchimp package.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from sync.errors import ConfigError, StorageError
from sync.warehouse.storage import DuckDBTarget, StorageTarget, Store, open_store

TREND_DAYS = 90
# A merge field without declared choices lists the values members hold only when there are few
# of them, and only values held by at least this many members (aggregates, never one person).
MAX_OBSERVED_VALUES = 12
MIN_MEMBERS_PER_VALUE = 3
SPARK_WIDTH = 120
SPARK_HEIGHT = 24
HELD_OUT_REASONS = ("not_emailable", "contact_cap", "segment_limit")


@dataclass(frozen=True)
class MergeFieldInput:
    """One merge field declared in an exposure, as the catalogue needs it."""

    audience: str
    tag: str
    name: str
    type: str
    column: str
    relation_sql: str  # the members relation, e.g. "main"."mailchimp_members"
    members_filter: str | None = None
    choices: tuple[str, ...] = ()


@dataclass
class MergeFieldEntry:
    audience: str
    tag: str
    name: str
    type: str
    column: str
    values: list[tuple[str, int | None]]  # allowed (declared) or observed values, with counts
    values_source: str  # declared | observed | none
    snippets: list[str]


@dataclass
class SizePoint:
    day: date
    size: int
    held_out: int | None
    candidates: int | None


@dataclass
class CampaignSent:
    """One campaign sent to a segment's tag, with its rates (mart `campaign_performance`)."""

    title: str
    sent_at: datetime | None
    recipients: int
    human_open_rate: float | None
    click_rate: float | None
    unsubscribe_rate: float | None
    recipients_over_contact_cap: int | None


@dataclass
class SegmentEntry:
    segment_name: str
    tag: str
    description: str
    size: int
    previous_size: int | None
    size_change: int | None
    priority: int | None
    candidates: int
    held_out: dict[str, int]
    respects_contact_cap: bool | None
    counts_toward_limit: bool | None
    model_path: str
    broadcast_approved: date | None = None  # segment meta: an approved broadcast (no batch
    broadcast_approved_by: str | None = None  # and blast, docs/engagement.md §5.3)
    issue: str | None = None
    definition: str = ""
    sql: str | None = None
    sizes: list[SizePoint] = field(default_factory=list)
    overlaps: list[tuple[str, str, int]] = field(default_factory=list)  # tag, page, shared
    campaigns: list[CampaignSent] = field(default_factory=list)  # newest first
    page: str = ""  # file name under segments/

    @property
    def trend(self) -> list[SizePoint]:
        if not self.sizes:
            return []
        start = self.sizes[-1].day - timedelta(days=TREND_DAYS)
        return [p for p in self.sizes if p.day > start]

    @property
    def held_out_total(self) -> int:
        return sum(self.held_out.values())

    def sparkline(self) -> str:
        """The SVG polyline points of the 90-day trend ('' with fewer than two days)."""
        return sparkline_points([p.size for p in self.trend])


@dataclass
class CalibrationRow:
    decile: int
    supporters: int
    positives: int
    predicted_rate: float | None
    observed_rate: float | None


@dataclass
class PropensityBacktest:
    """The "likely to act" backtest (mart `propensity_backtest`, docs/engagement.md §9)."""

    verdict: str  # signal | no_signal
    verdict_reason: str
    train_cutoff: date | None
    test_cutoff: date | None
    horizon_days: int | None
    metrics: dict[str, float | None]
    calibration: list[CalibrationRow]

    @property
    def shipped(self) -> bool:
        return self.verdict == "signal"

    def metric(self, name: str) -> float | None:
        return self.metrics.get(name)

    def as_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "verdict_reason": self.verdict_reason,
            "auc": self.metric("auc"),
            "test_base_rate": self.metric("test_base_rate"),
            "test_positives": self.metric("test_positives"),
        }


@dataclass
class Catalogue:
    as_of_date: date | None
    generated_at: datetime
    segments: list[SegmentEntry]
    merge_fields: list[MergeFieldEntry]
    last_synced: datetime | None
    manifest_found: bool
    propensity: PropensityBacktest | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "as_of_date": str(self.as_of_date) if self.as_of_date else None,
            "last_synced": self.last_synced.isoformat() if self.last_synced else None,
            "segments": [
                {
                    "tag": s.tag,
                    "segment_name": s.segment_name,
                    "size": s.size,
                    "size_change": s.size_change,
                    "priority": s.priority,
                    "held_out": s.held_out,
                    "issue": s.issue,
                    "broadcast_approved": (
                        str(s.broadcast_approved) if s.broadcast_approved else None
                    ),
                    "broadcast_approved_by": s.broadcast_approved_by,
                    "campaigns_sent": len(s.campaigns),
                    "page": f"segments/{s.page}",
                }
                for s in self.segments
            ],
            "merge_fields": [m.tag for m in self.merge_fields],
            "propensity": self.propensity.as_dict() if self.propensity else None,
        }


@dataclass
class CatalogueSite:
    out_dir: Path
    catalogue: Catalogue
    files: list[Path]

    @property
    def index(self) -> Path:
        return self.out_dir / "index.html"

    def as_dict(self) -> dict[str, Any]:
        return {
            "out": str(self.out_dir),
            "index": str(self.index),
            "files": len(self.files),
            **self.catalogue.as_dict(),
        }


def page_name(tag: str) -> str:
    """A tag's page file name: `seg:event-town-hall` -> `seg-event-town-hall.html`."""
    return re.sub(r"[^a-z0-9]+", "-", tag.lower()).strip("-") + ".html"


def unique_pages(tags: list[str]) -> dict[str, str]:
    """Tag -> page file name, distinct even when two tags read alike (`seg:a-b`, `seg:a_b`)."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    for tag in tags:
        name = page_name(tag)
        if name in taken:
            digest = hashlib.md5(tag.encode(), usedforsecurity=False).hexdigest()[:8]
            name = name.removesuffix(".html") + f"-{digest}.html"
        taken.add(name)
        out[tag] = name
    return out


def sparkline_points(values: list[int]) -> str:
    if len(values) < 2:
        return ""
    low, high = min(values), max(values)
    span = (high - low) or 1
    step = SPARK_WIDTH / (len(values) - 1)
    points = []
    for i, v in enumerate(values):
        y = SPARK_HEIGHT - 2 - (v - low) * (SPARK_HEIGHT - 4) / span
        points.append(f"{i * step:.1f},{y:.1f}")
    return " ".join(points)


def snippets_for(tag: str, values: list[str], one_per_value: bool = False) -> list[str]:
    """Mailchimp conditional-content blocks for a merge field: the chain over its values,
    with `one_per_value` one block per value too (`*|IF:NEXTSTEP=volunteer|*...*|END:IF|*`),
    and the has-a-value form every field gets."""
    out: list[str] = []
    if values:
        lines = []
        for i, value in enumerate(values):
            keyword = "IF" if i == 0 else "ELSEIF"
            lines.append(f"*|{keyword}:{tag}={value}|*")
            lines.append(f"  Your message for {value}.")
        lines += ["*|ELSE:|*", "  Your message for everyone else.", "*|END:IF|*"]
        out.append("\n".join(lines))
    if one_per_value:
        out += [
            f"*|IF:{tag}={value}|*\n  Only for {value}: your message.\n*|END:IF|*"
            for value in values
        ]
    out.append(
        "\n".join(
            [
                f"*|IF:{tag}|*",
                f"  Shown when {tag} has a value: *|{tag}|*",
                "*|ELSE:|*",
                f"  Shown when {tag} is empty.",
                "*|END:IF|*",
            ]
        )
    )
    return out


def _model_exists(store: Store, name: str) -> bool:
    """A model of the build: in the connection's current schema (DuckDB `main`; the profile's
    schema on PostgreSQL)."""
    row = store.row(
        "select count(*) from information_schema.tables "
        "where table_schema = current_schema() and table_name = ?",
        [name],
    )
    return bool(row and row[0])


def _manifest_segments(manifest: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    """Segment model name -> its manifest node (description, meta, SQL)."""
    if not manifest:
        return {}
    out: dict[str, dict[str, Any]] = {}
    for node in manifest.get("nodes", {}).values():
        if node.get("resource_type") == "model":
            out.setdefault(node["name"], node)
    return out


def _node_meta(node: dict[str, Any]) -> dict[str, Any]:
    meta = dict(node.get("meta") or {})
    meta.update((node.get("config") or {}).get("meta") or {})
    return meta


def _issue_labels(store: Store) -> dict[str, str]:
    if not _model_exists(store, "issues"):
        return {}
    return {
        str(s): str(label)
        for s, label in store.execute("select issue_slug, label from issues").fetchall()
    }


def _issue_for(tag: str, meta: dict[str, Any], labels: dict[str, str]) -> str | None:
    slug = tag.removeprefix("issue:") if tag.startswith("issue:") else meta.get("issue")
    if not slug:
        return None
    slug = str(slug)
    return f"{labels[slug]} ({slug})" if slug in labels else slug


def _has_columns(store: Store, table: str, columns: tuple[str, ...]) -> bool:
    have = {
        str(c)
        for (c,) in store.execute(
            "select column_name from information_schema.columns "
            "where table_schema = current_schema() and table_name = ?",
            [table],
        ).fetchall()
    }
    return set(columns) <= have


def _segments(store: Store) -> list[SegmentEntry]:
    # A warehouse built before broadcast approvals existed has no such columns: none approved.
    approvals = (
        "broadcast_approved, broadcast_approved_by"
        if _has_columns(store, "segments", ("broadcast_approved", "broadcast_approved_by"))
        else "cast(null as date), cast(null as varchar)"
    )
    rows = store.execute(
        "select segment_name, tag, description, size, previous_size, size_change, priority, "
        "candidates, held_out_not_emailable, held_out_contact_cap, held_out_segment_limit, "
        f"respects_contact_cap, counts_toward_limit, model_path, {approvals} "
        "from segments order by priority nulls last, tag"
    ).fetchall()
    return [
        SegmentEntry(
            segment_name=str(r[0]),
            tag=str(r[1]),
            description=str(r[2] or ""),
            size=int(r[3] or 0),
            previous_size=None if r[4] is None else int(r[4]),
            size_change=None if r[5] is None else int(r[5]),
            priority=None if r[6] is None else int(r[6]),
            candidates=int(r[7] or 0),
            held_out=dict(zip(HELD_OUT_REASONS, (int(n or 0) for n in r[8:11]), strict=True)),
            respects_contact_cap=r[11],
            counts_toward_limit=r[12],
            model_path=str(r[13] or ""),
            broadcast_approved=r[14],
            broadcast_approved_by=None if r[15] is None else str(r[15]),
        )
        for r in rows
    ]


def _sizes(store: Store) -> dict[str, list[SizePoint]]:
    out: dict[str, list[SizePoint]] = {}
    if not _model_exists(store, "segment_sizes_daily"):
        return out
    for tag, day, size, held_out, candidates in store.execute(
        "select tag, as_of_date, size, held_out, candidates from segment_sizes_daily "
        "order by tag, as_of_date"
    ).fetchall():
        out.setdefault(str(tag), []).append(
            SizePoint(
                day=day,
                size=int(size or 0),
                held_out=None if held_out is None else int(held_out),
                candidates=None if candidates is None else int(candidates),
            )
        )
    return out


def _overlaps(store: Store) -> dict[str, list[tuple[str, int]]]:
    out: dict[str, list[tuple[str, int]]] = {}
    if not _model_exists(store, "segment_memberships"):
        return out
    for tag, other, shared in store.execute(
        "select a.tag, b.tag, count(*) from segment_memberships a "
        "join segment_memberships b on a.supporter_id = b.supporter_id and a.tag <> b.tag "
        "group by 1, 2 order by 1, 3 desc, 2"
    ).fetchall():
        out.setdefault(str(tag), []).append((str(other), int(shared)))
    return out


def _campaigns(store: Store) -> dict[str, list[CampaignSent]]:
    """Campaigns sent to each tag, newest first, with their rates (empty before any pull)."""
    out: dict[str, list[CampaignSent]] = {}
    if not _model_exists(store, "campaign_performance"):
        return out
    for row in store.execute(
        "select tag, campaign_title, sent_at, recipients, human_open_rate, click_rate, "
        "unsubscribe_rate, recipients_over_contact_cap from campaign_performance "
        "where tag is not null order by sent_at desc nulls last, campaign_title"
    ).fetchall():
        out.setdefault(str(row[0]), []).append(
            CampaignSent(
                title=str(row[1] or ""),
                sent_at=row[2],
                recipients=int(row[3] or 0),
                human_open_rate=None if row[4] is None else float(row[4]),
                click_rate=None if row[5] is None else float(row[5]),
                unsubscribe_rate=None if row[6] is None else float(row[6]),
                recipients_over_contact_cap=None if row[7] is None else int(row[7]),
            )
        )
    return out


def _last_synced(store: Store) -> datetime | None:
    if not store.table_exists("engage_sync", "sync_runs"):
        return None
    row = store.execute(
        "select max(finished_at) from engage_sync.sync_runs "
        "where command in ('sync', 'nightly') and status in ('ok', 'warnings')"
    ).fetchone()
    return row[0] if row else None


def _propensity(store: Store) -> PropensityBacktest | None:
    """The backtest's metrics and calibration deciles; None when the mart is not built."""
    if not _model_exists(store, "propensity_backtest"):
        return None
    rows = store.execute(
        "select row_type, metric, value, decile, supporters, positives, predicted_rate, "
        "observed_rate, verdict, verdict_reason, train_cutoff, test_cutoff, horizon_days "
        "from propensity_backtest order by row_order"
    ).fetchall()
    if not rows:
        return None
    first = rows[0]
    return PropensityBacktest(
        verdict=str(first[8]),
        verdict_reason=str(first[9] or ""),
        train_cutoff=first[10],
        test_cutoff=first[11],
        horizon_days=None if first[12] is None else int(first[12]),
        metrics={
            str(r[1]): None if r[2] is None else float(r[2]) for r in rows if r[0] == "metric"
        },
        calibration=[
            CalibrationRow(
                decile=int(r[3]),
                supporters=int(r[4] or 0),
                positives=int(r[5] or 0),
                predicted_rate=None if r[6] is None else float(r[6]),
                observed_rate=None if r[7] is None else float(r[7]),
            )
            for r in rows
            if r[0] == "calibration"
        ],
    )


def _merge_field(store: Store, spec: MergeFieldInput) -> MergeFieldEntry:
    values: list[tuple[str, int | None]] = []
    source = "none"
    col = f'"{spec.column}"'
    where = f"where {col} is not null"
    if spec.members_filter:
        where += f" and ({spec.members_filter})"
    if spec.choices:
        # Every allowed value, with how many members hold it today (a count, never a member).
        try:
            held = dict(
                store.execute(
                    f"select cast({col} as varchar), count(*) from {spec.relation_sql} {where} "
                    "group by 1"
                ).fetchall()
            )
        except StorageError:
            held = None
        values = [(c, None if held is None else int(held.get(c, 0))) for c in spec.choices]
        source = "declared"
    elif spec.type in ("text", "number", "radio", "dropdown", "zip"):
        try:
            counts = store.execute(
                f"select cast({col} as varchar), count(*) from {spec.relation_sql} {where} "
                f"group by 1 order by 2 desc, 1 "
                f"limit {MAX_OBSERVED_VALUES + 1}"
            ).fetchall()
        except StorageError:
            counts = []
        if 0 < len(counts) <= MAX_OBSERVED_VALUES and all("@" not in str(v) for v, _ in counts):
            values = [(str(v), int(n)) for v, n in counts if n >= MIN_MEMBERS_PER_VALUE]
            source = "observed" if values else "none"
    return MergeFieldEntry(
        audience=spec.audience,
        tag=spec.tag,
        name=spec.name,
        type=spec.type,
        column=spec.column,
        values=values,
        values_source=source,
        snippets=snippets_for(spec.tag, [v for v, _ in values], one_per_value=bool(spec.choices)),
    )


def read_catalogue(
    warehouse: StorageTarget | Path,
    manifest: dict[str, Any] | None = None,
    merge_fields: list[MergeFieldInput] | None = None,
) -> Catalogue:
    """Everything the site shows, read from the warehouse (a DuckDB file, read-only, or the
    target's PostgreSQL database) and the manifest. ConfigError when the warehouse, or its
    `segments` mart, has not been built."""
    if isinstance(warehouse, Path):
        warehouse = DuckDBTarget(warehouse)
    if isinstance(warehouse, DuckDBTarget) and not Path(warehouse.path).exists():
        raise ConfigError(
            f"no warehouse at {warehouse.path}: run `engage build` (or `engage demo`) first, "
            "or pass --db"
        )
    nodes = _manifest_segments(manifest)
    with open_store(warehouse, read_only=True) as store:
        if not _model_exists(store, "segments"):
            raise ConfigError(
                f"{warehouse.describe()} has no `segments` mart: run `engage build` to build "
                "the warehouse"
            )
        segments = _segments(store)
        sizes = _sizes(store)
        overlaps = _overlaps(store)
        campaigns = _campaigns(store)
        labels = _issue_labels(store)
        as_of = store.row("select max(as_of_date) from segments")
        last_synced = _last_synced(store)
        fields = [_merge_field(store, spec) for spec in merge_fields or []]
        propensity = _propensity(store)
    pages = unique_pages([seg.tag for seg in segments])
    for seg in segments:
        seg.page = pages[seg.tag]
        node = nodes.get(seg.segment_name, {})
        seg.issue = _issue_for(seg.tag, _node_meta(node), labels)
        seg.definition = str(node.get("description") or "").strip()
        seg.sql = node.get("raw_code") or None
        seg.sizes = sizes.get(seg.tag, [])
        seg.overlaps = [(t, pages.get(t, page_name(t)), n) for t, n in overlaps.get(seg.tag, [])]
        seg.campaigns = campaigns.get(seg.tag, [])
    return Catalogue(
        as_of_date=as_of[0] if as_of else None,
        generated_at=datetime.now(UTC).replace(microsecond=0),
        segments=segments,
        merge_fields=fields,
        last_synced=last_synced,
        manifest_found=manifest is not None,
        propensity=propensity,
    )


def load_manifest(path: Path) -> dict[str, Any] | None:
    """dbt's manifest, or None when there is none (the site then goes without segment SQL)."""
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text())
    except ValueError as err:
        raise ConfigError(f"{path}: not a readable dbt manifest ({err})") from None


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("sync.warehouse", "templates/catalogue"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["signed"] = lambda n: "" if n is None else f"{n:+d}"
    env.filters["pct"] = lambda x: "" if x is None else f"{100 * x:.1f}%"
    return env


def write_site(catalogue: Catalogue, out_dir: Path) -> CatalogueSite:
    """Render the catalogue into `out_dir` (created; pages already there are overwritten)."""
    env = _environment()
    (out_dir / "segments").mkdir(parents=True, exist_ok=True)
    files: list[Path] = []

    def render(template: str, dest: Path, root: str, **context: Any) -> None:
        html = env.get_template(template).render(cat=catalogue, root=root, **context)
        dest.write_text(html, encoding="utf-8")
        files.append(dest)

    render("index.html.j2", out_dir / "index.html", "")
    render("merge_fields.html.j2", out_dir / "merge-fields.html", "")
    render("propensity.html.j2", out_dir / "propensity.html", "")
    for seg in catalogue.segments:
        render("segment.html.j2", out_dir / "segments" / seg.page, "../", seg=seg)
    return CatalogueSite(out_dir=out_dir, catalogue=catalogue, files=files)


def build_catalogue(
    warehouse: StorageTarget | Path,
    out_dir: Path,
    manifest_path: Path | None = None,
    merge_fields: list[MergeFieldInput] | None = None,
) -> CatalogueSite:
    """Read the warehouse (and manifest) and write the site; the one call commands make."""
    manifest = load_manifest(manifest_path) if manifest_path else None
    return write_site(read_catalogue(warehouse, manifest, merge_fields), out_dir)

"""Fail-safes: refuse a plan, before any write, when it removes, shrinks or grows too much.

Pure functions over a plan summary and the exposure's `safety` thresholds. A plan is refused
when unsubscribes, archives or tag removals exceed an absolute limit or a percentage of what
the audience currently holds, when the desired audience shrank by more than
`max_size_drop_pct` since the last applied plan, or when it would create more new members
than `max_new_members` or `max_new_members_pct` of the last applied audience (a sudden
growth: a wrong filter, a broken consent model). The first load of an audience (no plan
applied yet, including a first load resumed after a crash, or an empty one) has nothing to
grow from and is not checked for growth. Percentages apply only above `pct_floor` operations
(or members lost), so a tiny audience is not blocked by one change. `--force` with a reason
overrides; the reason is logged in `sync_runs`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sync.mailchimp.exposures import SafetySpec
from sync.mailchimp.plan import PlanSummary


@dataclass(frozen=True)
class ThresholdHit:
    name: str
    count: float
    limit: float
    base: int | None
    message: str

    def as_dict(self) -> dict:
        return asdict(self)


def _pct(n: int, base: int) -> float:
    return 100.0 * n / base if base else 0.0


def evaluate(summary: PlanSummary, safety: SafetySpec) -> list[ThresholdHit]:
    """Every threshold the plan exceeds (empty list: safe to apply)."""
    hits: list[ThresholdHit] = []
    c = summary.counts
    checks = (
        (
            "unsubscribes",
            c.unsubscribes,
            safety.max_unsubscribes,
            safety.max_unsubscribes_pct,
            summary.audience_size,
            "members",
        ),
        (
            "archives",
            c.archives,
            safety.max_archives,
            safety.max_archives_pct,
            summary.audience_size,
            "members",
        ),
        (
            "tag_removals",
            c.tag_removes,
            safety.max_tag_removals,
            safety.max_tag_removals_pct,
            summary.held_tags,
            "tag assignments",
        ),
    )
    for name, n, limit, pct_limit, base, unit in checks:
        if n > limit:
            hits.append(
                ThresholdHit(
                    f"max_{name}",
                    n,
                    limit,
                    None,
                    f"{n} {name.replace('_', ' ')} planned, above the limit of {limit}",
                )
            )
        pct = _pct(n, base)
        if n > safety.pct_floor and pct > pct_limit:
            hits.append(
                ThresholdHit(
                    f"max_{name}_pct",
                    round(pct, 2),
                    pct_limit,
                    base,
                    f"{n} {name.replace('_', ' ')} = {pct:.1f}% of {base} {unit}, above "
                    f"{pct_limit}%",
                )
            )
    prev = summary.previous_desired_size
    if prev:
        drop = _pct(prev - summary.desired_size, prev)
        if prev - summary.desired_size > safety.pct_floor and drop > safety.max_size_drop_pct:
            hits.append(
                ThresholdHit(
                    "max_size_drop_pct",
                    round(drop, 2),
                    safety.max_size_drop_pct,
                    prev,
                    f"desired audience dropped from {prev} to {summary.desired_size} "
                    f"({drop:.1f}%), above {safety.max_size_drop_pct}%",
                )
            )
    if prev:
        hits += _growth(c.creates, prev, safety)
    return hits


def _growth(creates: int, prev: int, safety: SafetySpec) -> list[ThresholdHit]:
    """New members planned against the audience the last applied plan left."""
    hits = []
    if creates > safety.max_new_members:
        hits.append(
            ThresholdHit(
                "max_new_members",
                creates,
                safety.max_new_members,
                None,
                f"{creates} new members planned, above the limit of {safety.max_new_members}",
            )
        )
    pct = _pct(creates, prev)
    if creates > safety.pct_floor and pct > safety.max_new_members_pct:
        hits.append(
            ThresholdHit(
                "max_new_members_pct",
                round(pct, 2),
                safety.max_new_members_pct,
                prev,
                f"{creates} new members planned = {pct:.1f}% of the {prev} the last applied plan "
                f"left, above {safety.max_new_members_pct}%",
            )
        )
    return hits

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

One threshold is checked after applying instead (`reject_hits`): the share of planned member
writes Mailchimp rejected for good (`max_reject_pct`, per operation and per run). Nothing can
be refused by then; a hit makes the run's outcome `rejects` rather than ok.
"""

from __future__ import annotations

from collections.abc import Mapping
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


# Member writes per plan count: the apply step that performs them.
_MEMBER_STEPS = (("create", "creates"), ("update", "updates"), ("unsubscribe", "unsubscribes"))


def reject_hits(
    summary: PlanSummary, rejected_by_step: Mapping[str, int], safety: SafetySpec
) -> list[ThresholdHit]:
    """Per operation and for the whole run: rejected member writes above `max_reject_pct` of
    those planned (only when more than `pct_floor` were rejected, as for the other
    percentages). Empty list: an acceptable night."""
    hits: list[ThresholdHit] = []
    planned = asdict(summary.counts)
    limit = safety.max_reject_pct
    total_rejected = total_planned = 0
    for step, count_name in _MEMBER_STEPS:
        rejected = int(rejected_by_step.get(step, 0))
        base = max(int(planned[count_name]), rejected)
        total_rejected += rejected
        total_planned += base
        pct = _pct(rejected, base)
        if rejected > safety.pct_floor and pct > limit:
            hits.append(
                ThresholdHit(
                    f"max_reject_pct:{step}",
                    round(pct, 2),
                    limit,
                    base,
                    f"Mailchimp rejected {rejected} of {base} {step}s ({pct:.1f}%), above "
                    f"{limit}%: see engage_sync.sync_rejects for the reasons",
                )
            )
    pct = _pct(total_rejected, total_planned)
    if total_rejected > safety.pct_floor and pct > limit:
        hits.append(
            ThresholdHit(
                "max_reject_pct",
                round(pct, 2),
                limit,
                total_planned,
                f"Mailchimp rejected {total_rejected} of {total_planned} member writes "
                f"({pct:.1f}%), above {limit}%: see engage_sync.sync_rejects for the reasons",
            )
        )
    return hits

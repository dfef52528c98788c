"""Segments are data: a new file in models/segments/definitions/ is picked up with no other
change (and
`-s +seg_x+` builds it into the union and the catalogue),
bad meta fails with a message naming the file, issue tags switch off, history records
the change since the previous build."""

from __future__ import annotations

from pathlib import Path

import pytest
from warehouse_build import SAMPLE_AS_OF, Warehouse, failure_text

from sync.warehouse.project import PROJECT_DIR

# Everything downstream of the segment models; upstream marts are already in the copied file.
SEGMENT_LAYER = [
    "--select",
    "path:models/segments int_segment_candidates__unioned+ int_segments__catalogued+ "
    "path:snapshots segment_membership_history",
]

# The example from the README's "Adding a segment", verbatim.
DONORS_SEGMENT = """\
{{ config(meta={
    'tag': 'seg:donors-365d',
    'description': 'Gave money in the last 365 days.',
    'priority': 45,
    'respects_contact_cap': true,
}) }}

select supporter_id, 'donated' as reason
from {{ ref('engagement_events') }}
where action_type = 'donation'
    and occurred_on between {{ engage_as_of_date() }} - 365 and {{ engage_as_of_date() }}
"""


@pytest.fixture(scope="module")
def forked(sample_warehouse: Warehouse, tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    """The sample warehouse copied, rebuilt once so it has a previous build, then given
    one more segment file and rebuilt again."""
    wh = sample_warehouse.fork(tmp_path_factory.mktemp("segments-fork"))
    first = wh.dbt("build", *SEGMENT_LAYER)
    assert first.success, failure_text(first)
    definitions = wh.project_dir / "models" / "segments" / "definitions"
    (definitions / "seg_donors_365d.sql").write_text(DONORS_SEGMENT)
    # dbt's own selection reaches the union, the catalogue and the marts through real edges
    second = wh.dbt("build", "--select", "+seg_donors_365d+")
    assert second.success, failure_text(second)
    return wh


def test_the_readme_shows_the_segment_this_file_tests() -> None:
    readme = (PROJECT_DIR / "README.md").read_text()
    assert DONORS_SEGMENT.strip() in readme


def test_a_new_segment_file_adds_its_memberships(forked: Warehouse) -> None:
    expected = {
        r[0]
        for r in forked.query(
            "select distinct e.supporter_id from engagement_events e "
            "join supporters s using (supporter_id) "
            "where e.action_type = 'donation' and s.is_emailable "
            "and e.occurred_on between date '2025-11-20' and date '2026-11-20'"
        )
    }
    assert expected, "the sample has emailable donors"
    targeted = {
        r[0]
        for r in forked.query(
            "select supporter_id from segment_memberships where tag = 'seg:donors-365d'"
        )
    }
    held = {
        r[0]
        for r in forked.query(
            "select supporter_id from segment_memberships_held_out "
            "where tag = 'seg:donors-365d' and held_out_reason <> 'not_emailable'"
        )
    }
    assert targeted | held == expected
    assert targeted
    row = forked.query(
        "select segment_name, description, priority, size, previous_size from segments "
        "where tag = 'seg:donors-365d'"
    )
    assert row == [("seg_donors_365d", "Gave money in the last 365 days.", 45, len(targeted), None)]


def test_catalogue_reports_the_change_since_the_previous_build(forked: Warehouse) -> None:
    rows = forked.query(
        "select tag, size, previous_size, size_change from segments where tag <> 'seg:donors-365d'"
    )
    assert rows
    for tag, size, previous, change in rows:
        assert previous is not None, tag
        assert change == size - previous, tag
    # the new segment took slots: someone else lost theirs to the priority limit
    assert any(change < 0 for _tag, _size, _prev, change in rows)
    builds = forked.scalar("select count(distinct invocation_id) from segment_size_history")
    assert builds >= 2


def test_daily_size_series_keeps_the_last_build_of_each_day(forked: Warehouse) -> None:
    """Three builds for the same as_of date leave one point per tag: the latest sizes."""
    assert forked.scalar("select count(distinct invocation_id) from segment_size_history") >= 3
    latest = dict(forked.query("select tag, size from segments"))
    daily = forked.query("select tag, size, cast(as_of_date as varchar) from segment_sizes_daily")
    assert {tag: size for tag, size, _day in daily} == latest
    assert len(daily) == len(latest)
    assert {day for _tag, _size, day in daily} == {SAMPLE_AS_OF}


def test_snapshot_records_who_entered_and_who_left(forked: Warehouse) -> None:
    entered = forked.scalar(
        "select count(*) from segment_membership_history "
        "where tag = 'seg:donors-365d' and is_current"
    )
    assert entered == forked.scalar(
        "select count(*) from segment_memberships where tag = 'seg:donors-365d'"
    )
    left = forked.scalar(
        "select count(*) from segment_membership_history where exited_at is not null"
    )
    assert left > 0  # the members the donors pushed over the limit


def test_issue_tags_switch_off(sample_warehouse: Warehouse, tmp_path: Path) -> None:
    wh = sample_warehouse.fork(tmp_path)
    select = ["--select", "supporter_engagement " + SEGMENT_LAYER[1]]
    outcome = wh.dbt("build", *select, dbt_vars={"issue_tags_enabled": False})
    assert outcome.success, failure_text(outcome)
    assert wh.scalar("select count(*) from segments where tag like 'issue:%'") == 0
    assert wh.scalar("select count(*) from segment_memberships where tag like 'issue:%'") == 0
    assert wh.scalar("select count(*) from segments") > 0
    # nothing left for a TOPISSUE merge field either; the warehouse keeps its own view
    assert wh.scalar("select count(top_issue_for_sync) from supporter_engagement") == 0
    assert wh.scalar("select count(*) from supporter_engagement where top_issue <> 'none'") > 0


def test_a_malformed_as_of_fails_with_the_fix(sample_warehouse: Warehouse, tmp_path: Path) -> None:
    wh = sample_warehouse.fork(tmp_path)
    outcome = wh.dbt(
        "compile", "--select", "int_upcoming_events__windowed", dbt_vars={"as_of": "20/11/2026"}
    )
    assert not outcome.success
    assert "as_of must be an ISO date like 2026-11-20" in failure_text(outcome)


@pytest.mark.parametrize(
    ("meta", "message"),
    [
        (
            "{'tag': 'vip', 'description': 'x', 'priority': 1, 'respects_contact_cap': true}",
            "outside the namespaces",
        ),
        (
            "{'tag': 'seg:Bad Tag', 'description': 'x', 'priority': 1, "
            "'respects_contact_cap': true}",
            "kebab-case",
        ),
        ("{'tag': 'seg:no-priority', 'description': 'x'}", "has no meta.priority"),
        (
            "{'tag': 'seg:no-cap-say', 'description': 'x', 'priority': 1}",
            "has no meta.respects_contact_cap",
        ),
        (
            "{'tag': 'seg:typo', 'description': 'x', 'priority': 1, "
            "'respects_contact_cap': 'treu'}",
            "has respects_contact_cap 'treu': use true or false",
        ),
    ],
)
def test_bad_segment_meta_fails_naming_the_file(
    sample_warehouse: Warehouse, tmp_path: Path, meta: str, message: str
) -> None:
    wh = sample_warehouse.fork(tmp_path)
    (wh.project_dir / "models" / "segments" / "definitions" / "seg_broken.sql").write_text(
        "{{ config(meta=" + meta + ") }}\nselect supporter_id from {{ ref('supporters') }}\n"
    )
    outcome = wh.dbt("build", "--select", "int_segments__catalogued")
    assert not outcome.success
    text = failure_text(outcome)
    assert "seg_broken" in text and "models/segments/definitions/seg_broken.sql" in text
    assert message in text

"""Sync declarations from dbt exposures, merge fields as code, and the fail-safes."""

from __future__ import annotations

import duckdb
import pytest
from synctest_helpers import canonical_value_sql, default_meta, manifest_for, write_manifest

from sync.errors import ConfigError, MergeFieldError
from sync.mailchimp.exposures import (
    MergeFieldSpec,
    SafetySpec,
    audiences_from_manifest,
    load_audiences,
)
from sync.mailchimp.failsafe import evaluate
from sync.mailchimp.merge_fields import (
    canonical_from_mailchimp,
    canonical_number,
    check_schema,
    create_body,
    to_mailchimp,
    truncate_bytes,
)
from sync.mailchimp.plan import PlanCounts, PlanSummary


def test_manifest_exposure_is_validated_and_relations_resolved(tmp_path):
    path = write_manifest(tmp_path / "manifest.json", {"mailchimp_supporters": default_meta()})
    [aud] = load_audiences(path)
    assert aud.key == "mailchimp_supporters"
    assert aud.members_relation.sql == '"main"."supporters"'
    assert aud.tags_relation.identifier == "segment_memberships"
    assert [f.tag for f in aud.spec.merge_fields] == [
        "FNAME",
        "LNAME",
        "DISTRICT",
        "SCORE",
        "LASTACT",
    ]
    assert aud.spec.concurrency == 8 and aud.owns_tag("SEG:x") and not aud.owns_tag("vip")


@pytest.mark.parametrize(
    "override, message",
    [
        (
            {"merge_fields": [{"column": "a", "tag": "TOOLONGTAG1", "type": "text"}]},
            "merge_fields.0.tag: merge tag 'TOOLONGTAG1' breaks Mailchimp's rules",
        ),
        ({"merge_fields": [{"column": "a", "tag": "fname", "type": "text"}]}, "breaks"),
        ({"merge_fields": [{"column": "a", "tag": "X", "type": "colour"}]}, "merge_fields.0.type"),
        ({"merge_fields": [{"column": "a", "tag": "X", "type": "dropdown"}]}, "needs `choices`"),
        (
            {
                "merge_fields": [
                    {"column": "a", "tag": "X", "type": "text"},
                    {"column": "b", "tag": "X", "type": "text"},
                ]
            },
            "declared twice",
        ),
        ({"concurrency": 11}, "concurrency"),
        ({"removal_policy": "delete"}, "removal_policy"),
        ({"tags": {"owned_namespaces": ["Seg"]}}, "lower-case prefix ending in ':'"),
        ({"members": {"model": "supporters", "filter": "true; drop table x"}}, "one SQL"),
        ({"surprise": 1}, "surprise"),
        ({"optout_statuses": ["cleaned"]}, "optout_statuses: must include 'unsubscribed'"),
    ],
)
def test_bad_declarations_are_clear_errors(override, message):
    with pytest.raises(ConfigError) as err:
        audiences_from_manifest(manifest_for({"aud": default_meta(**override)}))
    assert message in str(err.value)
    assert "exposure 'aud' (models/mailchimp/_mailchimp__exposures.yml)" in str(err.value)


def test_field_cap_is_checked_in_config():
    fields = [{"column": "c", "tag": f"F{i}", "type": "text"} for i in range(31)]
    with pytest.raises(ConfigError, match="over the audience cap of 30"):
        audiences_from_manifest(manifest_for({"aud": default_meta(merge_fields=fields)}))


def test_exposure_must_depend_on_its_models():
    m = manifest_for({"aud": default_meta()})
    m["exposures"]["exposure.engage.aud"]["depends_on"]["nodes"] = []
    with pytest.raises(ConfigError, match=r"add ref\('supporters'\) to depends_on"):
        audiences_from_manifest(m)


def test_missing_manifest_and_unknown_audience(tmp_path):
    with pytest.raises(ConfigError, match="no dbt manifest"):
        load_audiences(tmp_path / "nope.json")
    path = write_manifest(tmp_path / "m.json", {"a": default_meta()})
    with pytest.raises(ConfigError, match="unknown audience"):
        load_audiences(path, only=["b"])


# --- merge fields as code ------------------------------------------------------------------

DEFAULTS = [
    {"tag": "FNAME", "type": "text"},
    {"tag": "LNAME", "type": "text"},
    {"tag": "ADDRESS", "type": "address"},
    {"tag": "PHONE", "type": "phone"},
]


def spec(tag, type_, **kw):
    return MergeFieldSpec(column="c", tag=tag, type=type_, **kw)


def test_schema_check_creates_only_missing_fields():
    missing = check_schema([spec("FNAME", "text"), spec("SCORE", "number")], DEFAULTS, cap=30)
    assert [m.tag for m in missing] == ["SCORE"]
    body = create_body(spec("LASTACT", "date", date_format="DD/MM/YYYY"))
    assert body["type"] == "date" and body["options"] == {"date_format": "DD/MM/YYYY"}


def test_schema_check_type_conflict_and_cap():
    with pytest.raises(MergeFieldError, match="exists as type 'phone' but is declared 'text'"):
        check_schema([spec("PHONE", "text")], DEFAULTS, cap=30)
    with pytest.raises(MergeFieldError, match="exceed the audience's cap of 5"):
        check_schema([spec("A", "text"), spec("B", "text")], DEFAULTS, cap=5)


def test_canonical_values_round_trip():
    assert canonical_number(3.0) == "3" and canonical_number("2.50") == "2.5"
    assert canonical_number("") == "" and canonical_number(True) == ""
    d = spec("D", "date", date_format="DD/MM/YYYY")
    assert canonical_from_mailchimp(d, "05/03/2024") == "2024-03-05"
    assert canonical_from_mailchimp(spec("D", "date"), "03/05/2024") == "2024-03-05"
    assert canonical_from_mailchimp(spec("D", "date"), "2024-03-05") == "2024-03-05"
    assert canonical_from_mailchimp(spec("B", "birthday"), "3/5") == "03/05"
    assert to_mailchimp(spec("N", "number"), "3") == 3
    assert to_mailchimp(spec("N", "number"), "2.5") == 2.5
    assert to_mailchimp(spec("N", "number"), "") == ""
    assert to_mailchimp(spec("T", "text"), None) == ""
    assert truncate_bytes("€" * 100) == "€" * 85


def test_sql_and_python_canonical_numbers_agree():
    """The dbt macro behind the desired merge-field values and the Python that reads
    Mailchimp's values back agree on numbers, so a reconcile sees no false change."""
    con = duckdb.connect()
    sql = canonical_value_sql({"column": "c", "tag": "N", "type": "number"}, '"c"')
    for v in (0.1, 1e20, 1.5e-7, 123456.789, -3.0, 42.0, 1e15, None):
        got = con.execute(f"select {sql} from (select ?::double as c)", [v]).fetchone()[0]
        assert got == canonical_number(v), v


# --- fail-safes -------------------------------------------------------------------------------


def summary(audience_size=1000, held=1000, prev=None, desired=1000, **counts):
    return PlanSummary(
        "p", "a", "id", "state", desired, prev, audience_size, held, PlanCounts(**counts)
    )


def test_failsafe_thresholds():
    safety = SafetySpec(
        max_unsubscribes=100,
        max_unsubscribes_pct=5,
        max_archives=10,
        max_tag_removals=500,
        max_tag_removals_pct=20,
        max_size_drop_pct=20,
        pct_floor=10,
    )
    assert evaluate(summary(unsubscribes=50, archives=10, tag_removes=200), safety) == []
    hits = {h.name for h in evaluate(summary(unsubscribes=60), safety)}
    assert hits == {"max_unsubscribes_pct"}
    hits = {h.name for h in evaluate(summary(unsubscribes=101, archives=11), safety)}
    assert hits == {"max_unsubscribes", "max_unsubscribes_pct", "max_archives"}
    # percentages do not trip below the floor: 3 of 10 members is 30% but only 3 operations
    assert evaluate(summary(audience_size=10, unsubscribes=3), safety) == []
    hits = evaluate(summary(prev=1000, desired=700), safety)
    assert [h.name for h in hits] == ["max_size_drop_pct"]
    assert "dropped from 1000 to 700 (30.0%)" in hits[0].message


def test_failsafe_sudden_growth():
    safety = SafetySpec(max_new_members=1000, max_new_members_pct=50, pct_floor=10)
    # 200k new members against an audience of 325: both limits.
    hits = evaluate(summary(audience_size=325, prev=325, desired=200_325, creates=200_000), safety)
    assert [h.name for h in hits] == ["max_new_members", "max_new_members_pct"]
    assert "200000 new members planned = 61538.5% of the 325" in hits[1].message
    # relative only; and nothing below the floor or within the limits
    hits = evaluate(summary(prev=100, desired=170, creates=70), safety)
    assert [h.name for h in hits] == ["max_new_members_pct"]
    assert evaluate(summary(prev=4, desired=12, creates=8), safety) == []
    assert evaluate(summary(prev=1000, desired=1400, creates=400), safety) == []
    # the first load (no plan applied yet) has nothing to grow from
    assert (
        evaluate(summary(audience_size=0, prev=None, desired=200_000, creates=200_000), safety)
        == []
    )

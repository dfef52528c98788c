"""The "likely to act" propensity on the sample set (docs/engagement.md §9): the backtest finds
a signal and its AUC matches an independent count, everyone gets one row, the segment is the
high band, and with no signal nothing is shipped."""

from __future__ import annotations

from pathlib import Path

from warehouse_build import Warehouse, failure_text

from sync.mailchimp.exposures import audiences_from_manifest
from sync.warehouse.project import PROJECT_DIR


def _metrics(wh: Warehouse) -> dict[str, float]:
    return dict(wh.query("select metric, value from propensity_backtest where row_type = 'metric'"))


def test_the_sample_backtest_finds_a_signal(sample_warehouse: Warehouse) -> None:
    wh = sample_warehouse
    verdicts = wh.query("select distinct verdict, verdict_reason from propensity_backtest")
    assert len(verdicts) == 1 and verdicts[0][0] == "signal", verdicts
    m = _metrics(wh)
    assert m["auc"] >= 0.7, m
    assert m["test_positives"] >= 20 and m["train_positives"] >= 20, m
    assert m["brier"] < m["brier_base_rate"], "the score beats predicting the base rate"
    deciles = wh.query(
        "select decile, supporters, positives, predicted_rate, observed_rate "
        "from propensity_backtest where row_type = 'calibration' order by decile"
    )
    assert sum(r[1] for r in deciles) == m["test_supporters"]
    assert sum(r[2] for r in deciles) == m["test_positives"]
    # the top decile acts far more often than the bottom one
    assert deciles[-1][4] > 2 * m["test_base_rate"] > deciles[0][4]


def test_the_auc_matches_a_pairwise_count(sample_warehouse: Warehouse) -> None:
    """Mann-Whitney in SQL (ranks, ties averaged) == counting every (acted, did not) pair."""
    rows = sample_warehouse.query(
        "select score, acted from int_propensity_predictions__scored "
        "where model_name = 'backtest' and cutoff_role = 'test'"
    )
    pos = [s for s, acted in rows if acted]
    neg = [s for s, acted in rows if not acted]
    wins = sum(1.0 if p > n else 0.5 if p == n else 0.0 for p in pos for n in neg)
    assert abs(_metrics(sample_warehouse)["auc"] - wins / (len(pos) * len(neg))) < 1e-9


def test_every_supporter_has_a_row_and_the_segment_is_the_high_band(
    sample_warehouse: Warehouse,
) -> None:
    wh = sample_warehouse
    assert wh.scalar("select count(*) from supporter_propensity") == wh.scalar(
        "select count(*) from supporters"
    )
    bands = dict(
        wh.query(
            "select likely_to_act, count(*) from supporter_propensity "
            "where likely_to_act is not null group by 1"
        )
    )
    assert set(bands) == {"high", "medium", "low"}
    high = {
        r[0]
        for r in wh.query(
            "select supporter_id from supporter_propensity where likely_to_act = 'high'"
        )
    }
    candidates = {
        r[0]
        for r in wh.query(
            "select supporter_id from int_segment_candidates__unioned "
            "where tag = 'seg:likely-to-act'"
        )
    }
    assert candidates == high
    size, priority = wh.query(
        "select size, priority from segments where tag = 'seg:likely-to-act'"
    )[0]
    assert 0 < size <= len(high) and priority == 90


def test_no_signal_ships_no_number_and_empties_the_segment(
    sample_warehouse: Warehouse, tmp_path: Path
) -> None:
    wh = sample_warehouse.fork(tmp_path)
    outcome = wh.dbt(
        "build",
        "--select",
        "propensity_backtest+ int_segments__catalogued+",
        "--exclude",
        "test_type:unit",
        dbt_vars={"propensity_min_auc": 0.99},
    )
    assert outcome.success, failure_text(outcome)
    verdict, reason = wh.query("select distinct verdict, verdict_reason from propensity_backtest")[
        0
    ]
    assert verdict == "no_signal" and "AUC is below 0.99" in reason
    assert (
        wh.scalar(
            "select count(*) from supporter_propensity "
            "where probability is not null or decile is not null or likely_to_act is not null"
        )
        == 0
    )
    assert (
        wh.scalar("select count(*) from supporter_propensity where reason like 'not shipped:%'") > 0
    )
    assert wh.query("select size, candidates from segments where tag = 'seg:likely-to-act'") == [
        (0, 0)
    ]


def test_the_documented_merge_field_declaration_works(
    sample_warehouse: Warehouse, tmp_path: Path
) -> None:
    """docs/engagement.md §9's two edits (join supporter_propensity in mailchimp_members,
    declare LIKELYACT) on a copy of the project: the exposure validates and the column holds
    the bands (the shipped exposure leaves it out; see the docs)."""
    docs = (PROJECT_DIR / "docs" / "engagement.md").read_text()
    line = next(
        x.strip() for x in docs.splitlines() if x.strip().startswith("- {column: likely_to_act")
    )
    wh = sample_warehouse.fork(tmp_path)
    members = wh.project_dir / "models" / "mailchimp" / "mailchimp_members.sql"
    sql = members.read_text().rstrip()
    assert sql.endswith("select * from final")
    sql = sql.removesuffix("select * from final") + (
        "select final.*, propensity.likely_to_act\n"
        "from final\n"
        "left join {{ ref('supporter_propensity') }} as propensity\n"
        "    on propensity.supporter_id = final.supporter_id\n"
    )
    members.write_text(sql)
    exposures = members.parent / "_mailchimp__exposures.yml"
    text = exposures.read_text()
    anchor = "          merge_fields:\n"
    assert anchor in text
    exposures.write_text(text.replace(anchor, anchor + "            " + line + "\n", 1))

    outcome = wh.dbt("run", "--select", "mailchimp_members")
    assert outcome.success, failure_text(outcome)
    [audience] = audiences_from_manifest(wh.manifest)
    field = next(f for f in audience.spec.merge_fields if f.tag == "LIKELYACT")
    assert field.column == "likely_to_act" and field.choices == ["high", "medium", "low"]
    held = {r[0] for r in wh.query("select distinct likely_to_act from mailchimp_members")}
    assert held - {None} == {"high", "medium", "low"}

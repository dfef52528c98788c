"""Consent: opt-outs always win over older or unevidenced opt-ins; a newer evidenced opt-in
restores consent; Mailchimp's read-back (unsubscribes, compliance rejects) becomes opt-outs."""

from __future__ import annotations

import duckdb
import pytest
from warehouse_build import Warehouse
from warehousetest_helpers import ANA, build_layers, copy_tiny, write_csv


def _status(warehouse: Warehouse, email: str) -> tuple[str, bool, str]:
    rows = warehouse.query(
        "select email_status, is_emailable, consent_basis from supporters s "
        "join supporter_identifiers i using (supporter_id) "
        "where i.identifier_type = 'email' and i.identifier_value = ?",
        [email],
    )
    assert len(rows) == 1, f"{email}: {rows}"
    return rows[0]


@pytest.mark.parametrize(
    ("email", "expected"),
    [
        # a dated "Yes" (2025-11-03) older than the Mailchimp unsubscribe (2026-08-10)
        ("ivan@example.com", ("unsubscribed", False, "opt_out")),
        # unsubscribed 2025-10-20, then a dated form opt-in 2026-10-05: restored
        ("jo@example.com", ("subscribed", True, "evidenced")),
        # an undated sheet tick is no evidence against a Mailchimp unsubscribe
        ("chloe@example.com", ("unsubscribed", False, "opt_out")),
        # a dated form yes and a dated Action Network subscription, no opt-out
        (ANA, ("subscribed", True, "evidenced")),
        # nothing said about consent
        ("dana.mockridge@example.org", ("unknown", False, "none")),
    ],
)
def test_opt_out_precedence(tiny: Warehouse, email: str, expected: tuple[str, bool, str]):
    assert _status(tiny, email) == expected


def test_mailchimp_read_back_becomes_opt_outs(tiny: Warehouse, tmp_path):
    """Before the first pull the read-back tables do not exist (the tiny build proves the
    warehouse builds without them); once the sync writes them, an unsubscribe in Mailchimp and
    a compliance reject stop the supporters being emailable."""
    warehouse = copy_tiny(tiny, tmp_path / "readback")
    assert _status(warehouse, ANA)[:2] == ("subscribed", True)
    assert _status(warehouse, "jo@example.com")[:2] == ("subscribed", True)

    con = duckdb.connect(str(warehouse.db_path))
    try:
        con.execute("create schema engage_sync")
        con.execute(
            "create table engage_sync.pulled_members (audience_id varchar, email_address varchar,"
            " subscriber_hash varchar, status varchar, last_changed timestamp,"
            " pulled_at timestamp, tags_count integer)"
        )
        con.execute(
            "insert into engage_sync.pulled_members values ('aud1', 'Ana.Reyes@example.org', "
            "md5('ana.reyes@example.org'), 'unsubscribed', timestamp '2026-11-19 08:00:00', "
            "timestamp '2026-11-19 09:00:00', 0)"
        )
        con.execute(
            "create table engage_sync.sync_rejects (audience_id varchar, email_address varchar,"
            " subscriber_hash varchar, reason varchar, detail varchar, rejected_at timestamp,"
            " field varchar, payload_hash varchar, run_id varchar)"
        )
        con.execute(
            "insert into engage_sync.sync_rejects values ('aud1', null, md5('jo@example.com'), "
            "'compliance_state', 'Member In Compliance State', timestamp '2026-11-19 09:00:00', "
            "null, null, null)"
        )
    finally:
        con.close()
    build_layers(warehouse)

    assert _status(warehouse, ANA) == ("unsubscribed", False, "opt_out")
    assert _status(warehouse, "jo@example.com") == ("suppressed", False, "opt_out")
    evidence = warehouse.query(
        "select evidence, source_type, audience_id from consent_events "
        "where email = ? and source_type = 'mailchimp_sync'",
        [ANA],
    )
    assert evidence == [("mailchimp_audience_status", "mailchimp_sync", "aud1")]

    # Staff archive Ana in Mailchimp: the next pull overwrites her status, but the opt-out it
    # saw before stays in pulled_optouts (as `engage pull` writes it), so she stays opted out.
    con = duckdb.connect(str(warehouse.db_path))
    try:
        con.execute(
            "create table engage_sync.pulled_optouts (audience_id varchar, email_address varchar,"
            " subscriber_hash varchar, status varchar, observed_at timestamp)"
        )
        con.execute(
            "insert into engage_sync.pulled_optouts values ('aud1', 'Ana.Reyes@example.org', "
            "md5('ana.reyes@example.org'), 'unsubscribed', timestamp '2026-11-19 08:00:00')"
        )
        con.execute(
            "update engage_sync.pulled_members set status = 'archived', "
            "last_changed = timestamp '2026-11-20 08:00:00'"
        )
    finally:
        con.close()
    build_layers(warehouse)
    assert _status(warehouse, ANA) == ("unsubscribed", False, "opt_out")
    evidence = warehouse.query(
        "select evidence, occurred_at from consent_events "
        "where email = ? and source_type = 'mailchimp_sync'",
        [ANA],
    )
    assert [(e, str(t)) for e, t in evidence] == [
        ("mailchimp_audience_status_seen", "2026-11-19 08:00:00")
    ]


def test_dated_action_network_subscription_after_an_unsubscribe_restores(tiny: Warehouse, tmp_path):
    """Action Network people subscribe themselves (seeds/consent_opt_in_sources.csv): a dated
    can2 "subscribed" newer than a Mailchimp unsubscribe is a fresh, evidenced opt-in; an
    undated one is a claim and the unsubscribe stands."""
    warehouse = copy_tiny(tiny, tmp_path / "action_network")
    assert _status(warehouse, "chloe@example.com")[:2] == ("unsubscribed", False)
    assert _status(warehouse, "ivan@example.com")[:2] == ("unsubscribed", False)
    write_csv(
        warehouse.raw_dir / "petitions" / "action_network_fair_rents.csv",
        [
            "email",
            "first_name",
            "last_name",
            "zip_code",
            "can2_subscription_status",
            "can2_subscription_date",
            "created_date",
        ],
        [
            # unsubscribed in Mailchimp 2026-06-18, subscribed on Action Network 2026-09-01
            [
                "chloe@example.com",
                "Chloe",
                "Doe",
                "LS2 9HP",
                "subscribed",
                "2026-09-01 10:00:00",
                "",
            ],
            # unsubscribed in Mailchimp 2026-08-10, "subscribed" on Action Network, no date
            ["ivan@example.com", "Ivan", "Exampleton", "10009", "subscribed", "", ""],
        ],
    )
    build_layers(warehouse)
    assert _status(warehouse, "chloe@example.com") == ("subscribed", True, "evidenced")
    assert (
        warehouse.scalar(
            "select consent_evidence from supporters s join supporter_identifiers i using "
            "(supporter_id) where i.identifier_value = 'chloe@example.com'"
        )
        == "self_service_opt_in"
    )
    assert _status(warehouse, "ivan@example.com") == ("unsubscribed", False, "opt_out")


PLANTED_EXPECTATIONS = {
    "an_unsubscribed_mc_subscribed": "unsubscribed",
    "cleaned_but_yes": "cleaned",
    "unsub_older_dated_yes": "unsubscribed",
    "unsub_then_newer_evidenced_optin": "subscribed",
    "unsub_undated_yes": "unsubscribed",
}


@pytest.mark.parametrize("case_name", sorted(PLANTED_EXPECTATIONS))
def test_planted_consent_cases(built_warehouse, planted_cases, case_name):
    failed = built_warehouse.failures("supporters", "int_consent", "consent_events")
    assert not failed, [(f.name, f.message) for f in failed]
    expected = PLANTED_EXPECTATIONS[case_name]
    for row in planted_cases["cases"][case_name]["rows"]:
        statuses = built_warehouse.query(
            "select s.email_status, s.is_emailable from supporters s "
            "join int_identity__record_supporters rs using (supporter_id) "
            "join base_spreadsheets__rows r on r.row_id = rs.record_id "
            "where r.file_path = ? and r.row_number = ? and coalesce(r.sheet_name, '') = ?",
            [row["file"].removeprefix("raw/"), int(row["row_number"]), row.get("sheet") or ""],
        )
        assert statuses == [(expected, expected == "subscribed")], (case_name, row)

"""Opt-outs never wait for a segment: the night a segment model breaks, a spreadsheet's
unsubscribe still reaches Mailchimp (real dbt on a copy of the project, the sandbox). The
nights before it write the segment catalogue."""

from __future__ import annotations

import shutil

from synctest_helpers import sub_hash

from sync.jobs.nightly import dbt_build, nightly_job
from sync.mailchimp.client import MailchimpClient, RetryPolicy, Target
from sync.warehouse.dbt_runner import vars_args
from sync.warehouse.project import PROJECT_DIR, Settings

PROJECT_PARTS = ("dbt_project.yml", "models", "seeds", "macros", "snapshots", "tests/dbt")
PEOPLE = [("Ada", "Lovelace"), ("Grace", "Hopper"), ("Alan", "Turing")]


def email(first: str) -> str:
    return f"{first.lower()}@campaign-mail.net"


def test_an_unsubscribe_reaches_mailchimp_the_night_a_segment_breaks(
    tmp_path, sandbox, monkeypatch
):
    project = tmp_path / "project"
    for part in PROJECT_PARTS:
        src = PROJECT_DIR / part
        if src.is_dir():
            shutil.copytree(src, project / part)
        elif src.exists():
            (project / part).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(src, project / part)
    raw = tmp_path / "raw"
    (raw / "contacts").mkdir(parents=True)
    rows = [f"2026-10-0{i + 1},{f},{last},{email(f)},yes" for i, (f, last) in enumerate(PEOPLE)]
    (raw / "contacts" / "website_signups.csv").write_text(
        "Date registered,First Name,Last Name,Email Address,Keep me updated?\n"
        + "\n".join(rows)
        + "\n"
    )
    target = tmp_path / "dbt_target"
    monkeypatch.setenv("DBT_TARGET_PATH", str(target))
    monkeypatch.setenv("DBT_LOG_PATH", str(tmp_path / "dbt_logs"))
    settings = Settings(
        raw_dir=raw,
        duckdb_path=tmp_path / "engage.duckdb",
        target="dev",
        project_dir=project,
        raw_dir_explicit=True,
    )
    client = MailchimpClient(
        Target(sandbox.url, sandbox.api_key, overridden=True), retry=RetryPolicy.fast()
    )

    def night():
        return nightly_job(
            settings,
            target / "manifest.json",
            client=client,
            build=dbt_build,
            build_args=vars_args(as_of="2026-11-20"),
        )

    try:
        first = night()
        assert first.status in ("ok", "warnings"), first.as_dict()
        aid = first.audiences[0].audience_id
        # A night that built ends by writing the catalogue beside the warehouse file.
        index = tmp_path / "catalogue" / "index.html"
        assert first.catalogue == str(index) and "seg:new-30d" in index.read_text()
        assert sandbox.member(aid, sub_hash(email("Grace")))["status"] == "subscribed"

        # The next day: Grace unsubscribes (a Mailchimp export dropped in the raw folder), and
        # an analytics engineer's new segment breaks the build.
        (raw / "mailchimp_members").mkdir()
        (raw / "mailchimp_members" / "unsubscribed_members_export_1a2b3c.csv").write_text(
            '"Email Address","First Name","Last Name","UNSUB_TIME"\n'
            f'"{email("Grace")}","Grace","Hopper","2026-11-19 08:00:00"\n'
        )
        (project / "models" / "segments" / "definitions" / "seg_new_30d.sql").write_text(
            "select * from a_relation_that_does_not_exist\n"
        )
        second = night()
    finally:
        client.close()

    assert second.status == "build"
    assert "seg_new_30d" in second.error and "Only opt-outs were pushed" in second.error
    assert sandbox.member(aid, sub_hash(email("Grace")))["status"] == "unsubscribed"
    assert sandbox.member(aid, sub_hash(email("Ada")))["status"] == "subscribed"
    [aud] = second.audiences
    assert aud.applied.done == {"unsubscribed": 1}

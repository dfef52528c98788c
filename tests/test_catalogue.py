"""The segment catalogue (`engage catalogue`, sync.warehouse.catalogue) on the sample warehouse.

The site is written once per module from the session's `built_warehouse` (read-only: the
warehouse file is only read) into a tmp folder. The pages are parsed with the standard
library's HTML parser; one test opens index.html in a real headless Chromium, checks the DOM
and saves a screenshot under the repository's target/ (tmp when that is not writable). It
skips where Chromium is not installed, unless ENGAGE_REQUIRE_CHROMIUM=1 (set by .ci/run).
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import subprocess
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner
from warehouse_build import Warehouse

from sync.cli.app import app
from sync.cli.exits import EXIT_CONFIG, EXIT_OK
from sync.jobs.catalogue import merge_field_inputs
from sync.warehouse.catalogue import (
    CatalogueSite,
    SizePoint,
    build_catalogue,
    load_manifest,
    page_name,
    read_catalogue,
    snippets_for,
    sparkline_points,
    unique_pages,
    write_site,
)
from sync.warehouse.project import PROJECT_DIR

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser")
runner = CliRunner()


class _Page(HTMLParser):
    """Collects the text of elements by class, and every link target."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[str] = []  # data-tag of each segment row
        self.links: list[str] = []
        self.pre: list[str] = []
        self._in_pre = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "tr" and "segment" in (values.get("class") or "").split():
            self.rows.append(values.get("data-tag") or "")
        if tag == "a" and values.get("href"):
            self.links.append(values["href"] or "")
        if tag == "pre":
            self._in_pre = True
            self.pre.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "pre":
            self._in_pre = False

    def handle_data(self, data: str) -> None:
        if self._in_pre:
            self.pre[-1] += data


def parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


@pytest.fixture(scope="module")
def site(built_warehouse: Warehouse, tmp_path_factory: pytest.TempPathFactory) -> CatalogueSite:
    assert built_warehouse.db_path.exists(), "the sample warehouse was not built"
    manifest = built_warehouse.target_path / "manifest.json"
    return build_catalogue(
        built_warehouse.db_path,
        tmp_path_factory.mktemp("catalogue") / "site",
        manifest,
        merge_field_inputs(manifest),
    )


@pytest.fixture(scope="module")
def segment_tags(built_warehouse: Warehouse) -> list[str]:
    return [str(t) for (t,) in built_warehouse.query("select tag from segments order by tag")]


def test_the_site_is_written(site: CatalogueSite) -> None:
    assert site.index.is_file()
    assert (site.out_dir / "merge-fields.html").is_file()
    assert all(f.is_file() and f.stat().st_size > 0 for f in site.files)


def test_the_index_lists_every_segment_and_links_its_page(
    site: CatalogueSite, segment_tags: list[str]
) -> None:
    page = parse(site.index)
    assert sorted(page.rows) == segment_tags
    for tag in segment_tags:
        assert f"segments/{page_name(tag)}" in page.links  # the sample's tags read apart
    assert "merge-fields.html" in page.links


def test_each_segment_page_shows_its_sql(
    site: CatalogueSite, segment_tags: list[str], built_warehouse: Warehouse
) -> None:
    models = dict(built_warehouse.query("select tag, segment_name from segments"))
    for tag in segment_tags:
        path = site.out_dir / "segments" / page_name(tag)
        assert path.is_file(), tag
        page = parse(path)
        assert page.pre and "select" in page.pre[0].lower(), tag
        html = path.read_text(encoding="utf-8")
        assert tag in html and models[tag] in html


def test_sizes_and_held_out_counts_match_the_marts(
    site: CatalogueSite, built_warehouse: Warehouse
) -> None:
    by_tag = {s.tag: s for s in site.catalogue.segments}
    for tag, size, capped in built_warehouse.query(
        "select tag, size, held_out_contact_cap from segments"
    ):
        assert by_tag[tag].size == size and by_tag[tag].held_out["contact_cap"] == capped
    daily = built_warehouse.scalar("select count(*) from segment_sizes_daily")
    assert sum(len(s.sizes) for s in site.catalogue.segments) == daily


def test_overlap_counts_shared_members(site: CatalogueSite, built_warehouse: Warehouse) -> None:
    seg = max(site.catalogue.segments, key=lambda s: len(s.overlaps))
    assert seg.overlaps, "no two segments share a member in the sample"
    other, _, shared = seg.overlaps[0]
    expected = built_warehouse.scalar(
        "select count(*) from segment_memberships a join segment_memberships b "
        "using (supporter_id) where a.tag = ? and b.tag = ?",
        [seg.tag, other],
    )
    assert shared == expected


def test_the_merge_field_page_has_a_snippet_per_field(site: CatalogueSite) -> None:
    fields = site.catalogue.merge_fields
    assert {"FNAME", "ENGTIER"} <= {f.tag for f in fields}
    html = (site.out_dir / "merge-fields.html").read_text(encoding="utf-8")
    for field in fields:
        assert f"*|IF:{field.tag}|*" in html
        assert html.count("*|END:IF|*") >= len(fields)
    engtier = next(f for f in fields if f.tag == "ENGTIER")
    assert engtier.values, "the engagement rungs members hold are listed"
    assert f"*|IF:ENGTIER={engtier.values[0][0]}|*" in html
    # first and last names are personal: never listed as values
    assert not next(f for f in fields if f.tag == "FNAME").values


def test_the_conditional_content_fields_list_their_allowed_values_and_snippets(
    site: CatalogueSite, built_warehouse: Warehouse
) -> None:
    """TOPISSUE, RFM and NEXTSTEP (dropdowns) list every declared choice with how many people
    hold it, and a ready-to-paste block per choice."""
    fields = {f.tag: f for f in site.catalogue.merge_fields}
    assert {"TOPISSUE", "RFM", "NEXTSTEP", "ENGTIER"} <= set(fields)
    html = (site.out_dir / "merge-fields.html").read_text(encoding="utf-8")
    ladder = [str(s) for (s,) in built_warehouse.query("select next_step from next_step_ladder")]
    for tag, column in (
        ("TOPISSUE", "top_issue_slug"),
        ("RFM", "rfm_label"),
        ("NEXTSTEP", "next_step"),
    ):
        field = fields[tag]
        assert field.type == "dropdown" and field.values_source == "declared", tag
        held = dict(
            built_warehouse.query(
                f"select {column}, count(*) from mailchimp_members where {column} is not null "
                "group by 1"
            )
        )
        assert set(held) <= {v for v, _ in field.values}, tag  # every value held is allowed
        assert {v: n for v, n in field.values if n} == held, tag
        for value, _ in field.values:
            assert f"*|IF:{tag}={value}|*\n  Only for {value}: your message.\n*|END:IF|*" in html
    assert set(ladder) == {v for v, _ in fields["NEXTSTEP"].values}
    assert "*|IF:NEXTSTEP=volunteer|*" in html and "*|IF:NEXTSTEP=share_story|*" in html
    assert "Allowed values" in html


def test_approved_broadcasts_show_their_date_and_approver(
    site: CatalogueSite, built_warehouse: Warehouse, tmp_path: Path
) -> None:
    """The sample approves no broadcast (no badge); a segment whose meta approves one shows
    the date and the approver on the index and on its page."""
    assert built_warehouse.scalar("select count(broadcast_approved) from segments") == 0
    assert "approved broadcast:" not in site.index.read_text(encoding="utf-8")
    seg = site.catalogue.segments[0]
    approved = dataclasses.replace(
        seg, broadcast_approved=date(2026, 10, 1), broadcast_approved_by="Campaigns lead"
    )
    written = write_site(
        dataclasses.replace(site.catalogue, segments=[approved, *site.catalogue.segments[1:]]),
        tmp_path / "approved",
    )
    index = written.index.read_text(encoding="utf-8")
    assert index.count("approved broadcast: 2026-10-01, Campaigns lead") == 1
    page = (tmp_path / "approved" / "segments" / seg.page).read_text(encoding="utf-8")
    assert "on 2026-10-01 by Campaigns lead" in page
    entry = written.catalogue.as_dict()["segments"][0]
    assert entry["broadcast_approved"] == "2026-10-01"
    assert entry["broadcast_approved_by"] == "Campaigns lead"


def test_no_email_address_on_any_page(site: CatalogueSite) -> None:
    for path in site.out_dir.rglob("*"):
        if path.is_file():
            assert "@" not in path.read_text(encoding="utf-8"), path


def test_no_script_and_no_external_url(site: CatalogueSite) -> None:
    for path in site.out_dir.rglob("*.html"):
        html = path.read_text(encoding="utf-8").lower()
        assert "<script" not in html and "http://" not in html and "https://" not in html, path


def test_snippets_and_sparkline_helpers() -> None:
    chain = snippets_for("ENGTIER", ["leader", "activist"])[0]
    assert chain.splitlines()[0] == "*|IF:ENGTIER=leader|*"
    assert "*|ELSEIF:ENGTIER=activist|*" in chain and chain.endswith("*|END:IF|*")
    assert len(snippets_for("ENGTIER", ["leader", "activist"])) == 2
    each = snippets_for("NEXTSTEP", ["host", "volunteer"], one_per_value=True)
    assert len(each) == 4 and each[2].splitlines()[0] == "*|IF:NEXTSTEP=volunteer|*"
    assert sparkline_points([5]) == ""
    assert len(sparkline_points([1, 2, 3]).split()) == 3
    assert page_name("seg:event-Town Hall") == "seg-event-town-hall.html"
    pages = unique_pages(["seg:a-b", "seg:a_b"])
    assert len(set(pages.values())) == 2 and pages["seg:a-b"] == "seg-a-b.html"


def test_the_index_draws_a_trend_once_there_are_days_to_draw(
    site: CatalogueSite, tmp_path: Path
) -> None:
    """The sample has one day of sizes; with 120 days, the last 90 are drawn as a line."""
    seg = site.catalogue.segments[0]
    today = seg.sizes[-1].day
    days = [SizePoint(today - timedelta(days=n), n % 7, None, None) for n in range(120, -1, -1)]
    longer = dataclasses.replace(site.catalogue, segments=[dataclasses.replace(seg, sizes=days)])
    written = write_site(longer, tmp_path / "trend")
    html = written.index.read_text(encoding="utf-8")
    points = html.split('<polyline points="')[1].split('"')[0].split()
    assert len(points) == 90
    page = (tmp_path / "trend" / "segments" / seg.page).read_text(encoding="utf-8")
    assert page.count("<tr><td>") >= 121


def test_the_propensity_page_shows_the_backtest(
    site: CatalogueSite, built_warehouse: Warehouse
) -> None:
    """propensity.html: the verdict, the AUC and base rate, one row per calibration decile,
    all as in the propensity_backtest mart; the index summarises it and links the page."""
    verdict = built_warehouse.scalar("select distinct verdict from propensity_backtest")
    auc, base_rate = built_warehouse.query(
        "select max(case when metric = 'auc' then value end), "
        "max(case when metric = 'test_base_rate' then value end) from propensity_backtest"
    )[0]
    deciles = [
        d
        for (d,) in built_warehouse.query(
            "select decile from propensity_backtest where row_type = 'calibration' "
            "order by decile desc"
        )
    ]
    html = (site.out_dir / "propensity.html").read_text(encoding="utf-8")
    assert f'data-verdict="{verdict}"' in html
    assert f"{auc:.3f}" in html and f"{100 * base_rate:.1f}%" in html
    assert re.findall(r'<tr class="decile" data-decile="(\d+)"', html) == [str(d) for d in deciles]
    index = site.index.read_text(encoding="utf-8")
    assert 'id="propensity-summary"' in index and "propensity.html" in parse(site.index).links
    assert site.catalogue.as_dict()["propensity"]["verdict"] == verdict


def test_no_signal_is_said_rather_than_a_number(site: CatalogueSite, tmp_path: Path) -> None:
    backtest = site.catalogue.propensity
    assert backtest is not None
    none = dataclasses.replace(
        backtest, verdict="no_signal", verdict_reason="too few supporters acted"
    )
    written = write_site(dataclasses.replace(site.catalogue, propensity=none), tmp_path / "ns")
    page = (tmp_path / "ns" / "propensity.html").read_text(encoding="utf-8")
    assert 'data-verdict="no_signal"' in page
    assert "No signal on this data: the score is not shipped." in page
    assert "too few supporters acted" in page
    index = written.index.read_text(encoding="utf-8")
    assert "no signal on this data: the score is not shipped" in index
    assert "backtest AUC" not in index
    # without the mart (an older warehouse) the page says it is not built
    bare = write_site(dataclasses.replace(site.catalogue, propensity=None), tmp_path / "bare")
    assert 'data-verdict="none"' in (bare.out_dir / "propensity.html").read_text(encoding="utf-8")
    assert "propensity-summary" not in bare.index.read_text(encoding="utf-8")


def test_the_command_writes_the_site_and_explains_an_unbuilt_warehouse(
    built_warehouse: Warehouse, tmp_path: Path
) -> None:
    manifest = str(built_warehouse.target_path / "manifest.json")
    result = runner.invoke(
        app,
        [
            "catalogue",
            "--db",
            str(built_warehouse.db_path),
            "--manifest",
            manifest,
            "--out",
            str(tmp_path / "out"),
            "--json",
        ],
    )
    assert result.exit_code == EXIT_OK, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["status"] == "ok" and Path(summary["index"]).is_file()

    missing = runner.invoke(app, ["catalogue", "--db", str(tmp_path / "none.duckdb")])
    assert missing.exit_code == EXIT_CONFIG
    assert "engage build" in missing.output


def _chromium() -> str | None:
    for candidate in CHROMIUM_CANDIDATES:
        found = shutil.which(candidate)
        if found:
            return found
    return None


def _screenshot_path(tmp_path: Path) -> Path:
    target = PROJECT_DIR / "target"
    try:
        target.mkdir(exist_ok=True)
        probe = target / ".catalogue-write-probe"
        probe.write_text("")
        probe.unlink()
        return target / "catalogue.png"
    except OSError:
        return tmp_path / "catalogue.png"


def test_a_real_browser_shows_every_segment(
    site: CatalogueSite, segment_tags: list[str], tmp_path: Path
) -> None:
    chromium = _chromium()
    if chromium is None:
        missing = "chromium not found (apt-get install chromium; .ci/run does this)"
        if os.environ.get("ENGAGE_REQUIRE_CHROMIUM") == "1":
            pytest.fail(missing + "; ENGAGE_REQUIRE_CHROMIUM=1 makes this a failure")
        pytest.skip(missing)
    url = site.index.resolve().as_uri()
    common = [
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--window-size=1400,1000",
    ]
    dom = subprocess.run(
        [*common, "--dump-dom", url], capture_output=True, text=True, timeout=120, check=False
    )
    assert dom.returncode == 0, dom.stderr[-2000:]
    page = _Page()
    page.feed(dom.stdout)
    assert sorted(page.rows) == segment_tags
    for tag in segment_tags:
        assert tag in dom.stdout
    assert 'id="propensity-summary"' in dom.stdout

    shot = _screenshot_path(tmp_path)
    taken = subprocess.run(
        [*common, f"--screenshot={shot}", url],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert taken.returncode == 0, taken.stderr[-2000:]
    assert shot.is_file() and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_segment_page_shows_the_campaigns_sent_to_its_tag(
    site: CatalogueSite, built_warehouse: Warehouse, tmp_path: Path
) -> None:
    """Performance read back from Mailchimp (mart campaign_performance) on the tag's page."""
    seg = site.catalogue.segments[0]
    db = tmp_path / "engage.duckdb"
    shutil.copy(built_warehouse.db_path, db)
    con = duckdb.connect(str(db))
    con.execute(
        "insert into campaign_performance by name select 'Rent vote alert' as campaign_title, "
        "timestamp '2026-11-10 09:00:00' as sent_at, ? as tag, 200 as recipients, "
        "0.25 as human_open_rate, 0.05 as click_rate, 0.01 as unsubscribe_rate, "
        "3 as recipients_over_contact_cap",
        [seg.tag],
    )
    con.close()
    catalogue = read_catalogue(db, load_manifest(built_warehouse.target_path / "manifest.json"))
    entry = next(s for s in catalogue.segments if s.tag == seg.tag)
    assert [(c.title, c.recipients) for c in entry.campaigns][:1] == [("Rent vote alert", 200)]
    written = write_site(catalogue, tmp_path / "site")
    page = (written.out_dir / "segments" / entry.page).read_text(encoding="utf-8")
    row = re.search(r"<tr><td>2026-11-10</td><td>Rent vote alert</td>.*?</tr>", page)
    assert row, "the campaign's row is on the segment's page"
    assert ">25.0%<" in row.group(0) and ">5.0%<" in row.group(0) and ">1.0%<" in row.group(0)
    others = [s for s in catalogue.segments if s.tag != seg.tag]
    assert others and not any(c.title == "Rent vote alert" for s in others for c in s.campaigns), (
        "a campaign shows only on the page of the tag it was sent to"
    )
    listed = {d["tag"]: d["campaigns_sent"] for d in catalogue.as_dict()["segments"]}
    assert listed[seg.tag] == len(entry.campaigns)

"""The engagement marts on the sample set: every planted segment case shows up, sizes are
plausible, opt-outs and the contact cap always win, scores stay in range."""

from __future__ import annotations

import json

import pytest
from warehouse_build import PLANTED_CASES_PATH, SAMPLE_AS_OF, Warehouse

HINTS = json.loads(PLANTED_CASES_PATH.read_text())["segment_hints"]

# Fixed-tag segments the sample data plants people for; each must have members.
PLANTED_TAGS = [
    "seg:new-30d",
    "seg:petition-only-no-next-step",
    "seg:rsvp-no-show",
    "seg:volunteer-not-onboarded",
    "seg:lapsed-90d",
    "seg:super-activist",
    "seg:opened-never-clicked",
    "seg:event-rockford-transit-forum",
]


def _supporters_for(wh: Warehouse, emails: list[str]) -> set[str]:
    if not emails:
        return set()
    marks = ", ".join("?" for _ in emails)
    rows = wh.query(
        f"select distinct supporter_id from supporters where lower(email) in ({marks})",
        [e.lower() for e in emails],
    )
    return {r[0] for r in rows}


def _candidates(wh: Warehouse, tag: str, where: str = "true") -> set[str]:
    """Who the segment's rule selects among supporters with an e-mail address (the planted
    hints only know people by e-mail), before consent, cap and limit."""
    rows = wh.query(
        "select c.supporter_id from int_segment_candidates__unioned c "
        "join supporters s on s.supporter_id = c.supporter_id "
        f"where c.tag = ? and s.email is not null and ({where})",
        [tag],
    )
    return {r[0] for r in rows}


def _members(wh: Warehouse, tag: str) -> set[str]:
    rows = wh.query("select supporter_id from segment_memberships where tag = ?", [tag])
    return {r[0] for r in rows}


def test_build_used_the_sample_anchor_date(sample_warehouse: Warehouse) -> None:
    dates = sample_warehouse.query("select distinct cast(as_of_date as varchar) from segments")
    assert dates == [(SAMPLE_AS_OF,)]


@pytest.mark.parametrize("tag", PLANTED_TAGS)
def test_every_planted_segment_has_members(sample_warehouse: Warehouse, tag: str) -> None:
    size = sample_warehouse.scalar("select size from segments where tag = ?", [tag])
    assert size is not None, f"{tag} is missing from the catalogue"
    assert size > 0, f"{tag} is empty on the sample set"


def test_catalogue_lists_every_issue_tag_and_some_have_members(sample_warehouse: Warehouse) -> None:
    issues = {r[0] for r in sample_warehouse.query("select issue_slug from issues")}
    rows = dict(sample_warehouse.query("select tag, size from segments where tag like 'issue:%'"))
    assert set(rows) == {f"issue:{slug}" for slug in issues}
    assert sum(1 for size in rows.values() if size > 0) >= 3


def test_segment_sizes_are_plausible(sample_warehouse: Warehouse) -> None:
    emailable = sample_warehouse.scalar("select count(*) from supporters where is_emailable")
    assert emailable > 100
    for tag, size in sample_warehouse.query("select tag, size from segments"):
        # no segment swallows the list, none exceeds who may be emailed
        assert size <= 0.6 * emailable, f"{tag}: {size} of {emailable} emailable supporters"


def _recall_and_precision(hinted: set[str], chosen: set[str]) -> tuple[float, float]:
    hit = len(hinted & chosen)
    return hit / max(len(hinted), 1), hit / max(len(chosen), 1)


@pytest.mark.parametrize(
    ("hint", "tag", "min_recall", "min_precision"),
    [
        # the generator computes these from the same rules (docs/engagement.md §5.2); identity
        # makes small differences, so allow a little slack both ways
        ("super_activist", "seg:super-activist", 0.9, 0.0),
        ("new_30d", "seg:new-30d", 0.8, 0.8),
        ("new_7d", "seg:new-30d", 1.0, 0.0),
        ("petition_only_no_next_step", "seg:petition-only-no-next-step", 0.8, 0.8),
        ("volunteer_not_onboarded", "seg:volunteer-not-onboarded", 0.8, 0.8),
        # the hint is lifetime, the segment looks at 90 days
        ("opened_never_clicked", "seg:opened-never-clicked", 0.3, 0.6),
    ],
)
def test_planted_people_land_in_their_segment(
    sample_warehouse: Warehouse, hint: str, tag: str, min_recall: float, min_precision: float
) -> None:
    hinted = _supporters_for(sample_warehouse, HINTS[hint])
    chosen = _candidates(sample_warehouse, tag)
    assert hinted, f"the sample plants {hint}"
    recall, precision = _recall_and_precision(hinted, chosen)
    assert recall >= min_recall, f"{tag}: only {recall:.0%} of the planted {hint} people"
    assert precision >= min_precision, f"{tag}: only {precision:.0%} of members are planted"


def test_lapsed_supporters_are_the_planted_ones_who_took_action(
    sample_warehouse: Warehouse,
) -> None:
    """The generator also counts a bare list sign-up as activity; here only actions count
    (action_types.counts_as_action), so compare on planted people who took one."""
    hinted = _supporters_for(sample_warehouse, HINTS["lapsed_90d"])
    acted = {
        r[0]
        for r in sample_warehouse.query(
            "select distinct e.supporter_id from engagement_events e "
            "join action_types a using (action_type) where a.counts_as_action"
        )
    }
    chosen = _candidates(sample_warehouse, "seg:lapsed-90d")
    recall, precision = _recall_and_precision(hinted & acted, chosen)
    assert recall >= 0.9 and precision >= 0.8, (recall, precision)


def test_super_activists_by_activity_are_the_planted_ones(sample_warehouse: Warehouse) -> None:
    """The activity half of the rule (> 4 actions in 90 days with a high-effort one) is the
    generator's rule; five-star members come on top of it."""
    hinted = _supporters_for(sample_warehouse, HINTS["super_activist"])
    by_activity = _candidates(sample_warehouse, "seg:super-activist", "c.reason <> 'five stars'")
    recall, precision = _recall_and_precision(hinted, by_activity)
    assert recall >= 0.8 and precision >= 0.8, (recall, precision)


def test_planted_leaders_are_on_the_top_rung(sample_warehouse: Warehouse) -> None:
    hinted = _supporters_for(sample_warehouse, HINTS["volunteer_3_shifts_365d"])
    leaders = {
        r[0]
        for r in sample_warehouse.query(
            "select supporter_id from supporter_engagement where ladder_rung = 5"
        )
    }
    assert hinted and hinted <= leaders


def test_rsvp_no_shows_are_only_people_who_did_not_attend(sample_warehouse: Warehouse) -> None:
    hinted = _supporters_for(sample_warehouse, HINTS["rsvp_no_show"])
    chosen = _candidates(sample_warehouse, "seg:rsvp-no-show")
    assert chosen and chosen <= hinted
    attended = {
        r[0]
        for r in sample_warehouse.query(
            "select supporter_id from engagement_events where action_type = 'event_attendance' "
            "and event_date = date '2026-10-17'"
        )
    }
    assert not chosen & attended


def test_people_over_the_contact_cap_are_held_out_with_the_reason(
    sample_warehouse: Warehouse,
) -> None:
    over = _supporters_for(sample_warehouse, HINTS["over_contact_cap_7d"])
    assert over, "the sample plants people who got four sends in the last week"
    flagged = {
        r[0]
        for r in sample_warehouse.query(
            "select supporter_id from int_contact_pressure__counted where is_over_contact_cap"
        )
    }
    assert over <= flagged
    targeted_capped = sample_warehouse.query(
        "select m.supporter_id, m.tag from segment_memberships m "
        "join int_segment_memberships__decided d "
        "on d.supporter_id = m.supporter_id and d.tag = m.tag "
        "where d.respects_contact_cap and m.supporter_id in "
        "(select supporter_id from int_contact_pressure__counted where is_over_contact_cap)"
    )
    assert targeted_capped == []
    held = sample_warehouse.scalar(
        "select count(*) from segment_memberships_held_out where held_out_reason = 'contact_cap' "
        "and held_out_detail like '% messages in the last 7 days; cap 3'"
    )
    assert held > 0


def test_texts_and_calls_count_toward_the_caps_per_channel_and_overall(
    sample_warehouse: Warehouse,
) -> None:
    """The sample plants one person over the overall cap though under each channel's (3
    e-mails, 1 text, 1 answered call), one over the SMS cap (3 texting campaigns), one whose
    answered call is outside the window; the caps are seed contact_caps."""

    def pressure(hint: str) -> tuple:
        (person,) = _supporters_for(sample_warehouse, HINTS[hint])
        return sample_warehouse.query(
            "select email_messages_in_window, sms_messages_in_window, call_messages_in_window, "
            "messages_in_window, over_cap_channels from int_contact_pressure__counted "
            "where supporter_id = ?",
            [person],
        )[0]

    assert pressure("over_contact_cap_all_channels") == (3, 1, 1, 5, "all")
    email, sms, _calls, _all, channels = pressure("over_contact_cap_sms")
    assert (sms, channels) == (3, "sms") and email <= 1
    held = sample_warehouse.query(
        "select distinct contact_cap_channels from segment_memberships_held_out "
        "where held_out_reason = 'contact_cap' and supporter_id in "
        "(select supporter_id from supporters where email in (?, ?))",
        HINTS["over_contact_cap_all_channels"] + HINTS["over_contact_cap_sms"],
    )
    assert sorted(held) == [("all",), ("sms",)]
    (outside,) = sample_warehouse.query(
        "select call_messages_in_window from int_contact_pressure__counted p "
        "join supporters s using (supporter_id) where s.email = ?",
        [
            json.loads(PLANTED_CASES_PATH.read_text())["cases"]["call_outside_cap_window"]["rows"][
                0
            ]["email"]
        ],
    )
    assert outside == (0,)


def test_an_sms_stop_is_an_sms_opt_out_that_leaves_email_consent_alone(
    sample_warehouse: Warehouse,
) -> None:
    (person,) = _supporters_for(sample_warehouse, HINTS["sms_opt_out_email_kept"])
    events = sample_warehouse.query(
        "select channel, status, evidence from consent_events where supporter_id = ? "
        "and channel = 'sms'",
        [person],
    )
    assert ("sms", "unsubscribed", "sms_stop_reply") in events
    assert sample_warehouse.query(
        "select email_status, is_emailable from supporters where supporter_id = ?", [person]
    ) == [("subscribed", True)]


def test_opted_out_people_are_never_targeted(sample_warehouse: Warehouse) -> None:
    """People Mailchimp lists as unsubscribed or cleaned, whose effective status the
    warehouse keeps as opted out, get no tag; they are held out as not_emailable."""
    exported = _supporters_for(
        sample_warehouse, HINTS["mailchimp_unsubscribed"] + HINTS["mailchimp_cleaned"]
    )
    opted_out = exported & {
        r[0]
        for r in sample_warehouse.query(
            "select supporter_id from supporters "
            "where email_status in ('unsubscribed', 'cleaned', 'suppressed')"
        )
    }
    assert len(opted_out) >= 0.5 * len(exported) > 0
    members = {r[0] for r in sample_warehouse.query("select supporter_id from segment_memberships")}
    assert not opted_out & members
    held = {
        r[0]
        for r in sample_warehouse.query(
            "select supporter_id from segment_memberships_held_out "
            "where held_out_reason = 'not_emailable'"
        )
    }
    assert opted_out & held
    bad = sample_warehouse.scalar(
        "select count(*) from segment_memberships m join supporters s using (supporter_id) "
        "where not s.is_emailable or s.email_status in ('unsubscribed', 'cleaned', 'suppressed')"
    )
    assert bad == 0


def test_no_supporter_gets_more_slots_than_the_limit(sample_warehouse: Warehouse) -> None:
    worst = sample_warehouse.scalar(
        "select coalesce(max(n), 0) from (select supporter_id, count(*) n "
        "from int_segment_memberships__decided where decision = 'targeted' and counts_toward_limit "
        "group by supporter_id)"
    )
    assert worst <= 3


def test_scores_stars_and_ladder_are_in_range_and_spread(sample_warehouse: Warehouse) -> None:
    lo, hi, stars, rungs = sample_warehouse.query(
        "select min(engagement_score), max(engagement_score), count(distinct engagement_stars), "
        "count(distinct ladder_rung) from supporter_engagement"
    )[0]
    assert lo == 0 and hi == 100
    assert stars == 6 and rungs >= 5
    # about 5 % of emailable supporters sit at the P95 cap
    capped, emailable = sample_warehouse.query(
        "select sum(case when engagement_score = 100 then 1 else 0 end), count(*) "
        "from supporter_engagement where is_emailable"
    )[0]
    assert 0 < capped <= 0.1 * emailable


def test_every_campaign_in_the_sample_is_mapped_to_an_issue(sample_warehouse: Warehouse) -> None:
    assert (
        sample_warehouse.query("select unmapped_value, seed_to_edit from unmapped_campaigns") == []
    )


def test_free_text_never_reaches_the_event_stream(sample_warehouse: Warehouse) -> None:
    columns = {r[0] for r in sample_warehouse.query("describe engagement_events")}
    assert not columns & {"stated_issues", "comments", "story_text", "message", "answer_1"}
    columns = {r[0] for r in sample_warehouse.query("describe segment_memberships")}
    assert not {c for c in columns if "affinity" in c or "share" in c}

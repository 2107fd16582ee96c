"""The derived state, on small hand-made event lists."""

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import event
from strategies import ACTOR_IDS, SITE_IDS, stored_dates
from syriabrief.domain.dates import parse_stored
from syriabrief.domain.model import EVENT_STATUSES, STAGES, Event, Move, event_sort_key
from syriabrief.domain.positions import (
    DRIVING_TYPES,
    KeptReplay,
    actor_positions,
    control_history,
    history_and_status,
    last_to_leave,
    positions_by_actor,
    replay_prefix,
    replay_prefixes,
    settled_history,
    site_status,
    statuses_then_and_now,
)


def events(*records: dict) -> list[Event]:
    return [Event.from_json(r) for r in records]


DEPLOYED = event("2016-us-at-tanf", "2016", "deployment", actors=["us"], site="al-tanf")
LEFT = event("2026-02-11-us-leaves-tanf", "2026-02-11", "withdrawal", actors=["us"], site="al-tanf")


def test_no_driving_events_means_unknown():
    other = event("2026-01-01-talks", "2026-01-01", "meeting", actors=["us"], site="al-tanf")
    status = site_status("al-tanf", events(other), date(2026, 3, 1))
    assert (status.status, status.holder, status.since, status.events) == ("unknown", None, None, ())
    assert control_history("al-tanf", events(other), date(2026, 3, 1)) == []


def test_a_clean_withdrawal_vacates_the_site_on_its_day():
    data = events(DEPLOYED, LEFT)
    before = site_status("al-tanf", data, date(2026, 2, 10))
    assert (before.holder, before.status, before.since) == ("us", "active", "2016")
    after = site_status("al-tanf", data, date(2026, 2, 11))
    assert (after.holder, after.status, after.since, after.previous) == (None, "vacated", "2026-02-11", "us")
    [period] = control_history("al-tanf", data, date(2026, 3, 1))
    assert (period.actor, period.role, period.start, period.end, period.status) == ("us", "holder", "2016", "2026-02-11", "vacated")
    assert period.events == ("2016-us-at-tanf", "2026-02-11-us-leaves-tanf")
    assert not period.disputed and not period.uncertain


def test_events_after_the_as_of_date_and_at_other_sites_are_ignored():
    elsewhere = event("2026-01-05-us-leaves-qasrak", "2026-01-05", "withdrawal", actors=["us"], site="qasrak")
    status = site_status("al-tanf", events(DEPLOYED, LEFT, elsewhere), date(2026, 1, 31))
    assert (status.holder, status.status) == ("us", "active")


def test_a_withdrawal_over_several_days_is_withdrawing_mid_way_and_vacated_after():
    data = events(
        event("2019-11-russia-arrives", "2019-11", "deployment", actors=["russia"], site="qamishli-airport"),
        event("2026-01-20-russia-leaves", "2026-01-20", "withdrawal", end_date="2026-01-27", actors=["russia"],
              site="qamishli-airport", destination="hmeimim"),
    )  # fmt: skip
    mid = site_status("qamishli-airport", data, date(2026, 1, 23))
    assert (mid.holder, mid.status, mid.since) == ("russia", "withdrawing", "2026-01-20")
    done = control_history("qamishli-airport", data, date(2026, 1, 27))
    assert [(p.status, p.end, p.destination) for p in done] == [("vacated", "2026-01-27", "hmeimim")]


def test_a_withdrawal_that_only_began_stays_open_after_its_dates():
    data = events(
        DEPLOYED,
        event("2026-02-05-us-begins", "2026-02-05", "withdrawal", end_date="2026-02-06", stage="began",
              actors=["us"], site="al-tanf"),
    )  # fmt: skip
    status = site_status("al-tanf", data, date(2026, 3, 31))
    assert (status.holder, status.status, status.since) == ("us", "withdrawing", "2026-02-05")
    completed = event("2026-04-01-us-done", "2026-04-01", "withdrawal", stage="completed", actors=["us"], site="al-tanf")
    [period] = control_history("al-tanf", data + events(completed), date(2026, 4, 2))
    assert (period.status, period.end) == ("vacated", "2026-04-01")
    assert period.events == ("2016-us-at-tanf", "2026-02-05-us-begins", "2026-04-01-us-done")


def test_a_handover_ends_the_givers_period_and_starts_the_recipients():
    data = events(
        event("2016-us-at-shaddadi", "2016", "deployment", actors=["us", "us-led-coalition"], site="shaddadi"),
        event("2026-02-15-handover", "2026-02-15", "handover", actors=["us", "syrian-army"], site="shaddadi"),
    )
    history = control_history("shaddadi", data, date(2026, 2, 20))
    assert [(p.actor, p.role, p.status, p.start, p.end) for p in history] == [
        ("us", "holder", "handed_over", "2016", "2026-02-15"),
        ("us-led-coalition", "partner", "handed_over", "2016", "2026-02-15"),
        ("syrian-army", "holder", "active", "2026-02-15", None),
    ]
    status = site_status("shaddadi", data, date(2026, 2, 20))
    assert (status.holder, status.status, status.since, status.events) == (
        "syrian-army", "active", "2026-02-15", ("2026-02-15-handover",))  # fmt: skip


def test_a_control_change_ends_whoever_held_the_site():
    data = events(
        event("2026-01-17-army-takes-tabqa", "2026-01-17", "control_change", actors=["syrian-army", "sdf"], site="tabqa"),
        event("2026-03-01-sdf-retakes", "2026-03-01", "control_change", actors=["sdf"], site="tabqa"),
    )
    history = control_history("tabqa", data, date(2026, 3, 2))
    assert [(p.actor, p.status, p.start, p.end) for p in history] == [
        ("sdf", "lost", None, "2026-01-17"),
        ("syrian-army", "lost", "2026-01-17", "2026-03-01"),
        ("sdf", "active", "2026-03-01", None),
    ]


def test_a_return_after_a_withdrawal_is_a_new_period():
    data = events(
        event("2019-11-russia-arrives", "2019-11", "deployment", actors=["russia"], site="qamishli-airport"),
        event("2024-12-russia-leaves", "2024-12", "withdrawal", actors=["russia"], site="qamishli-airport"),
        event("2025-08-russia-returns", "2025-08", "deployment", actors=["russia"], site="qamishli-airport"),
    )
    assert site_status("qamishli-airport", data, date(2025, 3, 1)).status == "vacated"
    back = site_status("qamishli-airport", data, date(2025, 9, 30))
    assert (back.holder, back.status, back.since) == ("russia", "active", "2025-08")
    history = control_history("qamishli-airport", data, date(2025, 9, 30))
    assert [(p.start, p.end, p.status) for p in history] == [("2019-11", "2024-12", "vacated"), ("2025-08", None, "active")]


def test_forces_arriving_while_a_withdrawal_is_under_way_halt_it_and_nothing_is_left():
    data = events(
        DEPLOYED,
        event("2026-02-01-us-begins", "2026-02-01", "withdrawal", stage="began", actors=["us"], site="al-tanf",
              destination="erbil", disputes=[{"claim": "It began on 2 February.", "sources": [], "about": "when"}]),
        event("2026-02-09-us-reinforces", "2026-02-09", "deployment", actors=["us"], site="al-tanf"),
    )
    status = site_status("al-tanf", data, date(2026, 2, 10))
    # No report has the US gone: one stay, held again from the reinforcement, without the
    # withdrawal's destination; the doubt about when it began stays with the stay's events.
    assert (status.status, status.since, status.disputed) == ("active", "2016", True)
    [stay] = control_history("al-tanf", data, date(2026, 2, 10))
    assert (stay.status, stay.start, stay.end, stay.status_since, stay.destination) == ("active", "2016", None, "2026-02-09", None)
    assert tuple(stay.events) == ("2016-us-at-tanf", "2026-02-01-us-begins", "2026-02-09-us-reinforces")
    # Before the reinforcement it was being left.
    assert site_status("al-tanf", data, date(2026, 2, 5)).status == "withdrawing"
    # Those who began leaving with it stop leaving too.
    together = events(
        event("2016-together", "2016", "deployment", actors=["us", "sdf"], site="al-tanf"),
        event("2026-02-01-both-begin", "2026-02-01", "withdrawal", stage="began", actors=["us", "sdf"], site="al-tanf", destination="erbil"),
        event("2026-02-09-us-reinforces", "2026-02-09", "deployment", actors=["us"], site="al-tanf"),
    )
    both = control_history("al-tanf", together, date(2026, 2, 10))
    # The SDF is held again from that day, but was last reported when the withdrawal was.
    assert [(p.actor, p.status, p.status_since, p.end, p.destination, p.last_reported) for p in both] == [
        ("us", "active", "2026-02-09", None, None, "2026-02-09"), ("sdf", "active", "2026-02-09", None, None, "2026-02-01"),
    ]  # fmt: skip


def test_a_disputed_event_marks_the_state_it_decides():
    disputed = dict(LEFT, status="disputed", disputes=[{"claim": "It happened in January.", "sources": []}])
    assert site_status("al-tanf", events(DEPLOYED, disputed), date(2026, 3, 1)).disputed
    assert not site_status("al-tanf", events(DEPLOYED, LEFT), date(2026, 3, 1)).disputed
    # Another account alone (status kept) is still a dispute.
    contested = dict(LEFT, disputes=[{"claim": "Rudaw: a day later.", "sources": []}])
    [period] = control_history("al-tanf", events(DEPLOYED, contested), date(2026, 3, 1))
    assert period.disputed


def test_an_event_whose_month_straddles_the_as_of_date_is_pending_not_applied():
    vague = event("2026-02-us-leaves-tanf", "2026-02", "withdrawal", actors=["us"], site="al-tanf")
    data = events(DEPLOYED, vague)
    mid = site_status("al-tanf", data, date(2026, 2, 10))
    assert (mid.holder, mid.status) == ("us", "active")
    assert mid.uncertain and mid.pending == ("2026-02-us-leaves-tanf",)
    [period] = control_history("al-tanf", data, date(2026, 2, 10))
    assert period.uncertain and period.end is None
    end_of_month = site_status("al-tanf", data, date(2026, 2, 28))
    assert (end_of_month.status, end_of_month.uncertain, end_of_month.pending) == ("vacated", False, ())
    before = site_status("al-tanf", data, date(2026, 1, 31))
    assert (before.status, before.uncertain) == ("active", False)


def test_a_vague_first_event_leaves_the_site_unknown_but_uncertain():
    vague = event("2026-02-army-arrives", "2026-02", "deployment", actors=["syrian-army"], site="al-tanf")
    status = site_status("al-tanf", events(vague), date(2026, 2, 10))
    assert (status.status, status.uncertain, status.pending) == ("unknown", True, ("2026-02-army-arrives",))


def test_an_approximate_span_around_the_as_of_date_is_uncertain():
    approx = event("2026-02-21-us-begins", "2026-02-21", "withdrawal", end_date="2026-02-22", approximate=True,
                   stage="began", actors=["us"], site="qasrak")  # fmt: skip
    deployed = event("2015-us-at-qasrak", "2015", "deployment", actors=["us"], site="qasrak")
    during = site_status("qasrak", events(deployed, approx), date(2026, 2, 21))
    assert (during.status, during.uncertain) == ("withdrawing", True)
    after = site_status("qasrak", events(deployed, approx), date(2026, 2, 23))
    assert (after.status, after.uncertain) == ("withdrawing", False)


def test_actor_positions_lists_what_it_holds_and_what_it_left_with_destinations():
    data = events(
        DEPLOYED,
        LEFT,
        event("2015-us-at-qasrak", "2015", "deployment", actors=["us"], site="qasrak"),
        event("2026-01-17-us-hands-ain", "2026-01-17", "handover", actors=["us", "iraqi-army"], site="ain-al-asad",
              destination="erbil"),
        event("2026-02-12-army-takes-tanf", "2026-02-12", "control_change", actors=["syrian-army"], site="al-tanf"),
    )  # fmt: skip
    us = actor_positions("us", data, date(2026, 2, 24))
    assert [(p.site, p.status) for p in us.holds] == [("qasrak", "active")]
    assert [(p.site, p.status, p.end, p.destination) for p in us.left] == [
        ("ain-al-asad", "handed_over", "2026-01-17", "erbil"),
        ("al-tanf", "vacated", "2026-02-11", None),
    ]
    army = actor_positions("syrian-army", data, date(2026, 2, 24))
    assert [(p.site, p.start) for p in army.holds] == [("al-tanf", "2026-02-12")]
    assert actor_positions("russia", data, date(2026, 2, 24)).holds == ()


def test_periods_serialise_with_every_key():
    [period] = control_history("al-tanf", events(DEPLOYED, LEFT), date(2026, 3, 1))
    assert set(period.to_json()) == {"site", "actor", "role", "start", "end", "status", "status_since",
                                     "destination", "events", "disputed", "uncertain"}  # fmt: skip
    status = site_status("al-tanf", events(DEPLOYED, LEFT), date(2026, 3, 1))
    assert status.to_json()["events"] == ["2016-us-at-tanf", "2026-02-11-us-leaves-tanf"]


def test_a_presence_report_places_a_force_without_inventing_its_arrival():
    seen = event("2026-01-28-russia-at-hmeimim", "2026-01-28", "presence", actors=["russia"], site="hmeimim")
    before = site_status("hmeimim", events(seen), date(2026, 1, 27))
    assert before.status == "unknown"
    status = site_status("hmeimim", events(seen), date(2026, 2, 1))
    assert (status.holder, status.status, status.since) == ("russia", "active", None)
    # A report of presence after an arrival keeps the arrival's date.
    arrived = event("2015-russia-to-hmeimim", "2015", "deployment", actors=["russia"], site="hmeimim")
    [period] = control_history("hmeimim", events(arrived, seen), date(2026, 2, 1))
    assert (period.start, period.status, period.events) == ("2015", "active", ("2015-russia-to-hmeimim", seen["id"]))


def test_a_first_presence_report_is_not_a_change_on_the_ground():
    from conftest import dataset
    from syriabrief.reports.briefing import change_report

    seen = event("2026-01-28-russia-at-hmeimim", "2026-01-28", "presence", actors=["russia"], site="hmeimim")
    data = dataset([seen, DEPLOYED, LEFT])
    report = change_report(data, date(2026, 1, 15), date(2026, 2, 24))
    assert [c.site for c in report.differences] == ["al-tanf"]


def test_a_planned_move_changes_nobodys_position():
    planned = event("2025-04-01-turkey-plans-t4", "2025-04-01", "deployment", actors=["turkey"], site="al-tanf",
                    status="planned")
    assert site_status("al-tanf", events(planned), date(2025, 6, 1)).status == "unknown"
    held = site_status("al-tanf", events(DEPLOYED, planned), date(2025, 6, 1))
    assert (held.holder, held.status) == ("us", "active")


def test_those_who_began_leaving_together_have_left_when_the_end_is_reported_of_one():
    data = events(
        event("2015-built", "2015", "deployment", actors=["us", "us-led-coalition"], site="qasrak"),
        event("2026-02-21-began", "2026-02-21", "withdrawal", actors=["us", "us-led-coalition"], site="qasrak",
              stage="began"),
        event("2026-03-01-done", "2026-03-01", "withdrawal", actors=["us"], site="qasrak", stage="completed"),
    )  # fmt: skip
    status = site_status("qasrak", data, date(2026, 3, 2))
    assert (status.holder, status.status, status.previous, status.since) == (None, "vacated", "us", "2026-03-01")
    periods = {p.actor: p for p in control_history("qasrak", data, date(2026, 3, 2))}
    assert periods["us-led-coalition"].status == "vacated" and periods["us-led-coalition"].end == "2026-03-01"
    # A partner that was not leaving with it stays where it is.
    staying = events(*(e.to_json() for e in data[:1]), event("2026-03-01-us-out", "2026-03-01", "withdrawal",
                                                             actors=["us"], site="qasrak"))  # fmt: skip
    assert site_status("qasrak", staying, date(2026, 3, 2)).holder == "us-led-coalition"


def test_a_holder_is_as_recently_reported_as_those_reported_there_with_it():
    data = events(
        event("2025-04-25-army", "2025-04-25", "presence", actors=["russian-armed-forces", "russia"], site="hmeimim"),
        event("2026-01-28-russia", "2026-01-28", "presence", actors=["russia"], site="hmeimim"),
        event("2026-02-01-elsewhere", "2026-02-01", "presence", actors=["turkey"], site="hmeimim"),
    )  # fmt: skip
    status = site_status("hmeimim", data, date(2026, 11, 1))
    # Russia was reported with the army, so its January report counts; Turkey never was, so its does not.
    assert (status.holder, status.last_reported) == ("russian-armed-forces", "2026-01-28")


@st.composite
def moves_at_one_site(draw) -> list[Move]:
    """Driving moves at one site over two years, in replay order: dense enough that a day splits them."""
    moves = []
    for n in range(draw(st.integers(1, 25))):
        start = draw(stored_dates(2025, 2026))
        end = draw(st.none() | stored_dates(2025, 2026).filter(lambda other, start=start: parse_stored(other).end >= parse_stored(start).start))
        moves.append(Move(
            f"move-{n:02d}", start, end, {4: "year", 7: "month"}.get(len(start), "day"), draw(st.booleans()),
            draw(st.sampled_from(sorted(DRIVING_TYPES))), draw(st.none() | st.sampled_from(STAGES)),
            tuple(draw(st.lists(st.sampled_from(ACTOR_IDS[:4]), min_size=1, max_size=3, unique=True))), SITE_IDS[0],
            draw(st.none() | st.sampled_from(SITE_IDS)), draw(st.booleans()), draw(st.sampled_from(EVENT_STATUSES)),
        ))  # fmt: skip
    return sorted(moves, key=event_sort_key)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(moves=moves_at_one_site(), through=st.dates(date(2025, 1, 1), date(2026, 12, 31)), later=st.integers(0, 400))
def test_a_replay_resumed_from_a_kept_prefix_answers_as_the_whole_replay(moves, through, later):
    count, state = replay_prefix(SITE_IDS[0], moves, through)
    assert all(m.period.end <= through or m.status == "planned" for m in moves[:count])
    assert count == len(moves) or (moves[count].period.end > through and moves[count].status != "planned")
    one = None
    if state is not None:
        # As an index keeps it: the stays closed by then are the settled history's periods at their positions.
        stays, opened, _ = state
        still_open = {n for n, _ in opened}
        settled = settled_history(SITE_IDS[0], moves)
        one = KeptReplay(state, {n: period for n, period in enumerate(settled[:stays]) if n not in still_open})
        # For a status, only the closed period it would tell (last_to_leave) need be kept.
        closed = sorted(one.closed)
        told = KeptReplay(state, {} if not closed else {(n := closed[last_to_leave([one.closed[c] for c in closed])]): one.closed[n]})
    rest, kept = moves[count:], {SITE_IDS[0]: one} if one else None
    for as_of in (through, through + timedelta(days=later)):
        assert site_status(SITE_IDS[0], rest, as_of, one) == site_status(SITE_IDS[0], moves, as_of)
        if one:
            assert site_status(SITE_IDS[0], rest, as_of, told) == site_status(SITE_IDS[0], moves, as_of)
        assert positions_by_actor(rest, as_of, resume=kept) == positions_by_actor(moves, as_of)
        # A profile asks for some actors only: a kept site is replayed even when its later moves do not name them.
        only = set(ACTOR_IDS[:1])
        assert positions_by_actor(rest, as_of, only=only, resume=kept) == positions_by_actor(moves, as_of, only=only)


@settings(max_examples=25, deadline=None)
@given(moves=moves_at_one_site(), as_of=st.dates(date(2025, 1, 1), date(2027, 6, 30)))
def test_one_replay_gives_the_history_and_the_status(moves, as_of):
    site = SITE_IDS[0]
    assert history_and_status(site, moves, as_of) == (control_history(site, moves, as_of), site_status(site, moves, as_of))


def test_an_actors_pending_events_are_in_date_order_whatever_order_its_sites_come_in():
    later = event("2026-02-us-leaves-tanf", "2026-02", "withdrawal", actors=["us"], site="al-tanf")
    sooner = event("2026-us-leaves-qasrak", "2026", "withdrawal", actors=["us"], site="qasrak")
    for order in ([later, sooner], [sooner, later]):
        found = positions_by_actor(events(*order), date(2026, 2, 10), only={"us"})
        assert found["us"].pending == ("2026-us-leaves-qasrak", "2026-02-us-leaves-tanf")


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(moves=moves_at_one_site(), before=st.dates(date(2024, 12, 1), date(2027, 1, 31)), later=st.integers(0, 500))
def test_one_forked_replay_gives_both_days_as_two_replays_do(moves, before, later):
    site, after = SITE_IDS[0], before + timedelta(days=later)
    then, now, periods_of = statuses_then_and_now(site, moves, before, after)
    # The earlier day's status is read after the later day's replay: a stay the fork shared would show it.
    assert then == site_status(site, moves, before)
    history, status = history_and_status(site, moves, after)
    assert now == status
    for actor in {p.actor for p in history} | {ACTOR_IDS[0]}:
        assert periods_of(actor) == [p for p in history if p.actor == actor]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(moves=moves_at_one_site(), days=st.lists(st.dates(date(2024, 12, 1), date(2027, 1, 31)), min_size=1, max_size=6, unique=True))
def test_the_prefixes_kept_through_several_days_are_each_days_own(moves, days):
    days = sorted(days)
    assert replay_prefixes(SITE_IDS[0], moves, days) == [replay_prefix(SITE_IDS[0], moves, day) for day in days]

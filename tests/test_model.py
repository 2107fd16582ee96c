import pytest

from conftest import SAMPLE_EVENTS, dataset, event
from syriabrief.domain.model import Event
from syriabrief.errors import NotFoundError

DATA = dataset(SAMPLE_EVENTS)


@pytest.mark.parametrize("name", ["US", "u.s.", "United States", "  united   states ", "us"])
def test_actor_names_resolve_through_aliases_ignoring_case_and_dots(name):
    assert DATA.actor(name).id == "us"


def test_site_aliases_resolve():
    assert DATA.site("Al-Kasrak").id == "qasrak"
    assert DATA.site("khmeimim").id == "hmeimim"


def test_an_unknown_name_suggests_the_closest_spellings():
    with pytest.raises(NotFoundError) as caught:
        DATA.actor("SFD")
    assert caught.value.suggestions == ["SDF"]
    assert 'Did you mean' in str(caught.value)


def test_an_unknown_name_with_nothing_close_points_to_the_list():
    with pytest.raises(NotFoundError, match="syriabrief base"):
        DATA.site("Atlantis")


def test_event_json_round_trips_with_every_key():
    record = SAMPLE_EVENTS[-1]
    assert Event.from_json(record).to_json() == record


def test_event_json_fills_missing_optional_keys():
    minimal = {"id": "x", "date": "2026-01", "type": "statement", "summary": "s", "sources": [{"outlet": "AP"}]}
    out = Event.from_json(minimal).to_json()
    assert out["date_precision"] == "month"
    assert out["disputes"] == [] and out["actors"] == [] and out["end_date"] is None
    assert set(out) == set(event("y", "2026").keys())


def test_a_record_filled_without_its_init_is_the_one_its_init_makes():
    from dataclasses import fields, replace

    from syriabrief.domain.model import filled
    from syriabrief.domain.positions import SiteStatus

    values = dict(site="qasrak", holder="us", status="active", since="2025", uncertain=True, disputed=False, events=("a",),
                  previous=None, pending=("b",), last_reported="2025", successor=None)  # fmt: skip
    made = filled(SiteStatus, values)
    assert made == SiteStatus(**values) == replace(made) and hash(made) == hash(SiteStatus(**values))
    assert {f.name for f in fields(made)} == set(values)


def test_records_and_reports_compare_hash_and_read_by_their_fields():
    from syriabrief.domain.model import Source
    from syriabrief.reports.types import EventRef, Span

    one = event("a", "2026-01-15", quantities={"troops": 5})
    same, other = Event.from_json(one), Event.from_json({**one, "summary": "Another account."})
    assert Event.from_json(one) == same and hash(Event.from_json(one)) == hash(same) and same != other
    assert {Source("AFP"): 1}[Source("AFP")] == 1

    ref = EventRef("a", "2026-01-15", None, "withdrawal")
    span = Span(1, ref, EventRef("a", "2026-01-15", None, "withdrawal"))
    assert span == Span(1, ref, ref) and hash(span) == hash(Span(1, ref, ref))
    assert span != Span(2, ref, ref) and span != Span(1, ref, None)
    assert ref != ("a", "2026-01-15", None, "withdrawal")  # a report equals only a report of its kind
    assert len({span, Span(1, ref, ref), Span(0, None, None)}) == 2
    # And it reads as the dataclass repr would, nested reports too.
    assert repr(span) == "Span(event_count=1, first_event=EventRef(id='a', date='2026-01-15', end_date=None, type='withdrawal'), " \
        "last_event=EventRef(id='a', date='2026-01-15', end_date=None, type='withdrawal'))"

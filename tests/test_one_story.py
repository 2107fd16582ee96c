"""One page, one story: a paragraph never contradicts the tables beside it.

Every profile, comparison and brief over the bundled dataset, at several as-of
days, is checked for the mistakes a reader notices: a move in the table that
the paragraph says does not exist, a name twice in one list, an empty list in a
sentence, a label said twice, a citation marker with no event under it.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import replace

import pytest

from conftest import SAMPLE_EVENTS, dataset
from syriabrief.reports import briefing
from syriabrief.reports.narrative import Citer, cut_at_word
from syriabrief.storage.loading import load_dataset
from syriabrief.storage.paths import bundled_path

DAYS = [datetime.date(2024, 12, 15), datetime.date(2025, 7, 1), datetime.date(2026, 1, 25),
        datetime.date(2026, 2, 24), datetime.date(2026, 11, 28)]  # fmt: skip


@pytest.fixture(scope="module")
def data():
    return load_dataset([bundled_path()])


def problems_in(text: str, citations) -> list[str]:
    found = []
    # "A and A", "A, A and B": a name twice in one list.
    for match in re.finditer(r"(?:^|[:;,.] |, )((?:[A-Z][\w'’()-]*|al-\w+|the)(?: [\w'’()-]+){0,5}?)(?:, | and )\1(?=, | and |\.|;| \[| since| \()", text):
        found.append(f"named twice: {match.group(0)!r}")
    # "Syrian sources: Syrian sources:", "the the": a label or word doubled.
    for match in re.finditer(r"\b([\w ]{3,40}): \1:|\b(\w+) \2\b", text):
        if match.group(0).lower() not in ("that that",):
            found.append(f"doubled: {match.group(0)!r}")
    # An empty list in a sentence: "holds ." "in ." "of ;" "to ,".
    for match in re.finditer(r"\b(holds|left|in|of|to|at|leaving|from|and)\s*[.;,]", text):
        found.append(f"empty list: {text[max(0, match.start() - 30): match.end()]!r}")
    # The same sentence twice (its citations aside).
    told = [re.sub(r" \[[\d, ]+\]", "", sentence) for sentence in re.split(r"(?<=\.) (?=[A-Z])", text)]
    found += [f"said twice: {sentence!r}" for n, sentence in enumerate(told) if sentence in told[:n]]
    groups = [[int(n) for n in group.split(", ")] for group in re.findall(r"\[(\d+(?:, \d+)*)\]", text)]
    found += [f"citations out of order: {group}" for group in groups if group != sorted(group)]
    # Numbered as a reader meets them: each new number is the next one ([1, 2] … [3], never … [4] … [3]).
    met = list(dict.fromkeys(n for group in groups for n in group))
    if met != list(range(1, len(met) + 1)):
        found.append(f"citations not numbered in reading order: {met}")
    if [c.number for c in citations] != sorted(c.number for c in citations):
        found.append("the citations are not listed in number order")
    markers = {n for group in groups for n in group}
    listed = {c.number for c in citations}
    if markers != listed:
        found.append(f"markers {sorted(markers)} but citations {sorted(listed)}")
    return found


def test_citations_are_numbered_as_a_reader_meets_them_and_brackets_in_names_are_left_alone():
    citer = Citer()
    told_last = "Base [3] was left" + citer(["2026-02-11-us-leaves-tanf", "2016-us-at-tanf"])  # built first, printed last
    told_first = "Qasrak is being left" + citer(["2026-02-21-qasrak-evacuation", "2016-us-at-tanf", ""])
    text, citations = citer.finish(f"{told_first}. {told_last}.", dataset(SAMPLE_EVENTS))
    assert text == "Qasrak is being left [1, 2]. Base [3] was left [2, 3]."
    assert [(c.number, c.event) for c in citations] == [
        (1, "2026-02-21-qasrak-evacuation"), (2, "2016-us-at-tanf"), (3, "2026-02-11-us-leaves-tanf"),
    ]  # fmt: skip
    assert Citer().finish("Nothing cited.", dataset(SAMPLE_EVENTS)) == ("Nothing cited.", ())


@pytest.mark.parametrize("text, width, cut", [
    ("Early on 23 February dozens of US trucks", 40, "Early on 23 February dozens of US trucks"),  # fits
    ("Early on 23 February dozens of US trucks", 21, "Early on 23 February…"),  # after a whole word: kept
    ("Early on 23 February dozens of US trucks", 20, "Early on 23…"),  # inside "February": that word goes
    ("Early on 23 February dozens of US trucks", 4, "Ear…"),  # the first word is longer than the room
    ("美国军队于二月二十三日离开了卡斯拉克基地", 8, "美国军队于二月…"),  # no spaces to cut at
])  # fmt: skip
def test_a_text_is_cut_after_a_whole_word_within_its_width(text, width, cut):
    got = cut_at_word(text, width)
    assert got == cut and len(got) <= width


def test_site_profiles_tell_the_story_their_tables_show(data):
    wrong = []
    for day in DAYS:
        for site in data.sites.values():
            report = briefing.base_report(data, site, day, limit=5)
            text = report.narrative
            if report.history and "No move" in text:
                wrong.append(f"{site.id} {day}: history listed, paragraph says no move")
            if report.history and report.status.status == "unknown" and not report.status.pending:
                wrong.append(f"{site.id} {day}: history but status unknown")
            wrong += [f"{site.id} {day}: {p}" for p in problems_in(text, report.citations)]
    assert wrong == []


def test_actor_profiles_tell_the_story_their_tables_show(data):
    wrong = []
    for day in DAYS:
        for actor in data.actors.values():
            report = briefing.actor_report(data, actor, day, limit=5)
            text = report.narrative
            if (report.holds or report.left) and "No move" in text:
                wrong.append(f"{actor.id} {day}: positions listed, paragraph says no move")
            for period in report.holds:
                if period.status == "active" and period.role == "holder" and period.site_name not in text and len(report.holds) <= 10:
                    wrong.append(f"{actor.id} {day}: holds {period.site_name} but the paragraph does not say so")
            wrong += [f"{actor.id} {day}: {p}" for p in problems_in(text, report.citations)]
            # Views are built without their __init__: each must be the one the __init__ would make.
            wrong += [f"{actor.id} {day}: an incomplete view" for v in (*report.holds, *report.left) if replace(v) != v]
    assert wrong == []


def test_comparisons_and_briefs_tell_one_story(data):
    wrong = []
    forces = [data.actors[a] for a in ("us", "russia", "israel", "turkey", "iran") if a in data.actors]
    for day in DAYS:
        brief = briefing.brief_report(data, day)
        wrong += [f"brief {day}: {p}" for p in problems_in(brief.narrative, brief.citations)]
        for first, second in zip(forces, forces[1:]):
            report = briefing.compare_actors(data, [first, second], day)
            wrong += [f"compare {first.id} {second.id} {day}: {p}" for p in problems_in(report.narrative, report.citations)]
        changes = briefing.change_report(data, day - datetime.timedelta(days=60), day)
        wrong += [f"changes to {day}: {p}" for p in problems_in(changes.narrative, changes.citations)]
        for change in changes.differences:
            if change.before.holder and change.before.holder == change.after.holder and change.before.status == change.after.status:
                wrong.append(f"changes to {day}: {change.site} did not change")
    assert wrong == []


def test_a_report_written_a_list_item_at_a_time_is_the_report_written_whole(data):
    """actor and base lists, compare and compare --at stream their longest list (cli/positions):
    the same bytes as the whole value written at once."""
    import io

    from syriabrief.output.jsonout import write_json, write_json_list, write_json_with_list
    from syriabrief.reports.types import json_texts

    def written(write, *args) -> str:
        out = io.StringIO()
        write(*args, out)
        return out.getvalue()

    day = DAYS[-1]
    for rows, whole in ((briefing.actor_rows, briefing.actor_list), (briefing.base_rows, briefing.base_list)):
        assert written(write_json_list, json_texts(rows(data, day))) == written(write_json, whole(data, day).to_json())
    compared = briefing.compare_actors(data, [data.actors["us"], data.actors["russia"]], day)
    changes = briefing.change_report(data, day - datetime.timedelta(days=400), day)
    for report, longest in ((compared, "subjects"), (changes, "differences")):
        assert len(getattr(report, longest)) >= 2
        streamed = written(write_json_with_list, report.to_json_streamed(longest), longest)
        assert streamed == written(write_json, report.to_json())

"""Rendering on a fixed-width, colourless console."""

import io
import re

import pytest

from conftest import SAMPLE_EVENTS, dataset, event
from syriabrief.output.terminal import event_table, make_console, visible, write_json


def render(table, width: int) -> str:
    out = io.StringIO()
    make_console(file=out, width=width).print(table)
    return out.getvalue()


def test_dates_show_their_precision_and_vagueness():
    data = dataset(SAMPLE_EVENTS)
    text = render(event_table(data.select(), data, width=120), 120)
    assert "~2016" in text and "Jan 2026" in text and "20–27 Jan 2026" in text and "~21–22 Feb 2026" in text


def test_the_place_says_where_a_move_came_from_and_went_in_words():
    moves = [
        event("arrives", "2026-03-11", "deployment", actors=["us"], site="qasrak", origin="erbil"),
        event("leaves", "2026-02-23", "withdrawal", actors=["us"], site="qasrak", destination="erbil"),
        event("passes", "2026-02-24", "withdrawal", actors=["us"], origin="al-tanf", destination="erbil"),
    ]
    data = dataset(moves)
    text = " ".join(render(event_table(data.select(), data, width=160), 160).split())
    assert "@ Qasrak base, from Erbil" in text and "@ Qasrak base, to Erbil" in text
    assert "from Al-Tanf garrison, to Erbil" in text and "→" not in text


def test_wide_tables_have_a_sources_column_and_narrow_ones_put_sources_under_the_summary():
    data = dataset(SAMPLE_EVENTS)
    wide = render(event_table(data.select(), data, width=120), 120)
    narrow = render(event_table(data.select(), data, width=80), 80)
    assert "Sources" in wide.splitlines()[1]
    assert "Sources" not in narrow and "Reuters" in narrow
    assert all(len(line) <= 80 for line in narrow.splitlines())


def test_markup_and_escapes_in_data_print_as_themselves():
    hostile = event("x", "2026-01-01", summary="[bold]loud[/b] \x1b[31mred\x1b]0;title\x07 \u202edesrever")
    data = dataset([hostile])
    text = render(event_table(data.select(), data, width=120), 120)
    assert "[bold]loud[/b]" in text
    assert "\x1b" not in text and "\u202e" not in text
    assert "\\x1b[31mred" in text and "\\u202e" in text


def test_visible_keeps_tabs_newlines_and_ordinary_unicode():
    assert visible("a\tb\nc — قامشلي") == "a\tb\nc — قامشلي"
    assert visible("\x00\x7f\x85") == "\\x00\\x7f\\x85"


def test_json_is_exact_utf8_with_one_trailing_newline():
    out = io.StringIO()
    write_json([{"summary": "Qamishli — قامشلي \x1b"}], out)
    assert out.getvalue() == '[{"summary": "Qamishli — قامشلي \\u001b"}]\n'


def test_a_list_written_as_encoded_texts_gives_the_bytes_of_the_decoded_value():
    import io
    import json

    from syriabrief.output.jsonout import json_text, write_json, write_json_with_list

    items = [{"id": "a", "summary": 'syriabrief-list-"x" ]}, \u202e'}, {"id": "b", "n": [1, 2.5, None]}]
    value = {"name": "syriabrief-list-", "events": [json_text(i).encode() for i in items], "narrative": "[ ]"}
    spliced, plain = io.StringIO(), io.StringIO()
    write_json_with_list(value, "events", spliced)
    write_json({**value, "events": items}, plain)
    assert spliced.getvalue() == plain.getvalue()
    assert json.loads(spliced.getvalue())["events"] == items


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("stream_class", [io.StringIO, _Terminal])
@pytest.mark.parametrize("count", [0, 1, 2, 9])
def test_texts_written_as_they_come_give_the_bytes_of_the_decoded_value(monkeypatch, stream_class, count):
    """In batches (here of a few texts each) and laid out anew on a terminal: the same bytes as
    ``write_json`` of the decoded value, with the texts read only as they are written."""
    from syriabrief.output import jsonout

    monkeypatch.setattr(jsonout, "_BATCH_BYTES", 100)
    items = [{"id": f"e{n}", "summary": "\u202e" * n, "more": {"n": [n, None], "e": {}}} for n in range(count)]
    texts = [jsonout.json_text(i).encode() for i in items]
    spliced, plain, listed, plain_list = (stream_class() for _ in range(4))
    written_before_last = []

    def lazily():
        for n, text in enumerate(texts):
            if n == len(texts) - 1:
                written_before_last.append(len(spliced.getvalue()))
            yield text

    value = {"name": "x", "events": [], "tail": [1, {"a": []}]}
    jsonout.write_json_with_list({**value, "events": lazily()}, "events", spliced)
    jsonout.write_json({**value, "events": items}, plain)
    assert spliced.getvalue() == plain.getvalue()
    jsonout.write_json_list(iter(texts), listed)
    jsonout.write_json(items, plain_list)
    assert listed.getvalue() == plain_list.getvalue()
    if stream_class is io.StringIO:  # and through a real stream's byte buffer, as to stdout
        raw = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
        jsonout.write_json_list(iter(texts), raw)
        assert raw.buffer.getvalue().decode() == plain_list.getvalue()  # type: ignore[attr-defined]
    if count == 9:  # a batch went out before the last text was read
        assert 0 < written_before_last[0] < len(spliced.getvalue())


@pytest.mark.parametrize("c_encoder", [True, False])
def test_json_text_is_json_dumps_with_the_c_encoder_or_without(c_encoder, monkeypatch):
    import json
    import math

    from syriabrief.domain import safetext

    if not c_encoder:
        monkeypatch.setattr(safetext, "_C_COMPACT", None)
    values = ["é \u202e \x00 \ud800", 7, [1.5, -0.0, 1e300, None, True], {"a": {"b": [], "c": {}}, "d": "x"}]
    assert [safetext.json_text(v) for v in values] == [json.dumps(v, ensure_ascii=False) for v in values]
    for bad in (math.nan, {"a": [math.inf]}):
        with pytest.raises(ValueError):
            safetext.json_text(bad)
    with pytest.raises(TypeError):
        safetext.json_text({"a": object()})


@pytest.mark.parametrize(
    "text, expected",
    [
        ('["plain ascii"]', '["plain ascii"]'),
        ('["del\x7f esc\x1b"]', '["del\\u007f esc\\u001b"]'),
        ('["tab\t and newline\n stay"]', '["tab\t and newline\n stay"]'),
        ('["C1\x9b bidi\u202e ok é"]', '["C1\\u009b bidi\\u202e ok é"]'),
    ],
)
def test_json_safe_escapes_what_could_drive_a_terminal_ascii_or_not(text, expected):
    from syriabrief.domain.safetext import json_safe

    assert json_safe(text) == expected


def test_at_80_columns_the_cells_a_reader_needs_wrap_and_are_never_cut():
    sites = [{"id": "shaddadi", "name": "Al-Shaddadi base", "aliases": [], "kind": "base", "country": "Syria",
              "admin1": None, "lat": 36.05, "lon": 40.73, "location_precision": "approximate", "parent": None}]
    events = [
        event("a", "2024-12-16", "withdrawal", end_date="2024-12-22", approximate=True, stage="completed",
              actors=["us", "sdf"], site="shaddadi", status="disputed", summary="word " * 80),
        event("b", "2024-12-20", "leadership_change", end_date="2025-01-05", actors=["syrian-army"],
              site="shaddadi", summary="A short one."),
    ]  # fmt: skip
    data = dataset(events, sites=sites)
    text = render(event_table(data.select(), data, width=80), 80)
    assert "…" not in text and all(len(line) <= 80 for line in text.splitlines())
    cells = [cell.strip() for line in text.splitlines() for cell in line.split("│")]
    for whole in ("withdrawal", "(completed)", "leadership", "Al-Shaddadi", "20 Dec 2024", "~16–22 Dec"):
        assert any(re.search(rf"(^|\s){re.escape(whole)}(\s|$)", c) for c in cells), f"{whole!r} is broken up"

"""``syriabrief show ID``: one event whole — every field, every source with its link, every account."""

from typing import Annotated

import typer

from syriabrief.cli.common import DbOption, JsonOption, app, handles_errors, load


@app.command(short_help='One event whole: dates, parties, places and sources.')
@handles_errors
def show(
    event_id: Annotated[str, typer.Argument(metavar="ID", help="The event's id, as timeline --json and the narratives' citations give it.")],
    json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """One event whole: dates and precision, parties, places, figures, every source and every account.

    Example: syriabrief show 2026-02-21-us-begins-qasrak-withdrawal
    """
    from syriabrief.domain.filters import EventFilter
    from syriabrief.errors import NotFoundError

    data = load(db)
    wanted = event_id.strip().lower()  # ids are lower-case slugs: case tells no two apart
    found = data.select(EventFilter(ids=frozenset({wanted})))
    if not found:
        raise NotFoundError("event", event_id, _close_ids(data, wanted))
    [event] = found
    if json:
        from syriabrief.output.jsonout import write_json

        write_json(event.to_json())
        return
    from syriabrief.output.terminal import make_console, print_event

    print_event(make_console(), event, data)


def _close_ids(data, event_id: str) -> list[str]:
    """Ids that look like the one typed (same date prefix or similar words), for the error."""
    import difflib

    ids = [e.id for e in data.select()] if data.count() <= 200_000 else []
    return difflib.get_close_matches(event_id, ids, n=3, cutoff=0.5)

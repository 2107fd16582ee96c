"""``syriabrief store``: where the bundled dataset and the user's store are, and what each holds.

``--restore-backup`` puts the user's store back as it was before the last write.
"""

import os
from pathlib import Path
from typing import Annotated, Any

import typer

from syriabrief.cli.common import DbOption, JsonOption, app, handles_errors, layers, write_target
from syriabrief.errors import StoreError


def _describe(path: Path, layer: str) -> dict[str, Any]:
    """One store as the --json contract has it; a store that cannot be read keeps its error."""
    from syriabrief.storage.paths import backup_path, store_target
    from syriabrief.storage.store import summarise_store

    entry: dict[str, Any] = {
        "layer": layer, "path": str(path), "exists": path.exists(), "schema_version": None,
        "actors": None, "sites": None, "events": None, "backup": None, "error": None,
    }  # fmt: skip
    try:
        summary = summarise_store(path)
    except StoreError as error:
        entry["error"] = str(error)
        return entry
    if summary.exists:
        entry.update(schema_version=summary.schema_version, actors=summary.actors, sites=summary.sites,
                     events=summary.events)  # fmt: skip
    backup = backup_path(store_target(path))  # beside the file a link points to
    if layer == "user" and backup.exists():
        entry["backup"] = str(backup)
    return entry


@app.command("store", short_help='Where your store and the bundled data are, and counts.')
@handles_errors
def store_command(
    json: JsonOption = False,
    restore_backup: Annotated[
        bool,
        typer.Option(
            "--restore-backup",
            help="Put your store back as it was before the last write (from <store>.bak), if that is a valid store.",
        ),
    ] = False,
    db: DbOption = None,
) -> None:
    """Where your store and the bundled dataset are, and how many records each holds.

    Queries read the bundled dataset with your store over it (your records win
    on equal ids); 'add' writes only to your store. After a damaged store or an
    unwanted write, --restore-backup puts back the previous version (the file
    it replaces becomes the backup).

    Example: syriabrief store --db ~/syria/store.json
    """
    from syriabrief.domain.safetext import visible
    from syriabrief.output.jsonout import write_json

    if restore_backup:
        from syriabrief.storage.store import restore_backup as restore

        target = write_target(db)
        backup = restore(target)
        typer.echo(f"Restored {visible(target)} from {visible(backup)}; the version it replaced is now the backup.", err=True)
    stores = layers(db)
    bundled, user_path = stores.beneath, stores.user
    user = _describe(user_path, "user")
    result = {"bundled": _describe(bundled[0], "bundled") if bundled else None, "user": user}
    read = [entry for entry in (result["bundled"], user) if entry and Path(entry["path"]) in stores.read]
    broken = [entry for entry in read if entry["error"]]
    # A store missing or broken has no index: queries read it directly (and say what is wrong).
    result["index"] = _index(stores.read) if all(entry["exists"] for entry in read) and not broken else None
    result["cache"] = cache = _cache()
    if json:
        write_json(result)
    else:
        chosen_by = (
            "default location" if db is None
            else "SYRIABRIEF_DB" if os.environ.get("SYRIABRIEF_DB") == str(db) else "--db"
        )  # fmt: skip
        if result["bundled"] is None:
            typer.echo("Bundled dataset: not read (SYRIABRIEF_BUNDLED=none)")
        else:
            typer.echo(f"Bundled dataset (read-only): {visible(result['bundled']['path'])}")
            typer.echo(f"  {_contents(result['bundled'])}")
        typer.echo(f"Your store ({chosen_by}): {visible(user['path'])}")
        typer.echo(f"  {_contents(user)}")
        if user["backup"]:
            typer.echo(f"  previous version kept in {visible(user['backup'])}")
        kept = result["index"]
        if kept is None:
            from syriabrief.storage.index import INDEX_MIN_BYTES

            typer.echo(f"Index: none (stores under {INDEX_MIN_BYTES // 1024} KiB, and any store that cannot be read, are read directly)")
        else:
            size = _size(kept["bytes"]) if kept["exists"] else "built by the next query"
            typer.echo(f"Index (a cache, rebuilt whenever needed): {visible(kept['path'])}")
            typer.echo(f"  {size}")
        if cache["files"]:
            # Indexes of other stores (or other lists of stores) are kept too, until their store is gone.
            typer.echo(f"Cache: {visible(cache['path'])}: {_size(cache['bytes'])} in {cache['files']:,} "
                       "files, for every store indexed here; deleting it is safe (each index is rebuilt when needed)")  # fmt: skip
    if broken:
        names = " and ".join(entry["path"] for entry in broken)
        typer.echo(f"Error: {visible(names)} cannot be read (see 'syriabrief validate')", err=True)
        raise typer.Exit(1)


def _size(count: int) -> str:
    return f"{count / 1e9:,.1f} GB" if count >= 1e9 else f"{count / 1e6:,.1f} MB"


def _cache() -> dict[str, Any]:
    """The cache directory as --json has it: every index kept there, for any store, and its size."""
    from syriabrief.storage.paths import cache_dir

    directory = cache_dir()
    sizes = []
    try:
        with os.scandir(directory) as entries:
            sizes = [entry.stat().st_size for entry in entries if entry.is_file(follow_symlinks=False)]
    except OSError:  # none yet, or unreadable: nothing to count
        pass
    return {"path": str(directory), "files": len(sizes), "bytes": sum(sizes)}


def _index(paths: list[Path]) -> dict[str, Any] | None:
    """The index kept for these stores in the cache, as --json has it; None when they are read into memory."""
    from syriabrief.storage.index import index_path, worth_indexing

    if not paths or not worth_indexing(paths):
        return None
    target = index_path(paths)
    try:
        size: int | None = target.stat().st_size
    except OSError:
        size = None
    return {"path": str(target), "exists": size is not None, "bytes": size}


def _contents(entry: dict[str, Any]) -> str:
    from syriabrief.domain.safetext import visible
    from syriabrief.reports.narrative import count_phrase

    if entry["error"]:
        return f"cannot be read: {visible(entry['error'])}"
    if not entry["exists"]:
        return "not created yet; 'syriabrief add' creates it"
    return ", ".join(
        count_phrase(entry[kind], singular) for kind, singular in (("actors", "actor"), ("sites", "site"), ("events", "event"))
    )

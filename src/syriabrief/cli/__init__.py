"""The command line: one module per command group, loaded only when it is run.

This package is the only place that imports Typer. ``common`` holds the app,
the options commands share, settings and error handling; each module in
``COMMANDS`` registers its commands on that app when imported. A run imports
only the module of the command it names (importing all of them, and the
formats and reports they pull in, was a good part of every query's start-up);
``app`` here is the whole app, for help and for tests.

The command modules do not defer their annotations (no ``from __future__ import
annotations``): Typer reads a command's parameters from them at every run, and
a deferred annotation is a string it compiles (1.6 ms of a query). A helper's
annotation that names a class imported only for type checking is quoted.
"""

from __future__ import annotations

import copy
import gc
import importlib
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import typer

__all__ = ["COMMANDS", "app", "main"]

# Each command and the module that registers it, in the order help lists them:
# questions first, then keeping the store current.
COMMANDS = {
    "timeline": "timeline",
    "show": "show",
    "actor": "positions",
    "base": "positions",
    "compare": "positions",
    "brief": "positions",
    "map": "maps",
    "add": "edit",
    "read": "read",
    "import": "importing",
    "export": "exporting",
    "validate": "validating",
    "store": "stores",
}


def __getattr__(name: str) -> typer.Typer:
    # ``syriabrief.cli.app`` is the whole app: every command module loaded, in help's order.
    if name == "app":
        return _whole_app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main() -> None:
    """Console-script entry point."""
    # A run builds up to millions of objects that live until it exits (an import
    # of 100k rows, a Markdown export), and the cycle collector's default pace
    # rescans them all again and again as they grow: 4 s of a 12 s import. Our
    # records form no cycles, so a far rarer pace loses nothing (docs/performance.md).
    # Set before Typer and the command are imported: building their classes ran it
    # about a hundred times more (10 ms of every run).
    gc.set_threshold(100_000, 50, 100)
    from syriabrief.cli.common import describe_os_error, silence_stdout

    _tolerate_narrow_encodings()
    try:
        _app_for(sys.argv[1:])()
    except BrokenPipeError:
        # The reader went away (``syriabrief timeline --json | head``): not an error.
        silence_stdout()
        sys.exit(0)
    except OSError as error:
        # The system refused a read or a write that nothing below expected to fail: most often
        # the answer itself, to a full disk (``> /dev/full``). One line, as for our own errors;
        # stdout is silenced so that the final flush does not fail again.
        silence_stdout()
        sys.stderr.write(f"Error: {describe_os_error(error)}\n")
        sys.exit(1)
    finally:
        # On its way out the interpreter runs the collector over every object still
        # alive (Typer's, the command's), to free cycles that the end of the process
        # frees anyway: out of its sight, 14 ms of every query's 120 (docs/performance.md).
        gc.freeze()


def _app_for(args: list[str]) -> typer.Typer:
    """The app with only the command ``args`` name, when they name one.

    Only that command's module is imported, and only its signature is turned
    into Click parameters (about 60 ms for all of them, most of a query's
    start-up). Help for the whole app, and a mistyped command (whose error
    lists the commands), get the whole app.
    """
    name = _command_word(args)
    if name not in COMMANDS:
        return _whole_app()
    importlib.import_module(f"{__name__}.{COMMANDS[name]}")
    from syriabrief.cli.common import app

    only = copy.copy(app)
    only.registered_commands = [c for c in app.registered_commands if _name(c) == name]
    only.registered_groups = [g for g in app.registered_groups if g.name == name]
    return only


def _command_word(args: list[str]) -> str | None:
    """The command ``args`` name: the first word that is neither an option of the app's own
    (--help, --version, --db PATH) nor the value of one."""
    words = iter(args)
    for arg in words:
        if arg == "--db":
            next(words, None)
        elif not arg.startswith("-"):
            return arg
    return None


def _whole_app() -> typer.Typer:
    from syriabrief.cli.common import app

    for module in dict.fromkeys(COMMANDS.values()):
        importlib.import_module(f"{__name__}.{module}")
    # Modules loaded earlier for one command registered theirs out of turn.
    order = list(COMMANDS)
    app.registered_commands.sort(key=lambda c: order.index(_name(c)))
    return app


def _name(command) -> str:
    import typer

    return typer.main.get_command_name(command.name or command.callback.__name__)


def _tolerate_narrow_encodings() -> None:
    """Print what the output encoding cannot hold as its nearest character instead of failing.

    Under ``PYTHONIOENCODING=ascii``, latin-1 or a C locale without UTF-8
    coercion, a name like "Ḥmeimim" or a "–" in a table would otherwise raise
    UnicodeEncodeError in the middle of a report. Exports and ``--json`` write
    UTF-8 bytes to the binary stream, so they are unaffected.
    """
    import codecs

    from syriabrief.domain.safetext import NEAREST, nearest_characters

    codecs.register_error(NEAREST, nearest_characters)
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors=NEAREST)

"""The console-script entry point: ``--version`` answered before the command line is loaded.

Loading Typer and the command modules costs about 50 ms, most of a ``--version``
run; every other invocation goes straight to ``syriabrief.cli.main``.
"""

from __future__ import annotations

import os
import sys

__all__ = ["main"]


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        from syriabrief import __version__

        # The same line Typer's eager --version option prints (cli.common._version).
        try:
            sys.stdout.write(f"syriabrief {__version__}\n")
            sys.stdout.flush()
        except OSError as error:  # a closed pipe is no error; a full disk is one line, as in cli.main
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # the final flush must not fail again
            if not isinstance(error, BrokenPipeError):
                sys.stderr.write(f"Error: {error.strerror or error}.\n")
                sys.exit(1)
        return
    from syriabrief.cli import main as run_cli

    run_cli()

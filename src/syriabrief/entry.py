"""The console-script entry point: ``--version`` answered before the command line is loaded.

Loading Typer and the command modules costs about 50 ms, most of a ``--version``
run; every other invocation goes straight to ``syriabrief.cli.main``.
"""

from __future__ import annotations

import sys

__all__ = ["main"]


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        from syriabrief import __version__

        # The same line Typer's eager --version option prints (cli.common._version).
        sys.stdout.write(f"syriabrief {__version__}\n")
        return
    from syriabrief.cli import main as run_cli

    run_cli()

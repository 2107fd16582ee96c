"""The exceptions syriabrief raises; the CLI turns each into a one-line message and an exit code.

Exit codes (docs/cli.md): 0 success, 1 a failure the user can fix (a bad store
file, an unknown name), 2 a usage error (a bad option value, an unparseable date).
"""

from __future__ import annotations

__all__ = ["AmbiguousNameError", "DateInputError", "NotFoundError", "StoreError", "SyriabriefError", "UsageError"]


class SyriabriefError(Exception):
    """A failure the user can fix; its message is shown as ``Error: <message>``."""

    exit_code = 1


class UsageError(SyriabriefError):
    """An option value the command cannot use."""

    exit_code = 2


class DateInputError(UsageError):
    """A date the user typed that cannot be read."""


class StoreError(SyriabriefError):
    """A store file that is missing, unreadable, corrupt or not a syriabrief store."""


class NotFoundError(SyriabriefError):
    """A name that matches no actor or site; carries the closest names to suggest."""

    def __init__(self, kind: str, name: str, suggestions: list[str], meanings: dict[str, str] | None = None):
        self.kind = kind
        self.name = name
        self.suggestions = suggestions
        self.meanings = meanings = meanings or {}
        message = f"no {kind} named {name!r}."
        if suggestions:
            shown = [repr(s) + (f" ({meanings[s]})" if s in meanings else "") for s in suggestions]
            message += " Did you mean " + " or ".join(shown) + "?"
        else:
            command = {"site": "base", "actor": "actor", "event": "timeline"}.get(kind)
            if command:
                message += f" Run 'syriabrief {command}' to list them."
        super().__init__(message)


class AmbiguousNameError(SyriabriefError):
    """A name that matches more than one actor or site; carries each (name, kind) to choose from."""

    def __init__(self, kind: str, name: str, choices: list[tuple[str, str | None]], ids: list[str] | None = None):
        self.kind = kind
        self.name = name
        self.choices = choices
        self.ids = ids or []  # the records' ids, in the order of ``choices``
        shown = [repr(n) + (f" ({k})" if k else "") for n, k in choices]
        listed = ", ".join(shown[:-1]) + " or " + shown[-1] if len(shown) > 1 else "".join(shown)
        super().__init__(f"{name!r} names more than one {kind}: did you mean {listed}?")

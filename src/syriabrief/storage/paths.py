"""Where syriabrief's files are: the bundled dataset, the user's store, the index cache.

Every path is resolved here, once per question, so no other module reads
``SYRIABRIEF_BUNDLED``, ``XDG_*`` or the platform's conventions itself. The CLI
turns its settings (``--db``, ``SYRIABRIEF_DB``, ``SYRIABRIEF_BUNDLED``) into a
``Layers`` value and hands that down.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import NamedTuple

from syriabrief.errors import StoreError

__all__ = [
    "Layers",
    "backup_path",
    "bundled_path",
    "cache_dir",
    "default_user_store",
    "lock_path",
    "resolve_layers",
    "same_file",
    "store_target",
]

# Where the bundled dataset sits inside the installed package (the wheel puts
# the repository's data/events.json there).
_BUNDLED_RESOURCE = ("syriabrief", "data", "events.json")
# Setting SYRIABRIEF_BUNDLED to this reads no bundled dataset at all.
NO_BUNDLED = "none"


class Layers(NamedTuple):
    """The store files one command reads, bottom layer first, and the one it writes.

    ``beneath`` are the read-only layers under the user's store (the bundled
    dataset, another file, or nothing); ``user`` is the user's store, which is
    read only when it was named or exists.
    """

    beneath: tuple[Path, ...]
    user: Path
    user_named: bool

    @property
    def read(self) -> list[Path]:
        layers = list(self.beneath)
        if self.user_named or self.user.exists():
            layers.append(self.user)
        return layers


def resolve_layers(db: Path | None, bundled: str | None) -> Layers:
    """``db`` from --db / SYRIABRIEF_DB; ``bundled`` from SYRIABRIEF_BUNDLED (a path, "none" or unset)."""
    if bundled == NO_BUNDLED:
        beneath: tuple[Path, ...] = ()
    else:
        beneath = (Path(bundled) if bundled else bundled_path(),)
    return Layers(beneath, db or default_user_store(), db is not None)


def bundled_path() -> Path:
    """The dataset that ships with syriabrief (read-only)."""
    package, *parts = _BUNDLED_RESOURCE
    package_dir = Path(__file__).resolve().parents[1]
    # An ordinary install has the file inside the package, a source checkout at
    # the repository root: both without loading importlib.resources (~3 ms).
    for candidate in (package_dir.joinpath(*parts), package_dir.parents[1] / "data" / "events.json"):
        if candidate.is_file():
            return candidate
    from importlib import resources

    return Path(str(resources.files(package).joinpath(*parts)))


def default_user_store() -> Path:
    """Where the user's own records live unless --db or SYRIABRIEF_DB says otherwise."""
    return _user_dir("XDG_DATA_HOME", ".local/share", "Application Support") / "store.json"


def cache_dir() -> Path:
    """Where indexes of big stores are kept: rebuilt from the stores whenever needed.

    ``XDG_CACHE_HOME``, when set, is followed on every system (a cache is safe to move; the store's
    own home is not, so ``XDG_DATA_HOME`` is read on Linux alone).
    """
    chosen = os.environ.get("XDG_CACHE_HOME")
    return Path(chosen) / "syriabrief" if chosen else _user_dir("XDG_CACHE_HOME", ".cache", "Caches")


def _user_dir(xdg: str, xdg_default: str, mac_dir: str) -> Path:
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA" if xdg == "XDG_CACHE_HOME" else "APPDATA")
                    or Path.home() / "AppData" / ("Local" if xdg == "XDG_CACHE_HOME" else "Roaming"))
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / mac_dir
    else:
        base = Path(os.environ.get(xdg) or Path.home() / xdg_default)
    return base / "syriabrief"


def store_target(path: Path) -> Path:
    """The file a store path stands for: the target of a symbolic link (through any chain of them), else ``path``.

    A write resolves its store once, here, and then works on the target: it
    replaces the target (a rename over the link would turn the link into a
    copy), keeps the backup and takes the lock beside the target, so that
    writers naming the link and writers naming the target exclude each other.
    """
    path = Path(path)
    if not path.is_symlink():
        return path
    target = Path(os.path.realpath(path))
    if target.is_symlink():  # realpath stops where links go round in a circle
        raise StoreError(f"{path} is a loop of symbolic links, not a store file")
    return target


def same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one file (through links too); False when either cannot be resolved."""
    try:
        return Path(a).resolve() == Path(b).resolve()
    except (OSError, RuntimeError):  # RuntimeError: a loop of links (Python < 3.13)
        return False


def lock_path(path: Path) -> Path:
    """The file writers lock while they write ``path`` (kept between writes, never deleted).

    ``path`` is a store_target: writers through a link lock beside its target.
    """
    return path.with_name(path.name + ".lock")


def backup_path(path: Path) -> Path:
    """Where the previous generation of ``path`` (a store_target) is kept after each write."""
    return path.with_name(path.name + ".bak")

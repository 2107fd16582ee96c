"""Exclusive OS locks on open files: flock on POSIX, msvcrt.locking on Windows.

The OS releases such a lock when its holder exits, even when it is killed, so a
lock is never left stale. Store writes (store._StoreLock) and index builds
(index._BuildLock) both use these. Standard library only.
"""

from __future__ import annotations

import os

from syriabrief.errors import StoreError

__all__ = ["try_lock", "unlock"]

if os.name == "nt":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def try_lock(fd: int) -> bool:
        """Take the lock on ``fd`` if it is free; False if another holder has it."""
        os.lseek(fd, 0, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]  # Windows only
        except OSError:
            return False
        return True

    def unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined]  # Windows only

else:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - a platform with neither lock
        fcntl = None  # type: ignore[assignment]

    def try_lock(fd: int) -> bool:
        """Take the lock on ``fd`` if it is free; False if another holder has it."""
        if fcntl is None:  # pragma: no cover
            raise StoreError(
                "this platform offers no file locking, so syriabrief cannot write a store safely here"
            )
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def unlock(fd: int) -> None:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_UN)

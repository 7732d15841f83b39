"""Output files written whole or not at all, for every writer of diplowatch
(exports, batch partitions and manifest, the follow state).

A file is filled under a hidden temporary name in its own directory, flushed
to disk and renamed over the target, so a reader or a crash never sees half a
file.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from diplowatch.errors import OutputError

__all__ = ["atomic_write", "check_output_file", "write_file"]

_T = TypeVar("_T")
_UMASK = os.umask(0o022)  # the process umask, read once (reading it means setting it)
os.umask(_UMASK)


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def atomic_write(path: Path, write: Callable[[Path], _T]) -> _T:
    """Write ``path`` whole or not at all: ``write`` fills a hidden temporary file
    in the same directory, which is flushed to disk and renamed over ``path``
    (keeping the mode of a file it replaces). Returns what ``write`` returns;
    on any failure the temporary file is removed and the error raised."""
    try:
        mode = path.stat().st_mode & 0o7777
    except OSError:
        mode = 0o666 & ~_UMASK  # mkstemp makes 0600; give the usual mode
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        result = write(tmp_path)
        os.chmod(tmp_path, mode)
        with open(tmp_path, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp_path, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp_path.unlink()
        raise
    _fsync_dir(path.parent)
    return result


def check_output_file(path: str | Path) -> Path:
    """``path`` as a :class:`Path` when a file can be written there.

    Raises:
        OutputError: ``path`` is a directory, its directory is missing or no
            directory, or it is a file that may not be written.
    """
    p = Path(path)
    parent = p.parent
    if p.is_dir():
        problem = "is a directory, not a file"
    elif not parent.exists():
        problem = f"no such directory {str(parent)!r}"
    elif not parent.is_dir():
        problem = f"{str(parent)!r} is not a directory"
    elif (p.exists() and not os.access(p, os.W_OK)) or (not p.exists() and not os.access(parent, os.W_OK)):
        problem = "permission denied"
    else:
        return p
    raise OutputError(f"cannot write {p}: {problem}")


def write_file(path: str | Path, write: Callable[[Path], _T]) -> _T:
    """Write the file ``path`` with ``write`` (given the path to write), whole or not
    at all (:func:`atomic_write`); a device or pipe (``/dev/stdout``) is written
    directly, as it cannot be replaced.

    Raises:
        OutputError: the file cannot be written (names it and says why); no
            partial file is left behind.
    """
    p = check_output_file(path)
    real = Path(os.path.realpath(p))  # a symbolic link is written through, not replaced
    try:
        if real.exists() and not real.is_file():
            return write(real)
        return atomic_write(real, write)
    except OSError as exc:
        raise OutputError(f"cannot write {p}: {exc.strerror or exc}") from exc

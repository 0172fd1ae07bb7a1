"""Write an export so that the target is either the old file or the complete new one.

The bytes go to a temporary file in the target's own folder (never the system temp
folder: the report may be identifiable), are flushed and fsynced, then os.replace()
swaps the file in. On any failure the temporary file is removed. OS errors become
`ExportProblem` with a one-line message the reviewer can act on.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import re
import shutil
import stat
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from .errors import ExportProblem

_DISK_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}
_WINDOWS = os.name == "nt"
_REPLACE_TRIES = 3  # on Windows a virus scanner or indexer may hold a new file briefly


def _problem(exc: OSError, target: Path, folder: Path) -> ExportProblem:
    """One plain sentence for an OS error met while writing `target`."""
    if exc.errno in _DISK_FULL:
        return ExportProblem(
            f"There is not enough space on the disk to save {target}. "
            "Free some space or choose another folder, then export again."
        )
    if exc.errno == errno.EROFS:
        return ExportProblem(f"{folder} cannot be written: it is on a read-only disk.")
    if isinstance(exc, FileNotFoundError) and not folder.is_dir():
        return ExportProblem(f"The folder {folder} does not exist.")
    if isinstance(exc, PermissionError):
        return ExportProblem(f"{folder} cannot be written: permission denied.")
    reason = exc.strerror or type(exc).__name__
    return ExportProblem(f"{target} cannot be written: {reason}.")


def _remove_quietly(path: str) -> None:
    with contextlib.suppress(OSError):
        os.remove(path)


class _Guarded(io.RawIOBase):
    """The temporary file as the renderer sees it. Once writing has failed, every later
    write, seek and flush does nothing: a half-written zip archive (DOCX) that the
    renderer left open tries to finish itself when it is garbage-collected, and would
    otherwise print a traceback ("Exception ignored in ZipFile.__del__") under the
    one-line message, or write into a file that is already gone."""

    def __init__(self, f: BinaryIO) -> None:
        super().__init__()
        self._f = f
        self._abandoned = False
        self._pos = self._end = 0  # kept so that an abandoned zip still adds up its offsets

    def abandon(self) -> None:
        self._abandoned = True

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readable(self) -> bool:
        return False

    def write(self, data) -> int:  # type: ignore[override]
        n = len(data) if self._abandoned else self._f.write(data)
        self._pos += n
        self._end = max(self._end, self._pos)
        return n

    def seek(self, offset: int, whence: int = 0) -> int:
        if not self._abandoned:
            self._pos = self._f.seek(offset, whence)
        else:
            self._pos = max(0, offset + (0, self._pos, self._end)[whence])
        return self._pos

    def tell(self) -> int:
        return self._pos

    def flush(self) -> None:
        if not self._abandoned:
            self._f.flush()

    def close(self) -> None:  # the writer owns the real file; a renderer may not close it
        pass


def _refuse_read_only(target: Path) -> None:
    """An editor will not overwrite a read-only file, and neither do we: os.replace()
    would swap it out regardless of its mode. The mode bits are checked as well as
    os.access, which says yes to everything for root."""
    try:
        mode = target.stat().st_mode
    except OSError:
        return  # not there (or unreadable): the write itself will say what is wrong
    if stat.S_ISREG(mode) and (not mode & 0o222 or not os.access(target, os.W_OK)):
        raise ExportProblem(f"{target} is read-only; choose another name or make it writable.")


_KINDS = (
    (stat.S_ISFIFO, "a pipe"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
    (stat.S_ISSOCK, "a socket"),
)


def _refuse_special(target: Path) -> None:
    """Only a regular file is ever replaced. A symlink would be replaced by the export (or,
    written through, would put an identifiable report wherever it points); a device or a
    pipe is no place for a report. lstat: the name itself, not what it points to."""
    try:
        mode = target.lstat().st_mode
    except OSError:
        return
    if stat.S_ISLNK(mode):
        raise ExportProblem(
            f"{target} is a symbolic link; choose a new file name (it was left as it is)."
        )
    for test, kind in _KINDS:
        if test(mode):
            raise ExportProblem(f"{target} is not a regular file ({kind}); choose a file name.")


# Our own temporary names only: ".NAME.XXXXXXXX.part" (mkstemp below) and the ".dataset.XXXXXXXX"
# folder of sheet XML that versions before issue 17 made beside an XLSX export.
_PART = re.compile(r"^\..+\.[a-z0-9_]{8}\.part$")
_OLD_SCRATCH = re.compile(r"^\.dataset\.[a-z0-9_]{8}$")


def _lock(fd: int) -> bool:
    """An exclusive lock on our temporary file while it is written; the kernel drops it when
    the process ends, however it ends. False where it cannot be had (held, or no flock)."""
    if _WINDOWS:  # an open file cannot be removed there: the removal itself is the test
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _remove_leftovers(folder: Path) -> None:
    """Remove what a killed export of ours left in `folder`: temporary files no live
    process holds, and old scratch folders holding nothing but sheet XML."""
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        path = folder / name
        if _PART.match(name):
            with contextlib.suppress(OSError):
                fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
                try:
                    if stat.S_ISREG(os.fstat(fd).st_mode) and _lock(fd):
                        os.remove(path)
                finally:
                    os.close(fd)
        elif _OLD_SCRATCH.match(name) and path.is_dir() and not path.is_symlink():
            with contextlib.suppress(OSError):
                if all(p.suffix == ".xml" and p.is_file() for p in path.iterdir()):
                    shutil.rmtree(path)


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); Windows has no directory handles for this."""
    if _WINDOWS:
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _replace(tmp: str, target: Path) -> None:
    for attempt in range(_REPLACE_TRIES):
        try:
            os.replace(tmp, target)
            return
        except PermissionError:
            if not _WINDOWS or attempt == _REPLACE_TRIES - 1:
                raise
            time.sleep(0.2)


def write_atomic(path: str | os.PathLike[str], write: Callable[[BinaryIO], None]) -> Path:
    """Call `write(f)` with a binary file in the target folder, then swap it into `path`.

    Returns the absolute target path. Raises ExportProblem for anything the user can fix
    (missing folder, no permission, read-only or full disk, target open in another
    program); any other exception from `write` propagates unchanged. Either way no
    partial or temporary file is left behind.

    The new file is private to the user (0600 on POSIX) unless it replaces an existing
    file, whose permissions it keeps. A symlink, device or pipe at `path` is refused; what
    a killed export of ours left in the folder is removed first.
    """
    target = Path(path).expanduser().absolute()
    folder = target.parent
    if not folder.is_dir():
        raise ExportProblem(f"The folder {folder} does not exist.")
    if target.is_dir():
        raise ExportProblem(f"{target} is a folder. Choose a file name to export to.")
    _refuse_special(target)
    _refuse_read_only(target)
    _remove_leftovers(folder)

    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=folder)
    except OSError as exc:
        raise _problem(exc, target, folder) from None
    _lock(fd)

    try:
        with os.fdopen(fd, "wb") as f:
            guarded = _Guarded(f)
            try:
                write(guarded)
            except BaseException:
                guarded.abandon()
                raise
            f.flush()
            os.fsync(f.fileno())
        with contextlib.suppress(OSError):
            os.chmod(tmp, stat.S_IMODE(target.stat().st_mode))
        try:
            _replace(tmp, target)
        except PermissionError as exc:
            if _WINDOWS:
                raise ExportProblem(
                    f"{target.name} is open in another program (Word?). Close it and export again."
                ) from None
            raise _problem(exc, target, folder) from None
        except IsADirectoryError:
            raise ExportProblem(f"{target} is a folder. Choose a file name to export to.") from None
    except OSError as exc:
        _remove_quietly(tmp)
        if exc.filename not in (None, tmp, str(target), target):
            raise  # about some other file (a bug in `write`), not about saving the export
        raise _problem(exc, target, folder) from None
    except BaseException:
        _remove_quietly(tmp)
        raise
    _fsync_folder(folder)
    return target

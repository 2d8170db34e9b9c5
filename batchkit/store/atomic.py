"""Write a folder all or nothing: a temporary sibling, flushed, then swapped into place.

Everything is written into a temporary sibling folder, then swapped into
place, so a data error, a crash or a kill never leaves a half-written
folder: `--out` holds either the previous complete result or the new one.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import functools
import json
import os
import re
import shutil
import signal
import uuid
from collections.abc import Iterator
from pathlib import Path

from ..core.errors import BatchkitError, Interrupted


def _safe_to_replace(path: Path) -> bool:
    """Only an empty folder or one batchkit wrote (it has a manifest) may be replaced."""
    if not path.exists():
        return True
    if not path.is_dir():
        return False
    return not any(path.iterdir()) or (path / "manifest.json").is_file()


# Siblings of an output folder while it is being replaced: `.NAME.tmp-PID-HEX` (being written) and
# `.NAME.old-PID-HEX` (the previous result, being deleted). Hidden, and owned by the process PID.
_SIBLING = re.compile(r"^\.(?P<name>.+)\.(?P<kind>tmp|old)-(?P<pid>\d+)-[0-9a-f]{8}$")


def _sibling(out: Path, kind: str) -> Path:
    return out.parent / f".{out.name}.{kind}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


def _alive(pid: int) -> bool:
    """Whether process `pid` still runs here (a zombie, killed but not yet reaped, does not)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    with contextlib.suppress(OSError, IndexError):
        if Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
            return False
    return True


def clean_leftovers(out: Path) -> list[Path]:
    """Remove what a killed run left next to `out`; returns what was removed or restored.

    A run killed (SIGKILL, power cut) while writing leaves a hidden
    `.NAME.tmp-*` folder; one killed while deleting the previous result leaves
    `.NAME.old-*`. Folders of live processes (another run in progress) are
    left alone. If `out` itself is missing but a previous result survives as
    `.NAME.old-*` (a kill between the two renames of the fallback swap), it is
    put back first.
    """
    if not out.parent.is_dir():
        return []
    dead = []
    for path in sorted(out.parent.iterdir()):
        m = _SIBLING.match(path.name)
        if m and m["name"] == out.name and path.is_dir() and not _alive(int(m["pid"])):
            dead.append((m["kind"], path))
    olds = [p for kind, p in dead if kind == "old" and _complete(p)]
    touched = []
    if not out.exists() and len(olds) == 1:
        os.rename(olds[0], out)
        touched.append(olds[0])
    for _, path in dead:
        if path.exists():
            shutil.rmtree(path, ignore_errors=True)
            touched.append(path)
    return touched


def _complete(folder: Path) -> bool:
    """A folder whose manifest lists only files that are there (a previous result, whole)."""
    try:
        listed = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["outputs"]
        return all((folder / entry["file"]).is_file() for entry in listed)
    except (OSError, ValueError, KeyError, TypeError):
        return False


CLOSE_RECORD = "close.json"  # in a folder closed by `batchkit close` (store/closing.py)


class FolderClosed(BatchkitError):
    """A write into a folder that `batchkit close` closed; nothing was changed (run.log status `refused`)."""

    log_status = "refused"


@contextlib.contextmanager
def atomic_folder(out: Path, keep_previous: Path | None = None) -> Iterator[Path]:
    """Yield a temporary folder; on success it replaces `out`, on any error it vanishes.

    A kill -9 can leave only a hidden sibling behind, never a half-written
    `out`; the next run into the same `out` removes it (`clean_leftovers`).
    With `keep_previous` (a reopen), the previous `out` is renamed there
    instead of being deleted. A folder closed meanwhile is never replaced
    without it (FolderClosed).
    """
    out = Path(out).resolve()
    if not _safe_to_replace(out):
        raise BatchkitError(f"{out} exists and is not a batchkit output folder (no manifest.json); "
                            "choose another --out")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        clean_leftovers(out)
        tmp = _sibling(out, "tmp")
        tmp.mkdir()
    except FileExistsError as exc:
        raise BatchkitError(f"cannot write to {out}: {exc.filename or out.parent} is a file, not a folder") from None
    except OSError as exc:
        raise BatchkitError(f"cannot write to {out}: {exc.strerror or exc}") from None
    try:
        yield tmp
        Interrupted.raise_if_received()  # an interrupt whose exception was swallowed still stops the run
        if keep_previous is None and (out / CLOSE_RECORD).exists():
            raise FolderClosed(f"{out} was closed while this run was under way; nothing was changed")
        _fsync_tree(tmp)
        swap_into_place(tmp, out, keep_previous)
    except BaseException as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(exc, OSError):  # a full or failing disk: say so, the previous result is intact
            where = f" ({exc.filename})" if exc.filename else ""
            raise BatchkitError(f"could not write the outputs{where}: {exc.strerror or exc}; {out} was left as "
                                "it was") from None
        raise


def _fsync_tree(folder: Path) -> None:
    """Flush the new files to disk before they replace the old ones (a power cut keeps one whole result)."""
    for path in folder.rglob("*"):
        if path.is_file():
            fd = os.open(path, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
    _fsync_dir(folder)


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not every file system lets a directory be fsynced
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux renameat2); False where the system cannot."""
    renameat2 = getattr(_libc(), "renameat2", None)
    if renameat2 is None:
        return False
    rc = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if rc == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(b))


@functools.cache
def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


@contextlib.contextmanager
def _signals_deferred() -> Iterator[None]:
    """Hold SIGINT/SIGTERM until the swap is done, so an interrupt cannot fall between two renames."""
    sigs = {signal.SIGINT, signal.SIGTERM}
    try:
        old = signal.pthread_sigmask(signal.SIG_BLOCK, sigs)
    except (AttributeError, ValueError, OSError):  # no sigmask here: nothing to hold
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def swap_into_place(tmp: Path, out: Path, keep_previous: Path | None = None) -> None:
    """Replace `out` by `tmp`: one atomic exchange where the system has it, else two renames.

    Either way there is no moment where `out` is half written; with two
    renames there is one where it is missing, and `clean_leftovers` puts
    the previous result back if the process dies just then. With
    `keep_previous`, the previous `out` is renamed to it first (two renames,
    so that no moment exists where it would be a leftover to delete).
    """
    done = False
    try:
        with _signals_deferred():
            Interrupted.raise_if_received()
            if keep_previous is not None:
                if out.exists():
                    os.rename(out, keep_previous)
                os.rename(tmp, out)
                done = True
                _fsync_dir(out.parent)
                return
            if out.exists() and _exchange(tmp, out):
                old = tmp  # after the exchange, tmp holds the previous result
            else:
                old = _sibling(out, "old")
                if out.exists():
                    os.rename(out, old)
                os.rename(tmp, out)
            done = True
            _fsync_dir(out.parent)
    except KeyboardInterrupt as exc:  # held back during the swap, delivered as the mask lifts
        if done:
            exc.committed = True  # type: ignore[attr-defined]
        raise
    # a kill while this runs leaves a hidden sibling that the next run removes
    shutil.rmtree(old, ignore_errors=True)

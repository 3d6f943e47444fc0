"""Which process owns a run, and whether that process is still alive.

A run records the host, pid and a start token of the process that began it. A later process on
the same host (and the same boot) can then tell at once that a ``running`` run's owner is gone,
instead of waiting for its heartbeat to go stale. The start token (boot id and the process's start
time, from ``/proc``) tells a reused pid from the original process. Where any of this cannot be
known (another host, another boot, no ``/proc``, not POSIX) the answer is "maybe alive", and the
heartbeat decides.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from functools import cache
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Owner:
    """The process that started a run."""

    host: str
    pid: int
    token: str  # "<boot id>:<start time in clock ticks>", or "" where /proc is missing

    @property
    def boot(self) -> str:
        return self.token.split(":", 1)[0] if self.token else ""


def this_process() -> Owner:
    """The :class:`Owner` record of the running process."""
    pid = os.getpid()
    return Owner(_hostname(), pid, _token(pid))


def is_gone(owner: Owner) -> bool:
    """True only when ``owner`` is certainly dead: same host, same boot, and no such process
    (or a different process, or a zombie, under its pid)."""
    here = this_process()
    if os.name != "posix" or owner.host != here.host or owner.pid <= 0:
        return False
    if owner.boot != here.boot:  # another machine with our name, or before a reboot: cannot tell
        return False
    if owner.pid == here.pid:
        return owner.token != here.token
    try:
        os.kill(owner.pid, 0)  # signal 0: an existence check, nothing is sent
    except ProcessLookupError:
        return True
    except PermissionError:
        pass  # exists, owned by another user
    except OSError:
        return False
    if not owner.token:
        return False
    stat = _stat(owner.pid)
    if stat is None:
        return True  # exited between the two checks
    state, started = stat
    return state == "Z" or f"{owner.boot}:{started}" != owner.token


@cache
def _hostname() -> str:
    return socket.gethostname()[:255]


@cache
def _boot_id() -> str:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return ""


def _stat(pid: int) -> tuple[str, str] | None:
    """``(state, start time)`` of ``pid`` from ``/proc/<pid>/stat``; ``None`` when it is not there."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) is in parentheses and may hold spaces; fields after it are plain.
    fields = raw[raw.rfind(")") + 2 :].split()
    return (fields[0], fields[19]) if len(fields) > 19 else None


def _token(pid: int) -> str:
    boot, stat = _boot_id(), _stat(pid)
    return f"{boot}:{stat[1]}" if boot and stat else ""

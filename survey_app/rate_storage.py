"""A thread-safe in-memory storage for the rate limiter (`RATELIMIT_STORAGE_URI =
"locked-memory://"`, the default when no REDIS_URL is set).

limits' own `memory://` storage is not safe under gunicorn's threaded workers: two
threads may both find its expiry timer finished, and one then starts the timer the
other just created ("RuntimeError: threads can only be started once", seen once in a
thousand requests by bench/load.py at 500 concurrent phones); its per-key locks are also
dropped and re-created while another thread holds one. limits 5.8.0, the newest release,
still has it. This subclass runs every operation, and the expiry sweep, under one lock:
a rate-limit update is a few dictionary operations, so the lock costs nothing measurable.

Registered with limits by its STORAGE_SCHEME when this module is imported (create_app
imports it before initialising the limiter).
"""

import functools
import threading

from limits.storage import MemoryStorage

SCHEME = "locked-memory://"
_GUARDED = (
    "incr", "decr", "get", "clear", "acquire_entry", "get_expiry", "get_moving_window",
    "acquire_sliding_window_entry", "get_sliding_window", "clear_sliding_window", "reset",
)


def _locked(name: str):
    unlocked = getattr(MemoryStorage, name)

    @functools.wraps(unlocked)
    def method(self, *args, **kwargs):
        with self.big_lock:
            return unlocked(self, *args, **kwargs)

    return method


class LockedMemoryStorage(MemoryStorage):
    """limits' MemoryStorage with every operation under one re-entrant lock."""

    STORAGE_SCHEME = ["locked-memory"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: str):
        self.big_lock = threading.RLock()
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    def __setstate__(self, state: dict) -> None:
        self.big_lock = threading.RLock()
        super().__setstate__(state)

    def __getstate__(self) -> dict:
        state = super().__getstate__()
        state.pop("big_lock", None)
        return state

    # The parent calls these through their mangled names; overriding them puts the expiry
    # sweep (on the timer's thread) and the timer's restart under the same lock.
    def _MemoryStorage__expire_events(self) -> None:
        with self.big_lock:
            super()._MemoryStorage__expire_events()

    def _MemoryStorage__schedule_expiry(self) -> None:
        with self.big_lock:
            super()._MemoryStorage__schedule_expiry()


for _name in _GUARDED:
    setattr(LockedMemoryStorage, _name, _locked(_name))

"""Per-account sign-in backoff, beside the per-address limit (docs/operations.md, "Sign-in").

Failed attempts are counted per typed username, whether or not the account exists (so a
refusal says nothing about which names are real), in the rate limiter's storage (Redis in
production: shared by every worker). A browser that once signed in to the account holds a
signed "device" cookie; its attempts are counted apart, so a stranger who fails on purpose
cannot lock the real user out of his own browser.
"""

import functools
import hashlib
import logging
from dataclasses import dataclass
from time import time

from limits import RateLimitItem, parse_many
from limits.storage import Storage, storage_from_string
from limits.strategies import FixedWindowRateLimiter

log = logging.getLogger(__name__)


def _failing_open(fallback):
    """A storage fault (Redis down) is logged and the sign-in goes on as if nothing were
    counted: the backoff must never turn into a 500 or lock everyone out."""

    def wrap(function):
        @functools.wraps(function)
        def safe(*args, **kwargs):
            try:
                return function(*args, **kwargs)
            except Exception:
                log.exception("sign-in backoff storage failed; the attempt is not limited by it")
                return fallback

        return safe

    return wrap


@dataclass(frozen=True)
class Backoff:
    """The counters and limits of one deployment (built once per app)."""

    limiter: FixedWindowRateLimiter
    limits: tuple[RateLimitItem, ...]


def build(storage_uri: str, limits: str) -> Backoff:
    """Counters in `storage_uri` (memory:// or redis://…) with limits such as "5 per 15 minutes"."""
    storage: Storage = storage_from_string(storage_uri)
    return Backoff(FixedWindowRateLimiter(storage), tuple(parse_many(limits)))


def account_key(username: str) -> str:
    """The counter of attempts on a typed username (hashed: the storage holds no names)."""
    name = username.strip().casefold().encode("utf-8", "surrogatepass")
    return "login-account:" + hashlib.sha256(name).hexdigest()


def device_key(device_id: str) -> str:
    """The counter of attempts from one browser that signed in to the account before."""
    return "login-device:" + device_id


@_failing_open(0)
def seconds_refused(backoff: Backoff, key: str) -> int:
    """Seconds until `key` may try again (0: it may try now)."""
    waits = []
    for limit in backoff.limits:
        if not backoff.limiter.test(limit, key):
            reset_at, _remaining = backoff.limiter.get_window_stats(limit, key)
            waits.append(max(1, int(reset_at - time()) + 1))
    return max(waits, default=0)


@_failing_open(None)
def note_failure(backoff: Backoff, key: str) -> None:
    """Count one failed attempt on `key` in every window."""
    for limit in backoff.limits:
        backoff.limiter.hit(limit, key)


@_failing_open(None)
def forget(backoff: Backoff, key: str) -> None:
    """Clear `key`'s failures after a successful sign-in."""
    for limit in backoff.limits:
        backoff.limiter.clear(limit, key)

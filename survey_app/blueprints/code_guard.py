"""Limits on guessing one-time codes that no one can turn against anyone else.

Every route that takes a code (/s, /s/<code>, /api/v1/ballot-forms, /api/v1/ballots) is
wrapped in `guarded`. A failure is a code that does not exist (404); it is counted against
the address it came from, IPv6 addresses by their /64 (one subscriber's whole block, as
one IPv4 address behind a NAT), with growing delays: `CODE_FAILURE_LIMIT` is several
windows, each longer and fuller than the last (10 failures then a minute's wait, 30 then
a quarter of an hour, and so on), so a typo costs nothing and only steady guessing waits
long. While an address waits, its code entries are refused (429 with Retry-After) before
any code is looked at, so a guesser learns nothing more.

Nothing is counted across addresses against anyone: guesses from other addresses never
refuse a valid code. Instead, failures over the whole site are counted too, and when they
pass `CODE_SURGE_LIMIT` an audit entry ("code_guessing_surge") raises the alarm on every
survey's codes page, at most once an hour. A respondent whose ballot page was opened by a
live code can always submit it: the page's signed `started` field names the code, so its
POST is admitted even if the hall's shared address started waiting meanwhile.

**Venues.** At an on-site vote (民主测评大会) the whole hall shares one NAT address, and no
scheme can tell a hostile attendee's bad codes from everyone else's. The organizers, who
know when and where the meeting is, declare the hall's network and the meeting's window
(services/respondents/venues.py, at most 24 hours). During the window an address inside
it spends a budget of its own (the same limits, keyed by venue and address, so nothing
counted in the hall follows the address after the window), and once that budget is spent
it still never waits for the **venue's own survey**: its valid codes are taken, while any
other code, unknown or of another survey, gets the same "评议码无效" refusal, so a
declared venue reveals nothing about other surveys' codes beyond what any address can
learn. The failures also count against the venue, which the codes page shows live
("本会场输错评议码 N 次") to the staff in the room, and toward the site-wide surge alarm.

The counts live in the rate limiter's storage (Redis in production, else a lock-guarded
memory storage); a storage fault is logged and the request allowed, never a 500.
docs/operations.md ("Code guessing") gives the arithmetic of what a guesser can still do.
"""

import functools
import ipaddress
import logging
import time
from datetime import UTC, datetime

from flask import abort, current_app, g, request
from flask_babel import gettext as _
from limits import parse_many

from survey_app.extensions import db, limiter
from survey_app.services.platform import audit
from survey_app.services.respondents import venues

#: Failed code entries per address (per /64 for IPv6), as growing delays.
CODE_FAILURE_LIMIT = "10 per minute;30 per 15 minutes;60 per hour;150 per day"
#: Failed code entries over the whole site before the organizers are alarmed.
CODE_SURGE_LIMIT = "300 per 10 minutes"
SURGE_ACTION = "code_guessing_surge"
_FAILURES, _SURGE, _ALARM = "code-failures", "code-surge", "code-surge-alarm"
_VENUE_FAILURES = "venue-code-failures"
#: How long a venue's failure count is kept after its window ends (the codes page shows it).
_VENUE_COUNT_KEPT = 24 * 3600
_ALARM_EVERY = parse_many("1 per hour")[0]

log = logging.getLogger(__name__)


def address_key(address: str | None) -> str:
    """The budget an address spends: itself for IPv4, its /64 for IPv6."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return address or "-"
    if ip.version == 6:
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _active() -> bool:
    return limiter.enabled and getattr(limiter, "initialized", False)


def _scope(name: str) -> str:
    """A storage scope under the app's RATELIMIT_KEY_PREFIX (apps sharing one Redis)."""
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX") or ""
    return f"{prefix}/{name}" if prefix else name


def _windows(name: str, default: str):
    return _parsed(current_app.config.get(name, default))


@functools.lru_cache(maxsize=16)
def _parsed(limit_string: str) -> tuple:
    """The windows of a limit string, parsed once (31 µs each time, on every code entry)."""
    return tuple(parse_many(limit_string))


def seconds_to_wait(key: str) -> int:
    """Seconds until the address may enter a code again (0: now)."""
    wait = 0.0
    for window in _windows("CODE_FAILURE_LIMIT", CODE_FAILURE_LIMIT):
        if not limiter.limiter.test(window, _scope(_FAILURES), key):
            reset_at, _remaining = limiter.limiter.get_window_stats(window, _scope(_FAILURES), key)
            wait = max(wait, reset_at - time.time(), 1)
    return int(wait + 0.999)


def record_failure(key: str) -> None:
    """Count a failed code entry against the address and the site; alarm on a surge."""
    for window in _windows("CODE_FAILURE_LIMIT", CODE_FAILURE_LIMIT):
        limiter.limiter.hit(window, _scope(_FAILURES), key)
    _count_toward_surge()


def record_venue_failure(venue: venues.VenueWindow) -> None:
    """Count a failed code entry from a hall during its window against the venue, for the
    staff in the room (record_failure counts it against the hall's budget and the site)."""
    expiry = max(int(venue.ends_at.timestamp() - time.time()), 0) + _VENUE_COUNT_KEPT
    limiter.storage.incr(_venue_counter(venue), expiry)


def venue_failures(venue: venues.VenueWindow) -> int:
    """Failed code entries from the venue during its window so far (0 when not counted)."""
    if not _active():
        return 0
    return _safely(lambda: int(limiter.storage.get(_venue_counter(venue)) or 0), default=0)


def _venue_counter(venue: venues.VenueWindow) -> str:
    return f"{_scope(_VENUE_FAILURES)}/{venue.counter_key}"


def _count_toward_surge() -> None:
    surge = _windows("CODE_SURGE_LIMIT", CODE_SURGE_LIMIT)
    if all(limiter.limiter.hit(window, _scope(_SURGE), "all") for window in surge):
        return
    if limiter.limiter.hit(_ALARM_EVERY, _scope(_ALARM), "all"):
        _raise_alarm(str(surge[0]))


def _raise_alarm(limit: str) -> None:
    """Write the surge alarm in a transaction of its own (the request's is finished)."""
    try:
        db.session.rollback()
        audit.record(None, SURGE_ACTION, "site", None, limit=limit)
        db.session.commit()
    except Exception:  # the alarm must never fail the respondent's request
        db.session.rollback()
        log.exception("could not record the code-guessing alarm")
    log.warning("code-guessing surge: more failed code entries than %s over the whole site", limit)


def guarded(admitted=lambda: False):
    """Refuse code entries from an address that must wait; count its failures after.

    `admitted()` says the request proves its code was already accepted (a ballot page's
    signed field), which no waiting refuses. An address inside a venue whose window is
    open never waits.
    """

    def decorate(view):
        @functools.wraps(view)
        def guarded_view(*args, **kwargs):
            if _active():
                _refuse_if_waiting(admitted)
            return view(*args, **kwargs)

        return guarded_view

    return decorate


def _refuse_if_waiting(admitted) -> None:
    venue = _safely(venues.active_venue_for, request.remote_addr, datetime.now(UTC))
    g.code_guard_venue = venue
    g.code_guard_key = address_key(request.remote_addr) if venue is None else _venue_address_key(venue)
    if admitted():
        return
    wait = _safely(seconds_to_wait, g.code_guard_key, default=0)
    if wait and venue is not None:
        g.code_guard_only_survey = venue.survey_id  # the hall's own codes are still taken
    elif wait:
        g.code_guard_wait = wait
        abort(429, description=_("输错的次数太多，请 %(minutes)d 分钟后再试，或向现场工作人员求助",
                                 minutes=max(1, round(wait / 60))))


def _venue_address_key(venue: venues.VenueWindow) -> str:
    """The budget an address spends inside a venue during its window."""
    return f"{venue.counter_key}/{address_key(request.remote_addr)}"


def only_survey() -> int | None:
    """The one survey whose codes this request may open (an address waiting inside a
    venue), or None for any survey."""
    return g.get("code_guard_only_survey")


def after_request(response):
    """Count a failed entry (an unknown code) and tell a waiting address how long."""
    key = g.pop("code_guard_key", None)
    venue = g.pop("code_guard_venue", None)
    if key is None:
        return response
    wait = g.pop("code_guard_wait", None)
    if wait:
        response.headers["Retry-After"] = str(wait)
    elif response.status_code == 404 and venue is not None:
        _safely(record_failure, key)
        _safely(record_venue_failure, venue)
    elif response.status_code == 404:
        _safely(record_failure, key)
    return response


def _safely(action, *args, default=None):
    """Run a storage operation (or the venue lookup); on a fault, log it and go on as if it
    found nothing: no wait, no venue, no count."""
    try:
        return action(*args)
    except Exception:
        log.exception("code guard: %s failed; the code entry goes on", getattr(action, "__name__", "a step"))
        return default

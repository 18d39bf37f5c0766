"""Venue networks (现场测评会场网络): declare, remove, list, and ask whether an address is in
a hall whose on-site vote is under way.

At an on-site evaluation (民主测评大会) the whole hall shares one NAT address, so nothing
can tell a hostile attendee's bad codes from everyone else's: the organizers, who know
when and where the meeting is, declare the hall's network and the meeting's window, and
during that window blueprints/code_guard.py never makes the address wait (it counts the
hall's failures for the staff in the room instead). The windows bound what a guesser in
the hall can do: at most 24 hours, never in the past, and networks no broader than an
IPv4 /24 or an IPv6 /48 (docs/operations.md, "Code guessing", has the arithmetic).

A venue describes the hall, not a respondent: no respondent's address is stored.
"""

import ipaddress
import threading
import time
import weakref
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select

from survey_app.errors import ValidationFailed
from survey_app.extensions import db
from survey_app.models import Survey, User, VenueNetwork
from survey_app.services.platform import audit
from survey_app.timezones import utc_to_local

#: The broadest networks a venue may name: a hall's NAT is one address, a hall's own
#: subnet at most a /24; an IPv6 site is one /48 (broader would open whole providers).
MIN_PREFIX = {4: 24, 6: 48}
MAX_WINDOW = timedelta(hours=24)
#: Venues not yet ended per survey: a hall or two per meeting, a few meetings ahead.
MAX_OPEN_PER_SURVEY = 20
#: How long a worker uses its list of venues before reading it again (see `_windows`).
REFRESH_SECONDS = 30


@dataclass(frozen=True)
class VenueWindow:
    """A venue as the code guard sees it: plain values, safe to share between threads."""

    id: int
    survey_id: int
    label: str
    network: ipaddress.IPv4Network | ipaddress.IPv6Network
    starts_at: datetime
    ends_at: datetime

    def is_open(self, now: datetime) -> bool:
        return self.starts_at <= now < self.ends_at

    @property
    def counter_key(self) -> str:
        """Names this venue's window in the failure counter (ids may be reused on SQLite)."""
        return f"{self.id}@{int(self.starts_at.timestamp())}"


def _aware(value: datetime) -> datetime:
    """A stored time as aware UTC (SQLite hands back naive UTC)."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def parse_network(text: str) -> str:
    """Return the normalised network of an address or CIDR, or raise ValidationFailed."""
    try:
        network = ipaddress.ip_network((text or "").strip(), strict=False)
    except ValueError:
        raise ValidationFailed(_("“%(value)s”不是有效的 IP 地址或网段，例如 203.0.113.7 或 203.0.113.0/24",
                                 value=(text or "").strip()[:64])) from None
    if network.version == 6 and network.network_address.ipv4_mapped and network.prefixlen >= 96:
        network = ipaddress.ip_network(f"{network.network_address.ipv4_mapped}/{network.prefixlen - 96}")
    if network.prefixlen < MIN_PREFIX[network.version]:
        raise ValidationFailed(_("网段太大：IPv4 最大 /24，IPv6 最大 /48。请只填写会场自己的出口地址或网段"))
    return str(network)


def _check_window(starts_at: datetime, ends_at: datetime, now: datetime) -> None:
    if ends_at <= starts_at:
        raise ValidationFailed(_("结束时间必须晚于开始时间"))
    if ends_at - starts_at > MAX_WINDOW:
        raise ValidationFailed(_("现场测评时段最长 24 小时，请按会议的实际时间填写"))
    if ends_at <= now:
        raise ValidationFailed(_("结束时间已经过去，请填写正在进行或即将举行的测评时段"))


def _window_text(starts_at: datetime, ends_at: datetime) -> str:
    start, end = utc_to_local(starts_at), utc_to_local(ends_at)
    end_format = "%H:%M" if end.date() == start.date() else "%Y-%m-%d %H:%M"
    return f"{start:%Y-%m-%d %H:%M} – {end.strftime(end_format)}"


def add_venue(survey: Survey, data: dict, actor: User | None, now: datetime) -> VenueNetwork:
    """Declare a hall's network for the window [starts_at, ends_at) (aware UTC times)."""
    label = (data.get("label") or "").strip()
    if not label:
        raise ValidationFailed(_("请填写会场名称"))
    network = parse_network(data.get("network") or "")
    starts_at, ends_at = data["starts_at"], data["ends_at"]
    _check_window(starts_at, ends_at, now)
    open_ones = db.session.scalar(select(func.count()).select_from(VenueNetwork).where(
        VenueNetwork.survey_id == survey.id, VenueNetwork.ends_at > now))
    if open_ones >= MAX_OPEN_PER_SURVEY:
        raise ValidationFailed(_("这个评议活动未结束的会场网络已有 %(n)d 个，请先删除不再使用的", n=open_ones))
    venue = VenueNetwork(survey_id=survey.id, label=label[:100], network=network, starts_at=starts_at,
                         ends_at=ends_at, created_by_id=actor.id if actor else None)
    db.session.add(venue)
    db.session.flush()
    audit.record(actor, "codes.venue_add", "survey", survey.id, label=venue.label, network=network,
                 window=_window_text(starts_at, ends_at))
    return venue


def remove_venue(venue: VenueNetwork, actor: User | None) -> None:
    """Remove a venue: its address is limited like any other again (within REFRESH_SECONDS)."""
    audit.record(actor, "codes.venue_remove", "survey", venue.survey_id, label=venue.label,
                 network=venue.network, window=_window_text(_aware(venue.starts_at), _aware(venue.ends_at)))
    db.session.delete(venue)
    db.session.flush()


def list_venues(survey: Survey) -> list[VenueWindow]:
    """The survey's venues, latest window first."""
    rows = db.session.scalars(select(VenueNetwork).where(VenueNetwork.survey_id == survey.id)
                              .order_by(VenueNetwork.starts_at.desc(), VenueNetwork.id.desc()))
    return [_window_of(row) for row in rows]


def _window_of(row) -> VenueWindow:
    return VenueWindow(id=row.id, survey_id=row.survey_id, label=row.label,
                       network=ipaddress.ip_network(row.network), starts_at=_aware(row.starts_at),
                       ends_at=_aware(row.ends_at))


# ---- the code guard's question -----------------------------------------------------------------
# Asked on every code entry before the code is looked up, so it must cost next to nothing:
# each worker keeps the venues not yet ended (a handful) per database engine and reads them
# again every REFRESH_SECONDS. A venue added or removed in another worker therefore takes
# effect there within 30 s (the worker that made the change forgets its list at once); a
# window's own start and end are compared with the clock on every request, exactly.

_CACHE: "weakref.WeakKeyDictionary[object, tuple[float, tuple[VenueWindow, ...]]]" = weakref.WeakKeyDictionary()
_CACHE_LOCK = threading.Lock()


def _windows(now: datetime) -> tuple[VenueWindow, ...]:
    engine = db.engine
    cached = _CACHE.get(engine)
    if cached is not None and time.monotonic() - cached[0] < REFRESH_SECONDS:
        return cached[1]
    # A connection of its own: the request's session and transaction are left untouched.
    columns = (VenueNetwork.id, VenueNetwork.survey_id, VenueNetwork.label, VenueNetwork.network,
               VenueNetwork.starts_at, VenueNetwork.ends_at)
    with engine.connect() as connection:
        rows = connection.execute(select(*columns).where(VenueNetwork.ends_at > now.astimezone(UTC))).all()
    windows = tuple(_window_of(row) for row in rows)
    with _CACHE_LOCK:
        _CACHE[engine] = (time.monotonic(), windows)
    return windows


def forget_cached() -> None:
    """Drop every worker-local list of venues (after a change, so it applies at once here)."""
    with _CACHE_LOCK:
        _CACHE.clear()


def active_venue_for(address: str | None, now: datetime) -> VenueWindow | None:
    """The venue whose network holds `address` and whose window is open at `now`, if any."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return None
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    for window in _windows(now):
        if window.network.version == ip.version and ip in window.network and window.is_open(now):
            return window
    return None

"""Local time for people, UTC in the database.

Forms show and take naive local times (the city's zone, BABEL_DEFAULT_TIMEZONE); the
database stores UTC. SQLite hands back naive datetimes: they are UTC.
"""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

LOCAL_ZONE = ZoneInfo("Asia/Shanghai")


def local_to_utc(value: datetime | None) -> datetime | None:
    """Read a naive form value as local time and return it in UTC."""
    if value is None:
        return None
    aware = value if value.tzinfo else value.replace(tzinfo=LOCAL_ZONE)
    return aware.astimezone(UTC)


def utc_to_local(value: datetime | None) -> datetime | None:
    """Return a stored (UTC, possibly naive) time as a naive local time for a form."""
    if value is None:
        return None
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(LOCAL_ZONE).replace(tzinfo=None)

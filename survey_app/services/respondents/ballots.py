"""Submitting ballots: one code, one ballot, stored whole or not at all.

The code is burned by ONE conditional UPDATE (status issued → used) whose row count says
whether this request won the code, in the same transaction as the ballot's INSERTs; the
view commits once. Under any concurrency a code therefore yields at most one ballot: on
PostgreSQL the second UPDATE waits for the first's row lock and then matches no row; on
SQLite writers are serialised and the UPDATE is the transaction's first write. A request
that loses the race, or a retry after a lost reply, is told "already stored" when it
carries the idempotency key that burned the code, and "code used" otherwise.

The ballot row names no code: nothing links the two but this transaction (docs/anonymity.md
explains what that leaves, and `sealing.seal_survey` removes). The rows a ballot writes and
how they are inserted are in `ballot_store`.
"""

import enum
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import bindparam, select
from sqlalchemy.dialects import postgresql, sqlite

from survey_app.errors import DomainError
from survey_app.extensions import db
from survey_app.models import (
    AccessCode,
    CodeStatus,
    OpenLink,
    OpenReceipt,
    RespondentGroup,
    Survey,
    SurveyStatus,
)
from survey_app.services.platform import audit
from survey_app.services.respondents import ballot_store, codes
from survey_app.services.respondents.ballot_rules import (
    BallotInvalid,
    BallotStructure,
    CheckedBallot,
    ballot_structure,
    check_ballot,
    published_rules,
)

_IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9_\-]{16,64}$")


#: HTTP status of each refusal reason.
REFUSAL_STATUS = {
    "unknown_code": 404,
    "void_code": 410,
    "used_code": 409,
    "not_open": 403,
    "closed": 410,
    "link_inactive": 404,
    "already_voted": 409,
}


class BallotRefused(DomainError):
    """A code, link or survey that cannot take a ballot; `reason` picks page and status."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason

    @property
    def status(self) -> int:
        return REFUSAL_STATUS[self.reason]


class Outcome(enum.Enum):
    STORED = "stored"
    ALREADY_STORED = "already_stored"  # a retry or double tap: nothing stored twice


@dataclass(frozen=True)
class Submission:
    """What the respondent is told after submitting."""

    outcome: Outcome
    survey_id: int


@dataclass(frozen=True)
class LiveBallot:
    """Where a live code or open link leads: an open survey's group (no structure loaded)."""

    survey_id: int
    survey_created_at: datetime
    group_id: int


@dataclass(frozen=True)
class LiveCode:
    """A code that can still take a ballot, in its canonical form."""

    code: str
    ballot: LiveBallot


@dataclass(frozen=True)
class CodeContext:
    """A live code with the ballot it opens."""

    code: str
    structure: BallotStructure


# ---- time -------------------------------------------------------------------------------


def as_utc(moment: datetime) -> datetime:
    """Return a stored time as an aware UTC time (simulation reads survey windows so too)."""
    # SQLite returns naive datetimes; every stored time is UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def local_day(now: datetime) -> date:
    """Return the day of `now` where the survey takes place (only days are stored)."""
    zone = ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Asia/Shanghai"))
    return as_utc(now).astimezone(zone).date()


def ensure_open(survey: Survey, now: datetime) -> None:
    """Raise BallotRefused unless the survey takes ballots at `now`."""
    _ensure_open(survey.status, survey.opens_at, survey.closes_at, now)


def _ensure_open(status: SurveyStatus, opens_at: datetime | None, closes_at: datetime | None, now: datetime) -> None:
    if status in (SurveyStatus.CLOSED, SurveyStatus.ARCHIVED) or (closes_at and as_utc(closes_at) <= as_utc(now)):
        raise BallotRefused("closed", _("本次评议已经结束，感谢您的关注"))
    if status is not SurveyStatus.PUBLISHED or (opens_at and as_utc(opens_at) > as_utc(now)):
        raise BallotRefused("not_open", _("本次评议尚未开始，请在开始后再打开"))


# ---- codes ------------------------------------------------------------------------------

_UNKNOWN = "unknown_code"


def _refuse_unknown() -> BallotRefused:
    return BallotRefused(_UNKNOWN, _("评议码无效，请核对后重新输入"))


def _refuse_used() -> BallotRefused:
    return BallotRefused(
        "used_code",
        _("这个评议码已经提交过答卷，不能再次提交"),
    )


def _refuse_void() -> BallotRefused:
    return BallotRefused("void_code", _("这个评议码已作废，请向工作人员领取新的评议码"))


def _require_issued(row, only_survey: int | None = None) -> None:
    """Raise the refusal for a code that is unknown (no row), used or void; a code of
    another survey than `only_survey` (when given) is refused as unknown, word for word."""
    if row is None or (only_survey is not None and row.survey_id != only_survey):
        raise _refuse_unknown()
    if row.status is CodeStatus.USED:
        raise _refuse_used()
    if row.status is CodeStatus.VOID:
        raise _refuse_void()


def _code_row(code_hash: str):
    return db.session.execute(
        select(
            AccessCode.status, AccessCode.survey_id, AccessCode.group_id, AccessCode.idempotency_hash
        ).where(AccessCode.code_hash == code_hash)
    ).one_or_none()


_CODES = AccessCode.__table__
_SURVEYS = Survey.__table__
#: The code with what submitting needs of its survey, in one query (Core: the ORM's
#: statement handling costs more than this indexed lookup).
_CODE_AND_SURVEY = (
    select(
        _CODES.c.status,
        _CODES.c.survey_id,
        _CODES.c.group_id,
        _CODES.c.idempotency_hash,
        _SURVEYS.c.status.label("survey_status"),
        _SURVEYS.c.opens_at,
        _SURVEYS.c.closes_at,
        _SURVEYS.c.created_at,
    )
    .join(_SURVEYS, _SURVEYS.c.id == _CODES.c.survey_id)
    .where(_CODES.c.code_hash == bindparam("hash"))
)


def _canonical(typed: str) -> tuple[str, str]:
    code = codes.normalize_code(typed)
    if code is None:
        raise _refuse_unknown()
    return code, codes.code_hash(code)


def find_live_code(typed: str, now: datetime, only_survey: int | None = None) -> LiveCode:
    """Return where a live code leads, or raise BallotRefused (unknown, void, used, closed).

    One query (the code with its survey's state), as a submission reads it. With
    `only_survey` (an address waiting inside a venue: blueprints/code_guard.py) any other
    survey's code is refused as unknown.
    """
    code, code_hash = _canonical(typed)
    row = db.session.connection().execute(_CODE_AND_SURVEY, {"hash": code_hash}).one_or_none()
    _require_issued(row, only_survey)
    _ensure_open(row.survey_status, row.opens_at, row.closes_at, now)
    return LiveCode(code, LiveBallot(row.survey_id, row.created_at, row.group_id))


def page_version(ballot: LiveBallot) -> tuple:
    """What a fresh page of this ballot depends on, as a cache key.

    The survey (its id with its creation time, so a reused id never matches) and group,
    whose structure is locked once published, and the survey's wording, which changes
    only by an audited edit: its last audit entry names it.
    """
    return (ballot.survey_id, ballot.survey_created_at, ballot.group_id, audit.last_change("survey", ballot.survey_id))


def structure_of(ballot: LiveBallot) -> BallotStructure:
    """Load what the ballot's group is asked."""
    return ballot_structure(db.session.get(Survey, ballot.survey_id), db.session.get(RespondentGroup, ballot.group_id))


def open_code(typed: str, now: datetime, only_survey: int | None = None) -> CodeContext:
    """Return what a live code opens, or raise BallotRefused (unknown, void, used, closed)."""
    live = find_live_code(typed, now, only_survey)
    return CodeContext(live.code, structure_of(live.ballot))


def _idempotency_hash(key: str | None, purpose: str) -> str:
    if not key or not _IDEMPOTENCY_KEY.match(key):
        raise BallotInvalid({"idempotency_key": _("提交编号缺失或无效，请刷新页面后重新提交")})
    return codes.keyed_hash(key, purpose)


_BURN = (
    _CODES.update()
    .where(_CODES.c.code_hash == bindparam("hash"), _CODES.c.status == CodeStatus.ISSUED)
    .values(status=CodeStatus.USED, used_on=bindparam("day"), idempotency_hash=bindparam("key"))
)


def _burn(code_hash: str, idempotency_hash: str, day: date) -> bool:
    """Mark the code used if it is still unused; return whether this call did it.

    A Core statement on the session's connection (same transaction): the ORM's bulk
    UPDATE path costs more than the statement itself.
    """
    burned = db.session.connection().execute(_BURN, {"hash": code_hash, "day": day, "key": idempotency_hash})
    return burned.rowcount == 1


def _after_lost_race(code_hash: str, idempotency_hash: str, survey_id: int) -> Submission:
    """Explain a burn that matched no row: our own earlier success, or someone else's."""
    row = _code_row(code_hash)
    if row.status is CodeStatus.USED and row.idempotency_hash == idempotency_hash:
        return Submission(Outcome.ALREADY_STORED, survey_id)
    raise _refuse_void() if row.status is CodeStatus.VOID else _refuse_used()


def _check_published(
    survey_id: int, created_at: datetime, group_id: int, values: Mapping[str, Sequence[str]]
) -> CheckedBallot:
    """Check a ballot of a published survey against its cached rules.

    A refusal is worked out again on the current structure: its messages may quote
    wording (a dimension's name), which can still change after publication.
    """

    def structure() -> BallotStructure:
        return ballot_structure(db.session.get(Survey, survey_id), db.session.get(RespondentGroup, group_id))

    try:
        return check_ballot(published_rules(survey_id, created_at, group_id, structure), values)
    except BallotInvalid:
        return check_ballot(structure(), values)


def submit_with_code(
    typed: str,
    values: Mapping[str, Sequence[str]],
    idempotency_key: str | None,
    now: datetime,
    duration_seconds: int | None = None,
    only_survey: int | None = None,
) -> Submission:
    """Burn the code and store its ballot in the current transaction.

    Raises BallotRefused (unknown, void, used code; survey not open) or BallotInvalid (with
    every problem keyed by answer); in both cases nothing was written.

    The hot path of a hall full of phones: one query reads the code and its survey's
    state, the ballot is checked against rules compiled once per worker
    (`ballot_rules.published_rules`), and everything to insert is built before the
    transaction's first write, so the write lock (SQLite) or the code's row lock
    (PostgreSQL) is held only while the statements run.
    """
    _code, code_hash = _canonical(typed)
    idempotency_hash = _idempotency_hash(idempotency_key, "code-ballot")
    row = db.session.connection().execute(_CODE_AND_SURVEY, {"hash": code_hash}).one_or_none()
    if only_survey is not None and row is not None and row.survey_id != only_survey:
        raise _refuse_unknown()
    if row is not None and row.status is CodeStatus.USED and row.idempotency_hash == idempotency_hash:
        return Submission(Outcome.ALREADY_STORED, row.survey_id)  # a retry of our own success
    _require_issued(row)
    _ensure_open(row.survey_status, row.opens_at, row.closes_at, now)
    checked = _check_published(row.survey_id, row.created_at, row.group_id, values)
    day = local_day(now)
    rows = ballot_store.ballot_rows(row.survey_id, row.group_id, checked, day, is_open_link=False,
                        duration_seconds=duration_seconds)
    # The burn is the transaction's first write: SQLite then takes the write lock on a
    # fresh snapshot, and PostgreSQL serialises on the code's row.
    if not _burn(code_hash, idempotency_hash, day):
        return _after_lost_race(code_hash, idempotency_hash, row.survey_id)
    ballot_store.insert_ballot(rows)
    return Submission(Outcome.STORED, row.survey_id)


# ---- open links -------------------------------------------------------------------------


def _active_link(token: str) -> OpenLink:
    link = codes.find_open_link(token) if token else None
    if link is None or not link.is_active:
        raise BallotRefused("link_inactive", _("这个评议链接无效或已停用"))
    return link


def find_live_link(token: str, now: datetime) -> LiveBallot:
    """Return where an active open link leads, or raise BallotRefused (inactive, closed)."""
    link = _active_link(token)
    survey = db.session.get(Survey, link.survey_id)
    ensure_open(survey, now)
    return LiveBallot(survey.id, survey.created_at, link.group_id)


def open_link(token: str, now: datetime) -> BallotStructure:
    """Return the ballot of an active open link, or raise BallotRefused."""
    return structure_of(find_live_link(token, now))


def _insert_receipt(link: OpenLink, idempotency_hash: str, day: date) -> bool:
    """Record the idempotency key unless already recorded; return whether this call did it."""
    dialect = db.session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    statement = (
        module.insert(OpenReceipt)
        .values(idempotency_hash=idempotency_hash, open_link_id=link.id, received_on=day)
        .on_conflict_do_nothing(index_elements=["idempotency_hash"])
        # SQLAlchemy keeps an INSERT's row count only when asked (UPDATE's always).
        .execution_options(preserve_rowcount=True)
    )
    return db.session.execute(statement).rowcount == 1


def submit_open(
    token: str,
    values: Mapping[str, Sequence[str]],
    idempotency_key: str | None,
    now: datetime,
    duration_seconds: int | None = None,
    quality_flag: str | None = None,
) -> Submission:
    """Store an open-link ballot (marked as such); a repeated idempotency key stores nothing."""
    idempotency_hash = _idempotency_hash(idempotency_key, "open-ballot")
    link = _active_link(token)
    survey = db.session.get(Survey, link.survey_id)
    ensure_open(survey, now)
    checked = _check_published(survey.id, survey.created_at, link.group_id, values)
    day = local_day(now)
    rows = ballot_store.ballot_rows(survey.id, link.group_id, checked, day, is_open_link=True,
                        duration_seconds=duration_seconds, quality_flag=quality_flag)
    if not _insert_receipt(link, idempotency_hash, day):
        return Submission(Outcome.ALREADY_STORED, link.survey_id)
    ballot_store.insert_ballot(rows)
    return Submission(Outcome.STORED, link.survey_id)

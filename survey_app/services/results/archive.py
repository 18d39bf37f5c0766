"""Archive checksum: a SHA-256 over the canonical form of a survey's ballots, recorded when
the survey is archived, shown on the results page and in the exports, and recomputed on
request to tell whether any ballot changed since.

The canonical form (docs/operations.md, "Archive checksum") is built from what the ballots
say, never from how they are stored: rows and ballots are sorted, ballot ids and database
row order play no part, so SQLite and PostgreSQL give the same digest for the same ballots.
It has two parts:

- the *CSV part*: the counted ballots exactly as the anonymous CSV export shows them
  (`exports.raw_ballots_csv`), so an auditor can recompute it from that file alone;
- the *full part*: every ballot, counted and excluded, with all its ratings at full
  precision, its answers and comments, behind a random salt stored with the survey, so
  what no export shows (groups below their minimum size, excluded ballots, free text)
  cannot be guessed from a published digest.

archive_sha256 = SHA-256("pingyi-archive-v1\\ncsv <CSV part>\\nfull <full part>\\n").
"""

import hashlib
import json
import secrets
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from flask_babel import gettext as _
from sqlalchemy import select

from survey_app.errors import DomainError
from survey_app.extensions import db
from survey_app.models import Answer, Ballot, Rating, SubjectComment, Survey, SurveyStatus, User
from survey_app.services.platform import audit
from survey_app.services.platform.sheets import safe_text
from survey_app.services.respondents import rating_pack

ALGORITHM = "pingyi-archive-v1"


@dataclass(frozen=True, slots=True)
class ArchiveDigest:
    """The checksum and the two parts it is made of (hex SHA-256 each)."""

    archive_sha256: str
    csv_sha256: str
    full_sha256: str


@dataclass(frozen=True, slots=True)
class Verification:
    recorded: str
    current: ArchiveDigest
    #: Ballots whose packed copy (what the results read) differs from their rows.
    inconsistent_ballots: int = 0

    @property
    def is_match(self) -> bool:
        return self.recorded == self.current.archive_sha256 and not self.inconsistent_ballots


@dataclass(frozen=True, slots=True)
class ArchiveSeal:
    """What the results page and the exports show of an archived survey."""

    sha256: str
    archived_at: datetime


# ---- the canonical form (docs/operations.md, "Archive checksum") -----------------------------


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _json(value: object) -> str:
    """Compact JSON, non-ASCII as is: ["上级","C1","服务意识","优秀","100"]."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _array(items: Iterable[str]) -> str:
    """A JSON array of already-encoded items, sorted by their text (code point order)."""
    return "[" + ",".join(sorted(items)) + "]"


def _lines(lines: Iterable[str]) -> str:
    return "".join(line + "\n" for line in sorted(lines))


def combine(csv_sha256: str, full_sha256: str) -> str:
    """Return the archive checksum made of the two parts."""
    return _sha256(f"{ALGORITHM}\ncsv {csv_sha256}\nfull {full_sha256}\n")


def _number(value: float | None) -> str:
    """Full precision (the shortest text that reads back as the same double), "" for none."""
    return "" if value is None else repr(float(value))


# ---- reading the ballots --------------------------------------------------------------------


def _rows(statement) -> list[tuple]:
    """Plain DBAPI tuples: a million ratings through Row objects would take seconds."""
    db.session.flush()
    result = db.session.connection().execute(statement)
    try:
        return result.cursor.fetchall()
    finally:
        result.close()


def _reportable_pairs(survey: Survey) -> set[tuple[int, int]]:
    """(group id, subject id) pairs the anonymous CSV export shows, as it decides them."""
    from survey_app.services.results import reports

    report = reports.survey_report(survey, with_history=False)
    return {
        (group.id, row.subject_id)
        for row in report.subjects
        for group, group_row in zip(survey.groups, row.groups, strict=True)
        if group_row.is_reportable
    }


def _rating_texts(survey: Survey):
    """Return a function (group, subject, dimension, option, score ids/values) → (the row as
    the CSV shows it, or None where the CSV leaves it out; the row in the full part)."""
    reportable = _reportable_pairs(survey)
    groups = {g.id: g for g in survey.groups}
    subjects = {s.id: s for s in survey.subjects}
    dimensions = {d.id: (str(i), d.name) for i, d in enumerate(survey.dimensions, 1)}
    options = {o.id: (str(i), o.label) for i, o in enumerate(survey.scale_options, 1)}

    def texts(group_id, subject_id, dimension_id, option_id, score) -> tuple[str | None, str]:
        dimension, option = dimensions[dimension_id], options.get(option_id, ("", ""))
        shown = None
        if (group_id, subject_id) in reportable:
            shown = _json([safe_text(groups[group_id].name), safe_text(subjects[subject_id].key),
                           safe_text(dimension[1]), safe_text(option[1]), "" if score is None else f"{score:g}"])
        return shown, _json([subjects[subject_id].key, dimension[0], option[0], _number(score)])

    return texts


def _extras(survey: Survey) -> dict[str, tuple[list[str], list[str]]]:
    """Each ballot's answers and comments, as full-part items."""
    question = {q.id: str(i) for i, q in enumerate(survey.questions, 1)}
    subject = {s.id: s.key for s in survey.subjects}
    extras: dict[str, tuple[list[str], list[str]]] = defaultdict(lambda: ([], []))
    ballot_ids = select(Ballot.id).where(Ballot.survey_id == survey.id).scalar_subquery()
    for ballot_id, question_id, text, number in _rows(
        select(Answer.ballot_id, Answer.question_id, Answer.value_text, Answer.value_number)
        .where(Answer.ballot_id.in_(ballot_ids))
    ):
        extras[ballot_id][0].append(_json([question[question_id], text or "", _number(number)]))
    for ballot_id, subject_id, text in _rows(
        select(SubjectComment.ballot_id, SubjectComment.subject_id, SubjectComment.text)
        .where(SubjectComment.ballot_id.in_(ballot_ids))
    ):
        extras[ballot_id][1].append(_json([subject[subject_id], text]))
    return extras


def _rating_rows(survey: Survey) -> list[tuple]:
    """(ballot id, group id, subject id, dimension id, option id, score) of every rating."""
    return _rows(
        select(Rating.ballot_id, Ballot.group_id, Rating.subject_id, Rating.dimension_id, Rating.option_id,
               Rating.score)
        .join(Ballot, Ballot.id == Rating.ballot_id)
        .where(Ballot.survey_id == survey.id)
    )


def compute(survey: Survey, salt: str, ratings: list[tuple] | None = None) -> ArchiveDigest:
    """Compute the checksum of the survey's ballots as they are now (`ratings`: the
    survey's `_rating_rows`, when the caller has read them already)."""
    ballots = _rows(select(Ballot.id, Ballot.group_id, Ballot.is_excluded).where(Ballot.survey_id == survey.id))
    if ratings is None:
        ratings = _rating_rows(survey)
    excluded = {ballot_id for ballot_id, _group, is_excluded in ballots if is_excluded}
    texts, memo = _rating_texts(survey), {}
    shown: dict[str, list[str]] = defaultdict(list)
    held: dict[str, list[str]] = defaultdict(list)
    for row in ratings:  # a million rows: a few distinct texts, each built once
        key = row[1:]
        pair = memo.get(key)
        if pair is None:
            pair = memo[key] = texts(*key)
        held[row[0]].append(pair[1])
        if pair[0] is not None and row[0] not in excluded:
            shown[row[0]].append(pair[0])
    csv_part = _sha256(_lines(_array(rows) for rows in shown.values()))

    group_key = {g.id: g.key for g in survey.groups}
    extras = _extras(survey)
    full_lines = (
        "[" + ",".join((_json("excluded" if is_excluded else "counted"), _json(group_key[group_id]),
                        _array(held.get(ballot_id, ())), _array(extras[ballot_id][0]),
                        _array(extras[ballot_id][1]))) + "]"
        for ballot_id, group_id, is_excluded in ballots
    )
    full_part = _sha256(f"salt {salt}\n" + _lines(full_lines))
    return ArchiveDigest(combine(csv_part, full_part), csv_part, full_part)


# ---- the lifecycle hook, verification, display -------------------------------------------------


def record_checksum(survey: Survey, now: datetime, actor: User | None = None) -> str:
    """Compute and store the checksum of a survey being archived; return it."""
    if survey.status is not SurveyStatus.ARCHIVED:
        raise DomainError(_("只有已归档的评议才有归档校验值"))
    survey.archive_salt = secrets.token_hex(16)
    survey.archive_sha256 = compute(survey, survey.archive_salt).archive_sha256
    survey.archived_at = now
    audit.record(actor, "survey.archive_checksum", "survey", survey.id, sha256=survey.archive_sha256)
    return survey.archive_sha256


def _require_checksum(survey: Survey) -> tuple[str, str]:
    if not survey.archive_sha256 or not survey.archive_salt:
        raise DomainError(_("该评议没有归档校验值（尚未归档，或在启用校验之前归档）"))
    return survey.archive_sha256, survey.archive_salt


def _inconsistent_packs(survey: Survey, ratings: list[tuple]) -> int:
    """Count the ballots whose packed ratings (services/respondents/rating_pack.py, what the results
    read) differ from their `ratings` rows (what the checksum covers): a change to either
    alone is a change the checksum must not miss."""
    rows: dict[str, list[tuple]] = defaultdict(list)
    for ballot_id, _group_id, *rating in ratings:
        rows[ballot_id].append(tuple(rating))
    packs = _rows(select(Ballot.id, Ballot.ratings_packed).where(Ballot.survey_id == survey.id))
    return sum(
        1 for ballot_id, packed in packs
        if packed is not None and sorted(rating_pack.ratings_of(packed)) != sorted(rows.get(ballot_id, ()))
    )


def verify(survey: Survey, actor: User | None) -> Verification:
    """Recompute the checksum, compare it with the recorded one and check the packed
    ratings against the rows; audit-log the outcome."""
    recorded, salt = _require_checksum(survey)
    ratings = _rating_rows(survey)  # a million rows: read once for both checks
    result = Verification(recorded, compute(survey, salt, ratings), _inconsistent_packs(survey, ratings))
    audit.record(actor, "survey.verify_archive", "survey", survey.id,
                 result="match" if result.is_match else "mismatch", recorded=recorded,
                 current=result.current.archive_sha256, inconsistent_ballots=result.inconsistent_ballots)
    return result


def seal_of(survey: Survey, tz: tzinfo = UTC) -> ArchiveSeal | None:
    """Return what the pages and exports show of the checksum (time in `tz`), or None."""
    if not survey.archive_sha256 or survey.archived_at is None:
        return None
    archived_at = survey.archived_at
    if archived_at.tzinfo is None:  # SQLite returns naive datetimes; they are UTC
        archived_at = archived_at.replace(tzinfo=UTC)
    return ArchiveSeal(survey.archive_sha256, archived_at.astimezone(tz))


def manifest(survey: Survey) -> str:
    """Return the plain-text checksum sheet that goes with the anonymous CSV export.

    It gives the recorded checksum and both parts as they are now, so an auditor holding
    the CSV can check: the CSV's canonical form hashes to `csv_sha256`, and
    combine(csv_sha256, full_sha256) equals the recorded (printed) `archive_sha256`.
    """
    recorded, salt = _require_checksum(survey)
    seal = seal_of(survey)
    current = compute(survey, salt)
    lines = [
        f"# Pingyi archive checksum ({ALGORITHM}); how to recompute it: docs/operations.md",
        f"survey: {survey.id}",
        f"title: {' '.join(survey.title.split())}",
        f"archived_at: {seal.archived_at.isoformat() if seal else ''}",
        f"algorithm: {ALGORITHM}",
        f"archive_sha256: {recorded}",
        f"csv_sha256: {current.csv_sha256}",
        f"full_sha256: {current.full_sha256}",
        f"status: {'match' if current.archive_sha256 == recorded else 'MISMATCH'}",
    ]
    return "\n".join(lines) + "\n"

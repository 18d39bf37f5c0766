"""The counted ballots as analytics columns: the aggregate queries of the results.

One query reads a row per counted ballot with its packed ratings
(services/respondents/rating_pack.py); a survey with ballots stored without a packed copy
is read from its `ratings` rows instead, numbered and packed in SQL so a million answers
come back as two integer columns. Used by `reports` and `quality`.
"""

import itertools
from dataclasses import dataclass

import numpy as np
from sqlalchemy import BigInteger, case, cast, exists, func, select

import analytics
from survey_app.extensions import db
from survey_app.models import Ballot, Rating, RespondentGroup, Survey
from survey_app.services.respondents import rating_pack

#: Below this product of the packed fields' widths, ballot number × product stays under
#: 2**63 up to 8 million ballots; above it answers_from_ratings fetches one column per field.
_PACK_LIMIT = 2**40


@dataclass(frozen=True, slots=True)
class _IdField:
    """Packs one id column into a small integer: 0 for NULL or an id outside the survey,
    else id − low + 1; `positions[code]` gives the index analytics expects (-1 for 0)."""

    low: int
    width: int
    positions: np.ndarray

    @classmethod
    def of(cls, ordered_ids: list[int]) -> "_IdField":
        if not ordered_ids:
            return cls(0, 1, np.full(1, -1, dtype=np.int64))
        low, high = min(ordered_ids), max(ordered_ids)
        positions = np.full(high - low + 2, -1, dtype=np.int64)
        positions[np.asarray(ordered_ids, dtype=np.int64) - low + 1] = np.arange(len(ordered_ids))
        return cls(low, high - low + 2, positions)

    def positions_of(self, ids: np.ndarray) -> np.ndarray:
        """The analytics index of each id (-1 for an id outside the survey)."""
        codes = ids.astype(np.int64) - (self.low - 1)
        codes[(codes < 1) | (codes >= self.width)] = 0
        return self.positions[codes]

    def code(self, column):
        return case((column.between(self.low, self.low + self.width - 2), column - self.low + 1), else_=0)


def _counted_ballots(survey: Survey, group: _IdField):
    """Number the survey's counted ballots 1..B in id order (the ids are strings) and pack
    each number with the ballot's group code once per ballot rather than once per row."""
    n = func.row_number().over(order_by=Ballot.id)
    return (
        select(Ballot.id, Ballot.group_id, n.label("n"),
               (cast(n, BigInteger) * group.width + group.code(Ballot.group_id)).label("packed"))
        .where(Ballot.survey_id == survey.id, Ballot.is_excluded.is_(False))
        .cte("counted")
    )


def _raw_rows(statement) -> list[tuple]:
    """Run a statement and return the DBAPI's plain tuples (no Row objects: 1M rows matter)."""
    if db.session.autoflush:
        db.session.flush()  # as Session.execute would; the Core connection does not
    result = db.session.connection().execute(statement)
    try:
        return result.cursor.fetchall()
    finally:
        result.close()


def _columns(ballot_numbers: np.ndarray, subject, dimension, group, score, option) -> analytics.AnswerColumns:
    # Dense 0..B-1 in number order without a sort: ballots with no rows take no index.
    present = np.zeros(int(ballot_numbers.max()) + 1, dtype=bool)
    present[ballot_numbers] = True
    ballot_index = (np.cumsum(present) - 1)[ballot_numbers]
    return analytics.AnswerColumns(
        ballot=ballot_index.astype(np.int64),
        subject=subject, dimension=dimension, group=group, score=score, option=option,
    )


@dataclass(frozen=True, slots=True)
class CountedBallots:
    """The survey's counted ballots that have ratings, in id order: `facts[i]` (id,
    too fast?, quality flag, group name) describes analytics' ballot index i."""

    answers: analytics.AnswerColumns
    facts: list[tuple[str, bool, str | None, str]]


def load_counted(survey: Survey) -> CountedBallots:
    """Read the counted ballots as analytics columns, with their facts.

    One query reads each ballot's facts and its packed ratings (services/respondents/rating_pack.py):
    a row per ballot, not per answer. A survey with any counted ballot stored without a
    packed copy is read from its `ratings` rows instead, which give the same columns.
    """
    rows = _raw_rows(
        select(Ballot.id, Ballot.is_too_fast, Ballot.quality_flag, RespondentGroup.name,
               Ballot.group_id, Ballot.ratings_packed)
        .join(RespondentGroup, RespondentGroup.id == Ballot.group_id)
        .where(Ballot.survey_id == survey.id, Ballot.is_excluded.is_(False))
        .order_by(Ballot.id)
    )
    if any(row[5] is None for row in rows):
        return CountedBallots(answers_from_ratings(survey), counted_ballot_facts(survey))
    rated = [row for row in rows if row[5]]
    return CountedBallots(_answers_from_packed(survey, rated), [row[:4] for row in rated])


def _answers_from_packed(survey: Survey, rows: list[tuple]) -> analytics.AnswerColumns:
    records, counts = rating_pack.unpack(row[5] for row in rows)
    if not len(records):
        return analytics.AnswerColumns.empty()
    group, subject, dimension, option = _id_fields(survey)
    group_ids = np.fromiter((row[4] for row in rows), dtype=np.int64, count=len(rows))
    return analytics.AnswerColumns(
        ballot=np.repeat(np.arange(len(rows), dtype=np.int64), counts),
        subject=subject.positions_of(records["subject"]),
        dimension=dimension.positions_of(records["dimension"]),
        group=np.repeat(group.positions_of(group_ids), counts),
        score=records["score"].astype(np.float64),
        option=option.positions_of(records["option"]),
    )


def _id_fields(survey: Survey) -> tuple["_IdField", "_IdField", "_IdField", "_IdField"]:
    """Fields of the group, subject, dimension and option ids."""
    return (
        _IdField.of([g.id for g in survey.groups]),
        _IdField.of([s.id for s in survey.subjects]),
        _IdField.of([d.id for d in survey.dimensions]),
        _IdField.of([o.id for o in survey.scale_options]),
    )


def answers_from_ratings(survey: Survey) -> analytics.AnswerColumns:
    """Fetch every scored row of the survey's counted ballots from `ratings` (the fallback
    of load_counted) as analytics columns.

    For speed (a million answers), the query numbers the ballots and packs the ballot
    number and the group, subject, dimension and option ids into one integer per row,
    beside the score; numpy unpacks them. Ballot indices follow the ballots' id order.
    """
    group, *fields = _id_fields(survey)
    counted = _counted_ballots(survey, group)
    columns = (Rating.subject_id, Rating.dimension_id, Rating.option_id)
    joined = select().select_from(counted).join(Rating, Rating.ballot_id == counted.c.id)
    if int(np.prod([f.width for f in (group, *fields)], dtype=object)) >= _PACK_LIMIT:
        return _load_unpacked(joined, counted, group, fields, columns)
    packed = counted.c.packed
    for field, column in zip(fields, columns, strict=True):
        packed = packed * field.width + field.code(column)
    rows = _raw_rows(joined.add_columns(packed, Rating.score))
    if not rows:
        return analytics.AnswerColumns.empty()
    flat = np.fromiter(itertools.chain.from_iterable(rows), dtype=object, count=2 * len(rows))
    code, score = flat[0::2].astype(np.int64), flat[1::2].astype(np.float64)  # None → NaN (不了解)
    decoded = []
    for field in reversed((group, *fields)):
        code, part = np.divmod(code, field.width)
        decoded.append(field.positions[part])
    option, dimension, subject, group_index = decoded
    return _columns(code, subject, dimension, group_index, score, option)


def _load_unpacked(joined, counted, group: _IdField, fields, columns) -> analytics.AnswerColumns:
    """The same columns as answers_from_ratings, one column per field (ids too far apart to pack)."""
    codes = [field.code(column) for field, column in zip(fields, columns, strict=True)]
    rows = _raw_rows(joined.add_columns(counted.c.n, group.code(counted.c.group_id), *codes, Rating.score))
    if not rows:
        return analytics.AnswerColumns.empty()
    n, *parts, score = zip(*rows, strict=True)
    group_index, subject, dimension, option = (
        field.positions[np.asarray(values, dtype=np.int64)]
        for field, values in zip((group, *fields), parts, strict=True)
    )
    return _columns(np.asarray(n, dtype=np.int64), subject, dimension, group_index,
                    np.asarray(score, dtype=np.float64), option)


def counted_ballot_facts(survey: Survey) -> list[tuple[str, bool, str | None, str]]:
    """(id, too fast?, quality flag, group name) of the counted ballots that have ratings, in
    id order: position i is analytics' ballot index i (answers_from_ratings numbers them so)."""
    has_rows = exists().where(Rating.ballot_id == Ballot.id)
    return db.session.execute(
        select(Ballot.id, Ballot.is_too_fast, Ballot.quality_flag, RespondentGroup.name)
        .join(RespondentGroup, RespondentGroup.id == Ballot.group_id)
        .where(Ballot.survey_id == survey.id, Ballot.is_excluded.is_(False), has_rows)
        .order_by(Ballot.id)
    ).all()

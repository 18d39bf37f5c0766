"""Storing a checked ballot: the rows it writes (ballot, ratings, answers, comments), the
too-fast judgement, and the one-statement multi-row INSERTs that keep a submission fast
on SQLite and PostgreSQL. Called by `ballots` inside the submission's transaction.
"""

import functools
import secrets
from datetime import date
from itertools import chain

from sqlalchemy.dialects import postgresql

from survey_app.extensions import db
from survey_app.services.respondents import rating_pack
from survey_app.services.respondents.ballot_rules import CheckedBallot

MAX_DURATION = 24 * 3600
#: Too fast: under a second per answer (a rating needs its name and dimension read and a
#: tap), and under 10 s whatever the size. Judged at submission; only the flag is stored.
TOO_FAST_SECONDS_PER_ANSWER = 1.0
TOO_FAST_FLOOR_SECONDS = 10.0


def _new_id() -> str:
    return secrets.token_urlsafe(16)


_BALLOT_COLUMNS = ("id", "survey_id", "group_id", "submitted_on", "is_open_link", "respondent_name",
                   "is_too_fast", "quality_flag", "is_excluded", "ratings_packed")
_RATING_COLUMNS = ("ballot_id", "subject_id", "dimension_id", "option_id", "score")
_ANSWER_COLUMNS = ("id", "ballot_id", "question_id", "value_text", "value_number")
_COMMENT_COLUMNS = ("id", "ballot_id", "subject_id", "text")


def too_fast(duration_seconds: int | None, answered: int) -> bool:
    """Whether a ballot of `answered` answers was sent faster than it can be read.

    An unknown or impossible duration (no signed page, a clock jump) is not too fast.
    """
    if duration_seconds is None or not 0 <= duration_seconds <= MAX_DURATION:
        return False
    return duration_seconds < max(TOO_FAST_FLOOR_SECONDS, TOO_FAST_SECONDS_PER_ANSWER * answered)


def ballot_rows(
    survey_id: int,
    group_id: int,
    checked: CheckedBallot,
    day: date,
    *,
    is_open_link: bool,
    duration_seconds: int | None,
    quality_flag: str | None = None,
) -> list[tuple[str, tuple[str, ...], list[tuple]]]:
    """Return (table, columns, rows) of everything one ballot stores, ready to insert.

    The ballot id is random; nothing in these rows names a code, a link or a time of day.
    `respondent_name` is None unless the survey is named (the checks return no name for
    anonymous surveys, whatever was sent).
    """
    ballot_id = _new_id()
    hasty = too_fast(duration_seconds, len(checked.ratings) + len(checked.answers))
    # The day as ISO text: how SQLAlchemy stores a date on SQLite, and PostgreSQL reads it
    # as a date (psycopg sends text untyped); no driver-level date adapter involved.
    ballot = (ballot_id, survey_id, group_id, day.isoformat(), is_open_link, checked.respondent_name,
              hasty, quality_flag, False, rating_pack.pack(checked.ratings))
    return [
        ("ballots", _BALLOT_COLUMNS, [ballot]),
        ("ratings", _RATING_COLUMNS, [(ballot_id, *rating) for rating in checked.ratings]),
        ("answers", _ANSWER_COLUMNS, [(_new_id(), ballot_id, a.question_id, a.text, a.number)
                                      for a in checked.answers]),
        ("subject_comments", _COMMENT_COLUMNS, [(_new_id(), ballot_id, c.subject_id, c.text)
                                                for c in checked.comments]),
    ]


def insert_ballot(tables: list[tuple[str, tuple[str, ...], list[tuple]]]) -> None:
    for table, columns, rows in tables:
        _insert_rows(table, columns, rows)


@functools.lru_cache(maxsize=64)
def _values_sql(table: str, columns: tuple[str, ...], count: int, mark: str) -> str:
    row = "(" + ", ".join([mark] * len(columns)) + ")"
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES " + ", ".join([row] * count)


@functools.lru_cache(maxsize=64)
def _unnest_sql(table: str, columns: tuple[str, ...], constant: tuple[bool, ...]) -> str:
    dialect = postgresql.dialect()
    types = [db.metadata.tables[table].c[column].type.compile(dialect=dialect) for column in columns]
    arrays = [f"%s::{kind}[]" for kind, fixed in zip(types, constant, strict=True) if not fixed]
    names = iter(f"u{i}" for i in range(len(arrays)))
    select_list = ", ".join(f"%s::{kind}" if fixed else next(names) for kind, fixed in zip(types, constant, strict=True))
    aliases = ", ".join(f"u{i}" for i in range(len(arrays)))
    return (f"INSERT INTO {table} ({', '.join(columns)}) SELECT {select_list} "
            f"FROM unnest({', '.join(arrays)}) AS u({aliases})")


_NUMBER_TYPES = (int, float)


def _array(values: tuple) -> str | list:
    """Return a PostgreSQL array literal for numbers and NULLs, else the list itself.

    psycopg dumps a list element by element in Python (about 300 µs for a ballot's four
    rating columns); the literal is a join, cast by the statement (`%s::integer[]`).
    Text goes as a list: psycopg quotes it.
    """
    if all(value is None or type(value) in _NUMBER_TYPES for value in values):
        return "{" + ",".join("NULL" if value is None else repr(value) for value in values) + "}"
    return list(values)


def _insert_unnest(connection, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """PostgreSQL: one array per column through unnest(), a column with one value for
    every row (the ballot id) as a single parameter."""
    by_column = list(zip(*rows, strict=True))
    constant = tuple(len(set(values)) == 1 for values in by_column)
    fixed = [values[0] for values, same in zip(by_column, constant, strict=True) if same]
    arrays = [_array(values) for values, same in zip(by_column, constant, strict=True) if not same]
    connection.exec_driver_sql(_unnest_sql(table, columns, constant), (*fixed, *arrays))


def _insert_rows(table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """INSERT many rows in one statement and one round trip, on the session's connection
    (so inside the same transaction).

    A ballot's 120+ ratings are its bulk. Through the ORM, an executemany or SQLAlchemy's
    multi-VALUES construct they cost more than the database spends inserting. SQLite gets
    one plain multi-row VALUES statement (sqlite3 keeps it prepared: the text repeats).
    PostgreSQL gets arrays through unnest(): a handful of parameters instead of 600, so
    psycopg caches the statement's parsing (it does not past 50 parameters) and the
    server keeps it prepared. Values go to the driver as they are: None, bool, str, int
    and float, which sqlite3 and psycopg adapt natively.
    """
    if not rows:
        return
    connection = db.session.connection()
    if connection.dialect.name == "postgresql" and len(rows) > 1:
        _insert_unnest(connection, table, columns, rows)
        return
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    connection.exec_driver_sql(_values_sql(table, columns, len(rows), mark), tuple(chain.from_iterable(rows)))


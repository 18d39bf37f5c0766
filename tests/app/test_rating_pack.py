"""Each ballot's packed ratings (services/respondents/rating_pack.py): written with the ballot, equal to
its `ratings` rows, read by the results instead of those rows, with the rows as fallback,
backfilled by the migration, and checked by the archive verification."""

import math
import random

import flask_migrate
import numpy as np
import pytest
from sqlalchemy import select, update

from survey_app.extensions import db
from survey_app.models import Ballot, Rating, Survey
from survey_app.services.respondents import rating_pack, simulation
from survey_app.services.results import ballot_columns, lifecycle, reports
from tests.app.factories import _system_user
from tests.app.respondent_helpers import (
    complete_values,
    form_data,
    ids,
    issue_codes,
    publish_with_score_scale,
)

# ---- the format ---------------------------------------------------------------------------


def test_pack_round_trips_options_scores_and_none():
    ratings = [(7, 3, 12, 100.0), (7, 4, 15, None), (2**31 - 1, 1, None, 87.25), (8, 3, None, None)]
    packed = rating_pack.pack(ratings)
    assert len(packed) == 4 * rating_pack.RECORD.itemsize == 80
    assert rating_pack.ratings_of(packed) == ratings
    assert rating_pack.ratings_of(rating_pack.pack([])) == []


def test_unpack_concatenates_ballots_and_counts_their_ratings():
    first, second = [(1, 1, 2, 80.0), (1, 2, 3, 60.0)], [(2, 1, None, 55.5)]
    records, counts = rating_pack.unpack([rating_pack.pack(first), b"", rating_pack.pack(second)])
    assert counts.tolist() == [2, 0, 1]
    assert records["subject"].tolist() == [1, 1, 2] and records["option"].tolist() == [2, 3, 0]
    assert records["score"].tolist() == [80.0, 60.0, 55.5]


def test_unpack_refuses_a_truncated_value():
    with pytest.raises(ValueError):
        rating_pack.unpack([rating_pack.pack([(1, 1, 2, 80.0)])[:-1]])


# ---- written with the ballot ---------------------------------------------------------------


def _rows_and_packs(survey_id: int) -> dict[str, tuple[list, list]]:
    """Per ballot: its sorted `ratings` rows and the sorted ratings of its packed copy."""
    stored = {}
    for ballot in db.session.scalars(select(Ballot).where(Ballot.survey_id == survey_id)):
        rows = db.session.execute(
            select(Rating.subject_id, Rating.dimension_id, Rating.option_id, Rating.score)
            .where(Rating.ballot_id == ballot.id)
        ).all()
        stored[ballot.id] = (sorted(map(tuple, rows)), sorted(rating_pack.ratings_of(ballot.ratings_packed)))
    return stored


@pytest.mark.parametrize("scale", ["options", "scores"])
def test_a_submission_stores_a_packed_copy_equal_to_its_rows(app, client, make_survey, scale):
    survey_id = make_survey(publish=scale == "options")
    if scale == "scores":
        publish_with_score_scale(app, survey_id)
    code = issue_codes(app, survey_id, count=1)[0]
    parts = ids(app, survey_id)
    if scale == "scores":
        values = {f"r-{s}-{d}": ["87.5"] for s in parts["subjects"] for d in parts["dimensions"]}
        values[f"q-{parts['questions'][0]}"] = ["满意"]
    else:
        values = complete_values(app, survey_id)
        values[f"r-{parts['subjects'][0]}-{parts['dimensions'][0]}"] = [str(parts["options"]["不了解"])]
    assert client.post(f"/s/{code}", data=form_data(values)).status_code == 303
    with app.app_context():
        (rows, packed), = _rows_and_packs(survey_id).values()
    assert rows == packed and len(rows) == 6
    if scale == "options":
        assert any(option == parts["options"]["不了解"] and score is None for _s, _d, option, score in packed)
    else:
        assert {(option, score) for _s, _d, option, score in packed} == {(None, 87.5)}


# ---- read by the results -------------------------------------------------------------------


@pytest.fixture
def simulated(app, make_survey):
    """A published survey with 40 random ballots through the real path, one excluded."""
    survey_id = make_survey(publish=True)
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        simulation.simulate_ballots(survey, {"superior": 18, "served": 22}, random.Random(7))
        first = db.session.scalars(select(Ballot.id).where(Ballot.survey_id == survey_id).limit(1)).one()
        db.session.execute(update(Ballot).where(Ballot.id == first).values(is_excluded=True))
        db.session.commit()
    return survey_id


def _sorted_rows(answers) -> np.ndarray:
    columns = np.stack([answers.ballot, answers.subject, answers.dimension, answers.group, answers.option,
                        np.nan_to_num(answers.score, nan=-1.0)])
    return columns[:, np.lexsort(columns[:3][::-1])]


def test_the_packed_read_gives_the_rows_read_columns(app, simulated):
    with app.app_context():
        survey = db.session.get(Survey, simulated)
        counted = ballot_columns.load_counted(survey)
        from_rows = ballot_columns.answers_from_ratings(survey)
        facts = ballot_columns.counted_ballot_facts(survey)
    assert len(counted.answers) == len(from_rows) and len(counted.facts) == 39
    assert np.array_equal(_sorted_rows(counted.answers), _sorted_rows(from_rows))
    assert [tuple(f) for f in counted.facts] == [tuple(f) for f in facts]
    assert np.isnan(counted.answers.score).sum() == np.isnan(from_rows.score).sum() > 0  # 不了解 stays NaN


def test_a_ballot_without_a_packed_copy_sends_the_survey_to_its_rows(app, simulated, monkeypatch):
    with app.app_context():
        survey = db.session.get(Survey, simulated)
        packed_report = reports.compute_report(survey)
        db.session.execute(update(Ballot).where(Ballot.survey_id == simulated).values(ratings_packed=None))
        db.session.commit()
        calls = []
        monkeypatch.setattr(ballot_columns, "answers_from_ratings",
                            lambda s, read=ballot_columns.answers_from_ratings: calls.append(s) or read(s))
        rows_report = reports.compute_report(survey)
    assert calls  # the fallback ran
    assert rows_report.ballots == packed_report.ballots == 39
    for packed_row, rows_row in zip(packed_report.subjects, rows_report.subjects, strict=True):
        assert (packed_row.key, packed_row.n, packed_row.rank) == (rows_row.key, rows_row.n, rows_row.rank)
        assert packed_row.index == pytest.approx(rows_row.index, rel=1e-12)
        assert [g.n for g in packed_row.groups] == [g.n for g in rows_row.groups]
    assert packed_report.flagged_ballots == rows_report.flagged_ballots


# ---- the migration and the archive verification -----------------------------------------------


def test_the_migration_backfills_packs_from_rows(app, simulated):
    with app.app_context():
        flask_migrate.stamp(revision="7c0e5b9d2a41")
        flask_migrate.downgrade(revision="6b2e4c4ec5a7")
        flask_migrate.upgrade(revision="7c0e5b9d2a41")
        db.session.expire_all()
        stored = _rows_and_packs(simulated)
    assert len(stored) == 40
    assert all(rows == packed and len(rows) > 0 for rows, packed in stored.values())


def test_verification_reports_a_packed_copy_that_disagrees_with_its_rows(app, simulated):
    with app.app_context():
        survey = db.session.get(Survey, simulated)
        for action in ("close", "archive"):
            lifecycle.change_status(survey, action, _system_user())
        db.session.commit()
        from survey_app.services.results import archive

        assert archive.verify(survey, None).is_match
        ballot = db.session.scalars(select(Ballot).where(Ballot.survey_id == simulated).limit(1)).one()
        changed = [(s, d, o, 0.0 if score is not None and not math.isnan(score) else score)
                   for s, d, o, score in rating_pack.ratings_of(ballot.ratings_packed)]
        ballot.ratings_packed = rating_pack.pack(changed)
        db.session.commit()
        result = archive.verify(survey, None)
    assert not result.is_match and result.inconsistent_ballots == 1

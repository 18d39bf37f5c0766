"""Alembic migrations are the only way the schema changes: they must build exactly the
schema the models describe."""

import random

import flask_migrate
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select, text

from survey_app.extensions import db
from survey_app.models import Ballot, Rating, Survey
from survey_app.services.respondents import simulation


def test_migrations_build_the_schema_the_models_describe(app):
    with app.app_context():
        db.drop_all()
        db.session.commit()
        flask_migrate.upgrade()
        with db.engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), db.metadata)
        assert differences == []
        flask_migrate.downgrade(revision="base")
        with db.engine.connect() as connection:
            tables = set(db.inspect(connection).get_table_names()) - {"alembic_version"}
        assert tables == set()


def test_a_downgrade_and_upgrade_keep_every_ballot(app, make_survey):
    # Batch mode recreates tables on SQLite; with foreign keys on, dropping the old
    # `surveys` or `ballots` would delete every ballot and rating by cascade.
    survey_id = make_survey(publish=True)
    with app.app_context():
        simulation.simulate_ballots(db.session.get(Survey, survey_id), {"superior": 4, "served": 3}, random.Random(1))
        db.session.commit()
        before = _counts()
        db.session.commit()  # ends the read: on PostgreSQL the ALTERs would wait for it
        flask_migrate.stamp()
        flask_migrate.downgrade(revision="5a1c0d0551e5")  # past batch changes of surveys and ballots
        flask_migrate.upgrade()
        assert _counts() == before
        if db.engine.dialect.name == "sqlite":  # recreated tables stay WITHOUT ROWID (docs/anonymity.md)
            for table in ("ballots", "ratings"):
                sql = db.session.execute(text("SELECT sql FROM sqlite_master WHERE name = :t"), {"t": table}).scalar()
                assert sql.rstrip().endswith("WITHOUT ROWID"), table
        db.session.commit()
        assert before[1] == 7 and before[2] > 0


def _counts() -> tuple[int, ...]:
    return tuple(db.session.scalar(select(func.count()).select_from(model)) for model in (Survey, Ballot, Rating))


def test_ballot_durations_become_the_speeder_flag_and_are_dropped(app, make_survey):
    """Issue #12 (6): exact seconds per ballot paired with access logs; the migration keeps
    only the flag the results drew from them (under a third of the survey's median)."""
    survey_id = make_survey(publish=True)
    with app.app_context():
        simulation.simulate_ballots(db.session.get(Survey, survey_id), {"superior": 4, "served": 3}, random.Random(1))
        db.session.commit()
        flask_migrate.stamp()
        flask_migrate.downgrade(revision="9d4b6a1e2f37")
        ids = db.session.scalars(text("SELECT id FROM ballots ORDER BY id")).all()
        for ballot_id, seconds in zip(ids, [100, 110, 120, 130, 20, 140, None], strict=True):
            db.session.execute(text("UPDATE ballots SET duration_seconds = :s WHERE id = :id"),
                               {"s": seconds, "id": ballot_id})
        db.session.commit()
        flask_migrate.upgrade()
        flags = dict(db.session.execute(text("SELECT id, is_too_fast FROM ballots")).all())
        columns = {c["name"] for c in db.inspect(db.engine).get_columns("ballots")}
        db.session.commit()
    assert [bool(flags[i]) for i in ids] == [False, False, False, False, True, False, False]  # median 115: < 38.3 s
    assert "duration_seconds" not in columns


def test_scale_roles_keep_what_the_old_fallback_reported(app, make_survey):
    """A preset scale gets its roles by label; a custom scale keeps the old best/worst
    fallback as top and negative, so 差评 flags and the assessment veto keep firing."""
    preset_id, custom_id = make_survey(), make_survey()
    with app.app_context():
        db.session.commit()
        flask_migrate.stamp()
        flask_migrate.downgrade(revision="4e7a1c9b3d52")  # before scale option roles
        custom = [(label, score) for label, score in db.session.execute(text(
            "SELECT label, score FROM scale_options WHERE survey_id = :s AND NOT is_unknown ORDER BY score"),
            {"s": custom_id})]
        for (label, _score), new in zip(custom, ("很差", "还行", "较好", "很好"), strict=False):
            db.session.execute(text("UPDATE scale_options SET label = :new WHERE survey_id = :s AND label = :old"),
                               {"new": new, "s": custom_id, "old": label})
        db.session.commit()
        flask_migrate.upgrade()
        roles = {survey_id: dict(db.session.execute(text(
            "SELECT label, role FROM scale_options WHERE survey_id = :s AND NOT is_unknown"), {"s": survey_id}).all())
            for survey_id in (preset_id, custom_id)}
        db.session.commit()
    assert roles[preset_id] == {"优秀": "top", "称职": "pass", "基本称职": None, "不称职": "negative"}
    assert roles[custom_id] == {"很差": "negative", "还行": None, "较好": None, "很好": "top"}

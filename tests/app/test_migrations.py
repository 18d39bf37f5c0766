"""Alembic migrations are the only way the schema changes: they must build exactly the
schema the models describe."""

import flask_migrate
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from survey_app.extensions import db


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

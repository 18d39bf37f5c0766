"""Ballots keep whether they were sent too fast, not how many seconds the page was open.

`ballots.duration_seconds` was exact: paired with an access log's GET and POST of each
phone (address, user agent, time), 7 s and 12 s named the two ballots carrying 7 and 12
(issue #12, finding 6). Each existing ballot gets the flag the results computed for it
until now (a speeder: under a third of its survey's median duration among counted
ballots), and the seconds are dropped. New ballots are judged when stored
(services/ballots.too_fast).

The downgrade brings the column back empty: the seconds are gone for good, by design.

Revision ID: 4e7a1c9b3d52
Revises: 5e8c1d2a7f90
Create Date: 2026-12-07 12:30:00

"""
from itertools import groupby
from statistics import median

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4e7a1c9b3d52'
down_revision = "5e8c1d2a7f90"
branch_labels = None
depends_on = None

#: analytics.AnalysisSettings.speeder_fraction at this revision (frozen here).
_SPEEDER_FRACTION = 1.0 / 3.0
_BATCH = 2000


def _too_fast_ids(connection) -> list[str]:
    """The ballots the results flagged as speeders: duration under a third of the median
    of their survey's counted ballots with a known duration."""
    rows = connection.execute(sa.text(
        "SELECT survey_id, id, duration_seconds, is_excluded FROM ballots "
        "WHERE duration_seconds IS NOT NULL ORDER BY survey_id")).all()
    flagged = []
    for _survey, group in groupby(rows, key=lambda row: row[0]):
        ballots = list(group)
        counted = [row[2] for row in ballots if not row[3]]
        if not counted:
            continue
        threshold = _SPEEDER_FRACTION * median(counted)
        flagged += [row[1] for row in ballots if row[2] < threshold]
    return flagged


# Plain ALTER TABLE, no batch mode: on SQLite a batch recreates `ballots`, and dropping
# the old table with foreign keys on deletes every rating by cascade (SQLite ≥ 3.35 drops
# a plain column in place).
def upgrade():
    op.add_column('ballots', sa.Column('is_too_fast', sa.Boolean(), nullable=False, server_default=sa.false()))
    connection = op.get_bind()
    ballots = sa.table("ballots", sa.column("id"), sa.column("is_too_fast", sa.Boolean()))
    flagged = _too_fast_ids(connection)
    for start in range(0, len(flagged), _BATCH):
        chunk = flagged[start:start + _BATCH]
        connection.execute(ballots.update().where(ballots.c.id.in_(chunk)).values(is_too_fast=True))
    op.drop_column('ballots', 'duration_seconds')


def downgrade():
    op.add_column('ballots', sa.Column('duration_seconds', sa.Integer(), nullable=True))
    op.drop_column('ballots', 'is_too_fast')

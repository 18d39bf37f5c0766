"""Each ballot's ratings packed into one value, for the results (services/rating_pack.py).

Existing ballots get theirs from their rows, so their surveys recompute as fast as new ones.

Revision ID: 7c0e5b9d2a41
Revises: 6b2e4c4ec5a7
Create Date: 2026-11-24 16:00:00

"""
import struct
from itertools import groupby

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7c0e5b9d2a41'
down_revision = '6b2e4c4ec5a7'
branch_labels = None
depends_on = None

_BATCH = 2000


def _packed(rows):
    """The format of services/rating_pack.py as it was at this revision (frozen here)."""
    flat = []
    for _ballot, subject_id, dimension_id, option_id, score in rows:
        flat += [subject_id, dimension_id, option_id or 0, float("nan") if score is None else score]
    return struct.pack("<" + "iiid" * (len(flat) // 4), *flat)


def _backfill(connection):
    ballots = sa.table("ballots", sa.column("id"), sa.column("ratings_packed"))
    ballot_ids = [row[0] for row in connection.execute(sa.text("SELECT id FROM ballots ORDER BY id"))]
    update = ballots.update().where(ballots.c.id == sa.bindparam("ballot")).values(
        ratings_packed=sa.bindparam("packed"))
    for start in range(0, len(ballot_ids), _BATCH):
        chunk = ballot_ids[start:start + _BATCH]
        rows = connection.execute(
            sa.text("SELECT ballot_id, subject_id, dimension_id, option_id, score FROM ratings "
                    "WHERE ballot_id IN :ids ORDER BY ballot_id, subject_id, dimension_id")
            .bindparams(sa.bindparam("ids", expanding=True)),
            {"ids": chunk},
        ).all()
        by_ballot = {ballot: _packed(list(group)) for ballot, group in groupby(rows, key=lambda r: r[0])}
        connection.execute(update, [{"ballot": b, "packed": by_ballot.get(b, b"")} for b in chunk])


# Plain ALTER TABLE, no batch mode: on SQLite a batch recreates `ballots`, and dropping
# the old table with foreign keys on deletes every rating by cascade.
def upgrade():
    op.add_column('ballots', sa.Column('ratings_packed', sa.LargeBinary(), nullable=True))
    _backfill(op.get_bind())


def downgrade():
    op.drop_column('ballots', 'ratings_packed')

"""batches: which run graded each row, with which seed, and whether it finished

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30

Rows of revision 0001 keep batch_id NULL; their seed stays on the row.
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "batches",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("assignment", sa.String(200), nullable=False),
        sa.Column("course_version", sa.String(64), nullable=False),
        sa.Column("seed", sa.BigInteger, nullable=False),
        sa.Column("executor", sa.String(500), nullable=False),
        sa.Column("started_at", WHEN, nullable=False),
        sa.Column("finished_at", WHEN, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_batches"),
        sa.ForeignKeyConstraint(["course_version"], ["course_versions.digest"],
                                name="fk_batches_course_version_course_versions"),
    )
    with op.batch_alter_table("gradings") as batch:  # SQLite: the table is copied; elsewhere ALTER TABLE
        batch.add_column(sa.Column("batch_id", sa.Integer, nullable=True))
        batch.create_foreign_key("fk_gradings_batch_id_batches", "batches", ["batch_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("gradings") as batch:
        batch.drop_constraint("fk_gradings_batch_id_batches", type_="foreignkey")
        batch.drop_column("batch_id")
    op.drop_table("batches")

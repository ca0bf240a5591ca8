"""gradings, their test results, and the course versions they were graded under

Revision ID: 0001
Revises:
Create Date: 2026-11-30
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

LONG_TEXT = sa.Text().with_variant(mysql.LONGTEXT(), "mysql")
WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "course_versions",
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("assignment", sa.String(200), nullable=False),
        sa.Column("grader_version", sa.String(50), nullable=False),
        sa.Column("components", LONG_TEXT, nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("digest", name="pk_course_versions"),
    )
    op.create_table(
        "gradings",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("assignment", sa.String(200), nullable=False),
        sa.Column("student", sa.String(500), nullable=False),
        sa.Column("submission_sha256", sa.String(64), nullable=False),
        sa.Column("course_version", sa.String(64), nullable=False),
        sa.Column("seed", sa.BigInteger, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("score", sa.Double, nullable=False),
        sa.Column("max_score", sa.Double, nullable=False),
        sa.Column("report_path", sa.Text, nullable=False),
        sa.Column("report_sha256", sa.String(64), nullable=False),
        sa.Column("report", LONG_TEXT, nullable=False),
        sa.Column("graded_at", WHEN, nullable=False),
        sa.Column("done_key", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_gradings"),
        sa.ForeignKeyConstraint(["course_version"], ["course_versions.digest"],
                                name="fk_gradings_course_version_course_versions"),
        sa.UniqueConstraint("done_key", name="uq_gradings_done_key"),
    )
    op.create_index("ix_gradings_assignment_student", "gradings", ["assignment", "student"])
    op.create_table(
        "test_results",
        sa.Column("grading_id", sa.Integer, nullable=False),
        sa.Column("test_id", sa.String(200), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("score", sa.Double, nullable=False),
        sa.Column("max_score", sa.Double, nullable=False),
        sa.Column("diagnosis", sa.Text, nullable=True),
        sa.PrimaryKeyConstraint("grading_id", "test_id", name="pk_test_results"),
        sa.ForeignKeyConstraint(["grading_id"], ["gradings.id"], ondelete="CASCADE",
                                name="fk_test_results_grading_id_gradings"),
    )


def downgrade() -> None:
    op.drop_table("test_results")
    op.drop_index("ix_gradings_assignment_student", table_name="gradings")
    op.drop_table("gradings")
    op.drop_table("course_versions")

"""The gradebook's tables (SQLAlchemy Core), as the newest migration leaves them.

grader/migrations/versions/ builds the same schema step by step; tests/test_gradebook.py
checks that a database migrated from revision 0001 matches these tables. The schema is
described in grader/gradebook.py.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import mysql

# Constraint names fixed by convention, so migrations can name what they change on every dialect.
metadata = sa.MetaData(naming_convention={
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
})

# A report can exceed MySQL's 64 KiB TEXT; LONGTEXT there, TEXT elsewhere (unbounded).
LONG_TEXT = sa.Text().with_variant(mysql.LONGTEXT(), "mysql")
WHEN = sa.DateTime(timezone=True)

course_versions = sa.Table(
    "course_versions", metadata,
    sa.Column("digest", sa.String(64), primary_key=True),
    sa.Column("assignment", sa.String(200), nullable=False),
    sa.Column("grader_version", sa.String(50), nullable=False),
    sa.Column("components", LONG_TEXT, nullable=False),
    sa.Column("created_at", WHEN, nullable=False),
)

batches = sa.Table(
    "batches", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("assignment", sa.String(200), nullable=False),
    sa.Column("course_version", sa.String(64), sa.ForeignKey("course_versions.digest"), nullable=False),
    sa.Column("seed", sa.BigInteger, nullable=False),
    sa.Column("executor", sa.String(500), nullable=False),
    sa.Column("started_at", WHEN, nullable=False),
    sa.Column("finished_at", WHEN, nullable=True),
)

gradings = sa.Table(
    "gradings", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("batch_id", sa.Integer, sa.ForeignKey("batches.id"), nullable=True),
    sa.Column("assignment", sa.String(200), nullable=False),
    sa.Column("student", sa.String(500), nullable=False),
    sa.Column("submission_sha256", sa.String(64), nullable=False),
    sa.Column("course_version", sa.String(64), sa.ForeignKey("course_versions.digest"), nullable=False),
    sa.Column("seed", sa.BigInteger, nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("score", sa.Double, nullable=False),
    sa.Column("max_score", sa.Double, nullable=False),
    sa.Column("report_path", sa.Text, nullable=False),
    sa.Column("report_sha256", sa.String(64), nullable=False),
    sa.Column("report", LONG_TEXT, nullable=False),
    sa.Column("graded_at", WHEN, nullable=False),
    sa.Column("done_key", sa.String(64), nullable=True, unique=True),
    sa.Index(None, "assignment", "student"),
)

test_results = sa.Table(
    "test_results", metadata,
    sa.Column("grading_id", sa.Integer, sa.ForeignKey("gradings.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("test_id", sa.String(200), primary_key=True),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("score", sa.Double, nullable=False),
    sa.Column("max_score", sa.Double, nullable=False),
    sa.Column("diagnosis", sa.Text, nullable=True),
)

"""Alembic's migration environment for the gradebook (grader/migration.py runs it).

``env.py`` is Alembic's entry point; ``versions/`` holds one revision per schema change,
written by hand against grader/tables.py. To add one: change grader/tables.py, then
``alembic -c grader/migrations/alembic.ini revision -m "what changes"`` (or copy the
latest revision), write its upgrade and downgrade, and extend tests/test_gradebook.py's
migration test.
"""

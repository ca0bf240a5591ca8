"""Migration: bring a gradebook's schema to the newest revision with Alembic, on open.

The migration environment lives inside the package (grader/migrations), so an installed
grader migrates a gradebook made by an older one with nothing else to run. A gradebook
made by a newer grader (a revision this one does not know) is refused, never changed.
"""
from __future__ import annotations

import logging

from grader.gradebook import GradebookError

HEAD = "0002"


def config():
    """Alembic's Config for the package's migration environment (no alembic.ini read)."""
    from alembic.config import Config
    settings = Config()
    settings.set_main_option("script_location", "grader:migrations")
    return settings


def current(engine) -> str | None:
    """The schema revision of the database behind ``engine`` (None: no gradebook yet),
    read from Alembic's ``alembic_version`` table without importing Alembic (a quarter of
    a second of every `grade`'s start-up when the gradebook is already at ``HEAD``)."""
    import sqlalchemy as sa
    with engine.connect() as connection:
        if not sa.inspect(connection).has_table("alembic_version"):
            return None
        versions = [row[0] for row in connection.execute(sa.text("SELECT version_num FROM alembic_version"))]
    return versions[0] if len(versions) == 1 else None


def _create(engine) -> bool:
    """A new, empty database: the newest schema made from grader/tables.py in one
    transaction and stamped ``HEAD``, as Alembic's cookbook builds an up-to-date database
    from scratch (create_all, then stamp head), without importing Alembic. False when the
    database already holds tables (then Alembic decides). tests/test_gradebook.py checks
    that the migrations and tables.py describe the same schema."""
    import sqlalchemy as sa

    from grader import tables
    with engine.begin() as connection:
        if sa.inspect(connection).get_table_names():
            return False
        tables.metadata.create_all(connection)
        version = sa.Table("alembic_version", sa.MetaData(),
                           sa.Column("version_num", sa.String(32), nullable=False),
                           sa.PrimaryKeyConstraint("version_num", name="alembic_version_pkc"))
        version.create(connection)
        connection.execute(version.insert().values(version_num=HEAD))
    return True


def upgrade(engine, target: str = "head") -> None:
    """Migrate to ``target`` (default: the newest revision) in one transaction where the
    database allows it. Raises GradebookError when the database cannot be reached or
    holds a revision this grader does not know."""
    import sqlalchemy as sa
    where = engine.url.render_as_string(hide_password=True)
    try:
        found = current(engine)
        if target == "head" and found == HEAD:
            return  # the usual case: nothing of Alembic imported
        if target == "head" and found is None and _create(engine):
            return
        from alembic import command
        from alembic.script import ScriptDirectory
        settings = config()
        known = {script.revision for script in ScriptDirectory.from_config(settings).walk_revisions()}
        if found is not None and found not in known:
            raise GradebookError(f"the gradebook {where} has schema revision {found!r}, made by a newer grader "
                                 f"than this one (which knows up to {HEAD}); upgrade mlgrader to use it")
        if found == (HEAD if target == "head" else target):
            return
        logging.getLogger("alembic").setLevel(logging.WARNING)
        with engine.begin() as connection:
            settings.attributes["connection"] = connection
            command.upgrade(settings, target)
    except sa.exc.SQLAlchemyError as exc:
        raise GradebookError(f"cannot open the gradebook {where}: {type(exc).__name__}: "
                             f"{str(exc).splitlines()[0][:300]}") from None

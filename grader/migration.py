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
    """The schema revision of the database behind ``engine`` (None: no gradebook yet)."""
    from alembic.runtime.migration import MigrationContext
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine, target: str = "head") -> None:
    """Migrate to ``target`` (default: the newest revision) in one transaction where the
    database allows it. Raises GradebookError when the database cannot be reached or
    holds a revision this grader does not know."""
    import sqlalchemy as sa
    from alembic import command
    from alembic.script import ScriptDirectory
    settings = config()
    known = {script.revision for script in ScriptDirectory.from_config(settings).walk_revisions()}
    where = engine.url.render_as_string(hide_password=True)
    try:
        found = current(engine)
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

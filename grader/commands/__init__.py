"""Commands beyond the core ones in grader/cli.py, one module per group of commands
(release and self-check, authoring, the gradebook...). Each module defines click commands
and grader/cli.py adds them to the ``grader`` group with one line."""

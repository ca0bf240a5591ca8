"""``python -m grader.cli_entry`` runs the command line (as the ``grader`` script does)."""
from grader.cli import main

if __name__ == "__main__":
    main()

"""grader: an autograder for machine-learning courses."""
__version__ = "0.2.0"

"""The gradebook's schema revisions, oldest first: 0001 (gradings, test results, course
versions), 0002 (batches: which run graded each row, and with which seed)."""

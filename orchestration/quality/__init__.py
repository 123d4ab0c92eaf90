"""The data-quality gate: Great Expectations suites (suites.py)."""

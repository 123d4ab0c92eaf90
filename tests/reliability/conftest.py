"""The throw-away warehouse of the ingestion tests, for the fault tests."""

from tests.ingestion.conftest import wh  # noqa: F401

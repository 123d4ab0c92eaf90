"""The yr warehouse: Dagster code location, pure helpers, the `yr` CLI and the delivery generator."""

from orchestration.settings import telemetry_off

# Before dbt or Great Expectations are imported anywhere: no usage statistics leave the machine.
telemetry_off()

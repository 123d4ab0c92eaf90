"""Resources shared by the assets: the run's settings, the warehouse and dbt."""

from __future__ import annotations

import dagster as dg

from orchestration.dbt import dbt_resource
from orchestration.resources import RunSettings


@dg.definitions
def resources() -> dg.Definitions:
    RunSettings().resolved()  # a bad YR_* variable fails the load, with the variable's name
    # Steps run in the run's own process, one after another: the warehouse has one writer anyway
    # (pool "duckdb"), and a process per step would load the code location again for each.
    return dg.Definitions(
        resources={"dbt": dbt_resource(), "run_settings": RunSettings()},
        executor=dg.in_process_executor,
    )

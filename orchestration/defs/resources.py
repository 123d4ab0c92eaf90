"""Resources shared by the assets."""

from __future__ import annotations

import dagster as dg

from orchestration.dbt import dbt_resource
from orchestration.warehouse import Warehouse


@dg.definitions
def resources() -> dg.Definitions:
    # Steps run in the run's own process, one after another: the warehouse has one writer anyway
    # (pool "duckdb"), and a process per step would load the code location again for each.
    return dg.Definitions(resources={"dbt": dbt_resource(), "warehouse": Warehouse()}, executor=dg.in_process_executor)

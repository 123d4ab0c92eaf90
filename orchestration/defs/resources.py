"""Resources shared by the assets."""

from __future__ import annotations

import dagster as dg

from orchestration.dbt import dbt_resource
from orchestration.warehouse import Warehouse


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(resources={"dbt": dbt_resource(), "warehouse": Warehouse()})

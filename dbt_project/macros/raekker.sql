{#-
    Post-hook of every table, incremental model and seed (dbt_project.yml), run after the node's
    transaction, so after every other post-hook (the parts of a model built in parts included):
    logs how many rows the table now holds. The Dagster asset shows it as the materialization's row
    count (orchestration/dbt.py, `with_row_counts`). DuckDB lets one process at a time open the
    warehouse, and dbt holds it while it builds, so dbt counts, not Dagster.
-#}
{% macro log_row_count() -%}
    {%- if execute and model.config.materialized in ('table', 'incremental', 'seed') -%}
        {%- call statement('raekker', fetch_result=True, auto_begin=False) -%}
            select count(*) from {{ this }}
        {%- endcall -%}
        {%- do log('rækker: ' ~ load_result('raekker')['data'][0][0], info=True) -%}
    {%- endif -%}
{%- endmacro %}

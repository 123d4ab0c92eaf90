{#-
    on-run-start: create the raw tables, empty, where ingestion has not created them yet, from the
    columns declared in models/staging/_raw__sources.yml. So `dbt build` works on its own on a
    warehouse that never saw a delivery. The declarations equal orchestration/ingestion/schema.py
    (tests/ingestion/test_schema.py keeps them so).
-#}
{% macro create_missing_raw_tables() %}
    {% if execute %}
        {% for node in graph.sources.values() if node.source_name == 'raw' %}
            {% set columns = [] %}
            {% for column in node.columns.values() %}
                {% do columns.append(column.name ~ ' ' ~ column.data_type) %}
            {% endfor %}
            {% do run_query('create schema if not exists ' ~ node.schema) %}
            {% do run_query(
                'create table if not exists ' ~ node.schema ~ '.' ~ node.name ~ ' (' ~ columns | join(', ') ~ ')'
            ) %}
        {% endfor %}
    {% endif %}
{% endmacro %}

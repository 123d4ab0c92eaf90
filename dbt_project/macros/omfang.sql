{#-
    Incremental calculation (issue 7, docs/DECISIONS.md B11). Every model tagged `per_borger` is a
    function of one borger's deliveries, the reference data and YR_AS_OF, so a run may recompute only
    the borgere whose raw rows changed: orchestration/omfang.py writes them to omfang.borgere and
    passes --vars '{omfang: borgere}'. Each such model then deletes those borgere's rows (pre-hook)
    and inserts them again from its inputs read through `per_borger_scope`.

    Without the variable an existing table is recomputed whole (delete all, insert all): a `dbt
    build` by hand is always right, just not fast. A new table or --full-refresh builds it as usual.
-#}
{% macro scoped_to_borgere() -%}
    {{ return(is_incremental() and var('omfang', 'alle') == 'borgere') }}
{%- endmacro %}


{#- A per-borger input, narrowed to the borgere of this run when the run is scoped. -#}
{% macro per_borger_scope(relation) -%}
    {%- if scoped_to_borgere() -%}
        (select * from {{ relation }} where borger_id in (select borger_id from omfang.borgere))
    {%- else -%}
        {{ relation }}
    {%- endif -%}
{%- endmacro %}


{#- Pre-hook of every per-borger model: remove what this run inserts again. -#}
{% macro delete_per_borger_scope() -%}
    {%- if scoped_to_borgere() -%}
        delete from {{ this }} where borger_id in (select borger_id from omfang.borgere)
    {%- elif is_incremental() -%}
        delete from {{ this }}
    {%- endif -%}
{%- endmacro %}


{#-
    Post-hooks of fct_beregning: which borgere's calculation rows may now differ from the published
    calculation files (orchestration/publish/beregningsfiler.py diffs only those, and empties the
    table when it has published). A scoped run adds its borgere; any other build of the table, by
    the pipeline or by hand, marks everyone.
-#}
{% macro mark_unpublished() -%}
    {%- if scoped_to_borgere() -%}
        insert into omfang.upubliceret select borger_id, false from omfang.borgere
    {%- else -%}
        insert into omfang.upubliceret values (null, true)
    {%- endif -%}
{%- endmacro %}


{#-
    In a data test: is `relation` a per-borger model, and this run scoped to some borgere? The
    pipeline scopes a run only when every per-borger table already exists (orchestration/omfang.py),
    so each of them was then built incrementally, and its other borgere's rows passed before.
-#}
{% macro scoped_per_borger_relation(relation) -%}
    {%- if not execute or var('omfang', 'alle') != 'borgere' -%}
        {{ return(false) }}
    {%- endif -%}
    {%- for node in graph.nodes.values()
        if node.resource_type == 'model' and 'per_borger' in node.tags
        and node.alias == relation.identifier and node.schema == relation.schema -%}
        {{ return(true) }}
    {%- endfor -%}
    {{ return(false) }}
{%- endmacro %}

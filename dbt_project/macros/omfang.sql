{#-
    Incremental calculation (docs/DECISIONS.md B11). Every model tagged `per_borger` is a
    function of one borger's deliveries, the reference data and YR_AS_OF, so a run may recompute only
    the borgere whose raw rows changed: orchestration/omfang.py writes them to omfang.borgere and
    sets YR_OMFANG=borgere for dbt. Each such model then deletes those borgere's rows (pre-hook) and
    inserts them again from its inputs read through `per_borger_scope`. (An environment variable,
    not a dbt var: dbt parses the whole project again whenever its vars change, 2 s per run, and
    the scope is read only when models run, never while dbt parses.)

    Without the variable an existing table is recomputed whole (delete all, insert all): a `dbt
    build` by hand is always right, just not fast. A new table or --full-refresh builds it as usual.
-#}
{#- The predicate of the scope: the row is a borger's this run recomputes. -#}
{% macro in_scope(column='borger_id') -%}
    {{ column }} in (select borger_id from {{ source('omfang', 'borgere') }})
{%- endmacro %}


{% macro scoped_to_borgere() -%}
    {{ return(is_incremental() and env_var('YR_OMFANG', 'alle') == 'borgere') }}
{%- endmacro %}


{#-
    A per-borger input, narrowed to the borgere of this run when the run is scoped, or to those of
    the current part when the model is built in parts (below; a part holds only borgere in scope).
-#}
{% macro per_borger_scope(relation) -%}
    {#- named at parse time too, so that dbt's lineage (and Dagster's) shows every per-borger model
        reading the scope -#}
    {%- set scope = source('omfang', 'borgere') -%}
    {%- if borger_partier() > 1 -%}
        (select * from {{ relation }} where borger_id in (select borger_id from {{ _parti_table() }}))
    {%- elif scoped_to_borgere() -%}
        (select * from {{ relation }} where {{ in_scope() }})
    {%- else -%}
        {{ relation }}
    {%- endif -%}
{%- endmacro %}


{#-
    Parts (docs/DECISIONS.md B36). A model whose every row is computed from one borger's
    rows alone (config `meta: {borger_partier: true}`: its joins, windows and groups all keep a
    borger's rows together) can be built a share of the borgere at a time, with the same result.
    The largest are (fct_beregning, lis_borger_uge, int_taelleperioder, int_trappe_uger): over
    700,000 borgere one query needs more than DuckDB's memory limit, spills to disk and takes several
    times as long per borger (fct_beregning: 17 s at 140,000 borgere, 244 s at 700,000). A model
    built in parts also writes its rows in row groups by part, which the parts of the models that read
    it skip (B38): int_beregningsperioder is built in parts for fct_beregning's sake.
    orchestration/omfang.py decides the number of parts from the borgere the run recomputes
    (YR_PARTI_BORGERE per part) and sets YR_BORGER_PARTIER for dbt.

    The borgere of the part are in a temporary table named after the model, so no other model can
    read it, and the inputs are joined to it. (A filter like hash(borger_id) % n = part hid the
    inputs' sizes from DuckDB's planner, which then built its hash tables on the 21 M rows instead of
    the 98 kommuner: slower than one part.) Part 0 is the model's own statement (its pre-hook fills
    the table); the post-hook inserts the other parts, each with the model's own query.
-#}
{% macro borger_partier() -%}
    {%- if not execute or not config.get('meta', {}).get('borger_partier') -%}
        {{ return(1) }}
    {%- endif -%}
    {{ return(env_var('YR_BORGER_PARTIER', '1') | int) }}
{%- endmacro %}


{% macro _parti_table() -%}
    temp.main.yr_parti_{{ this.identifier }}
{%- endmacro %}


{#-
    The borgere of part `parti` (from 0): of all borgere (omfang.py's fingerprints) or of the run's
    scope, the parti-th of equal ranges of borger_id. A range, not a hash bucket: DuckDB passes the
    part's lowest and highest borger_id on to the scans of the inputs, which drop the other rows
    before they read their other columns (a part of fct_beregning at 700,000: 15.5 s against 16.9 s).
-#}
{% macro _fill_parti(parti) -%}
    create or replace temporary table {{ _parti_table() }} as
    select borger_id from (
        select borger_id, ntile({{ borger_partier() }}) over (order by borger_id) as parti
        from {{ source('omfang', 'borgere') if scoped_to_borgere() else source('omfang', 'fingeraftryk_ny') }}
    )
    where parti = {{ parti + 1 }}
{%- endmacro %}


{#- Pre-hook of a model built in parts: its own statement builds part 0. -#}
{% macro start_borger_partier() -%}
    {%- if borger_partier() > 1 -%}
        {{ _fill_parti(0) }}
    {%- endif -%}
{%- endmacro %}


{#- Post-hook of a model built in parts: the other parts, each by the model's own query. -#}
{% macro insert_borger_partier() -%}
    {%- if borger_partier() > 1 -%}
        {%- for parti in range(1, borger_partier()) %}
        {{ _fill_parti(parti) }};
        insert into {{ this }} by name ({{ sql }});
        {%- endfor %}
        drop table {{ _parti_table() }}
    {%- endif -%}
{%- endmacro %}


{#- Pre-hook of every per-borger model: remove what this run inserts again. -#}
{% macro delete_per_borger_scope() -%}
    {%- if scoped_to_borgere() -%}
        delete from {{ this }} where {{ in_scope() }}
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
        insert into omfang.upubliceret select borger_id, false from {{ source('omfang', 'borgere') }}
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
    {%- if not execute or env_var('YR_OMFANG', 'alle') != 'borgere' -%}
        {{ return(false) }}
    {%- endif -%}
    {%- for node in graph.nodes.values()
        if node.resource_type == 'model' and 'per_borger' in node.tags
        and node.alias == relation.identifier and node.schema == relation.schema -%}
        {{ return(true) }}
    {%- endfor -%}
    {{ return(false) }}
{%- endmacro %}


{#-
    The aggregated LIS marts (tag `per_gruppe`: lis_ydelse_uge, lis_trappetrin_uge, lis_aktivitet_uge,
    lis_finansiering_maaned) sum over all borgere, so a scoped run recomputes their groups rather than
    borgere: only the kommune × week (or × month) groups where a recomputed borger's LIS rows really
    changed. Most of a recomputed borger's history comes out as it was; the new week does not.

    - `capture_lis_before()`, a pre-hook of the two inputs that carry borgere into the aggregates
      (int_lis__raekker, int_dfdg__uger), keeps the hashes of the scoped borgere's rows as they were
      before the delete, summed per group, in omfang.lis_foer. A borger already kept there keeps its
      older rows: they are what the aggregates were last built from, also when a failed run left the
      input rebuilt and the aggregates not (omfang.py empties the table only after a whole
      successful build).
    - int_lis__aendringer sums the same borgere's rows now the same way, and lists the groups whose
      sums differ.
    - `delete_per_gruppe_scope()` and `per_gruppe_scope()` delete and recompute those groups.
    - A build of an input that is not scoped (by hand, a selection, a full refresh) leaves the flag
      `alle` (`mark_lis_inputs_rebuilt()`): until the next whole run has rebuilt the aggregates whole,
      no before-image can be trusted.
-#}
{#- on-run-start: the tables the hooks of this file write to (omfang.py empties or replaces them). -#}
{% macro create_omfang_tables() -%}
    create schema if not exists omfang;
    create table if not exists omfang.borgere (borger_id bigint);
    create table if not exists omfang.fingeraftryk_ny (borger_id bigint, fingeraftryk hugeint, raekker bigint);
    create table if not exists omfang.lis_foer (
        kilde varchar, borger_id bigint, kommunenummer varchar, uge date, maaned date, h hugeint, n bigint
    );
    create table if not exists omfang.lis_foer_borgere (kilde varchar, borger_id bigint);
    create table if not exists omfang.upubliceret (borger_id bigint, alle boolean)
{%- endmacro %}


{#-
    The rows an input held for a set of borgere, summed per group: per kommune, week and month for
    int_lis__raekker; per borger and week for int_dfdg__uger (a borger's activities count where they
    receive a ydelse that week, which int_lis__modtagere says). `h` is the sum of the rows' hashes, `n`
    their number: a group whose rows changed has another sum (as the fingerprints of omfang.py).
-#}
{% macro lis_group_hashes(relation, kilde, borgere) -%}
    {%- if kilde == 'raekker' -%}
        {%- set keys = 'cast(null as bigint) as borger_id, r.kommunenummer, r.uge, r.maaned' -%}
    {%- else -%}
        {%- set keys = 'r.borger_id, cast(null as varchar) as kommunenummer, r.uge, cast(null as date) as maaned' -%}
    {%- endif -%}
    select '{{ kilde }}' as kilde, {{ keys }}, sum(hash(r))::hugeint as h, count(*) as n
    from {{ relation }} as r
    where r.borger_id in ({{ borgere }})
    group by all
{%- endmacro %}


{% macro _lis_kilde() -%}
    {%- if this.identifier == 'int_lis__raekker' -%}
        {{ return('raekker') }}
    {%- elif this.identifier == 'int_dfdg__uger' -%}
        {{ return('dfdg') }}
    {%- endif -%}
    {{ exceptions.raise_compiler_error('capture_lis_before: not an input of the LIS aggregates: ' ~ this) }}
{%- endmacro %}


{% macro capture_lis_before() -%}
    {%- if scoped_to_borgere() -%}
        {%- set kilde = _lis_kilde() -%}
        create or replace temporary table lis_nye_borgere as
        select b.borger_id
        from {{ source('omfang', 'borgere') }} as b
        where b.borger_id not in (select f.borger_id from omfang.lis_foer_borgere as f where f.kilde = '{{ kilde }}');
        insert into omfang.lis_foer {{ lis_group_hashes(this, kilde, 'select borger_id from lis_nye_borgere') }};
        insert into omfang.lis_foer_borgere select '{{ kilde }}', borger_id from lis_nye_borgere;
        drop table lis_nye_borgere
    {%- endif -%}
{%- endmacro %}


{% macro mark_lis_inputs_rebuilt() -%}
    {%- if not scoped_to_borgere() -%}
        insert into omfang.lis_foer_borgere values ('alle', null)
    {%- endif -%}
{%- endmacro %}


{#- Is this aggregate recomputed by groups in this run? (Not when the flag `alle` is up.) -#}
{% macro scoped_to_groups() -%}
    {%- if not execute or not scoped_to_borgere() -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set flag = run_query("select count(*) from omfang.lis_foer_borgere where kilde = 'alle'") -%}
    {{ return(flag.columns[0].values()[0] == 0) }}
{%- endmacro %}


{#- The groups of this run: kommune × week, or kommune × month for a monthly mart. -#}
{% macro _group_match(alias, period) -%}
    exists (
        select 1 from {{ ref('int_lis__aendringer') }} as g
        where g.kommunenummer = {{ alias }}.kommunenummer and g.{{ period }} = {{ alias }}.{{ period }}
    )
{%- endmacro %}


{#- An input of an aggregate, narrowed to the groups of this run when it is recomputed by groups. -#}
{% macro per_gruppe_scope(relation, period='uge') -%}
    {%- if scoped_to_groups() -%}
        (select * from {{ relation }} as i where {{ _group_match('i', period) }})
    {%- else -%}
        {{ relation }}
    {%- endif -%}
{%- endmacro %}


{#- Pre-hook of every aggregate: remove the groups this run inserts again (all of them unless scoped). -#}
{% macro delete_per_gruppe_scope(period='uge') -%}
    {%- if scoped_to_groups() -%}
        delete from {{ this }} as t where {{ _group_match('t', period) }}
    {%- elif is_incremental() -%}
        delete from {{ this }}
    {%- endif -%}
{%- endmacro %}

{#- Every SQL construct that differs between engines lives here, behind adapter.dispatch.
    DuckDB is the default; Spark is the scale-out target. -#}

{#- The comparison form of a name: eventdw.names.normalize_name, the one implementation, which DuckDB (the
    dbt-duckdb plugin eventdw.dbt_plugin) and Spark (a UDF, eventdw.spark.register_functions) both call as
    eventdw_normalize_name. -#}
{% macro normalize_name(expression) -%}
    eventdw_normalize_name({{ expression }})
{%- endmacro %}

{#- Similarity of two strings in [0, 1]: Jaro-Winkler as DuckDB's built-in function computes it; on Spark the
    UDF eventdw.spark.jaro_winkler_similarity, which gives DuckDB's results (Spark's own built-in of that
    name does not). -#}
{% macro string_similarity(left, right) -%}
    {{ return(adapter.dispatch('string_similarity', 'eventdw')(left, right)) }}
{%- endmacro %}

{% macro default__string_similarity(left, right) -%}
    jaro_winkler_similarity({{ left }}, {{ right }})
{%- endmacro %}

{% macro spark__string_similarity(left, right) -%}
    eventdw_jaro_winkler_similarity({{ left }}, {{ right }})
{%- endmacro %}

{#- A short stable key from several columns (nulls count as empty strings). -#}
{% macro hash_key(columns, prefix='') -%}
    '{{ prefix }}' || substr(md5(concat_ws('|', {% for column in columns -%}
        coalesce(cast({{ column }} as string), ''){{ ',' if not loop.last }}
    {%- endfor %})), 1, 16)
{%- endmacro %}

{#- The distinct values of a column, sorted and joined with a separator. `long_lists`: the groups are few and
    their lists long (the coder's report: a spelling's million article ids), not many and short (an event's
    sources), which on DuckDB takes another aggregate. -#}
{% macro sorted_distinct_join(expression, separator='; ', long_lists=false) -%}
    {{ return(adapter.dispatch('sorted_distinct_join', 'eventdw')(expression, separator, long_lists)) }}
{%- endmacro %}

{#- DuckDB sorts a few long lists faster as an ordered distinct aggregate (at L, the report's 58 spellings
    with up to a million article ids each: 9.0 s against 15.5 s), and millions of short ones faster as lists
    (the 5.7 million events' article ids of fact_events: 13.9 s against 51.6 s). string_agg of no values is
    null, the joined empty list ''. -#}
{% macro default__sorted_distinct_join(expression, separator, long_lists) -%}
    {%- if long_lists -%}
    coalesce(string_agg(distinct {{ expression }}, '{{ separator }}' order by {{ expression }}), '')
    {%- else -%}
    array_to_string(list_sort(list_distinct(list({{ expression }}))), '{{ separator }}')
    {%- endif -%}
{%- endmacro %}

{% macro spark__sorted_distinct_join(expression, separator, long_lists) -%}
    array_join(sort_array(collect_set({{ expression }})), '{{ separator }}')
{%- endmacro %}

{#- The `count` smallest distinct values of a column, sorted and joined with a separator: a sample of a long
    list (the coder's report names a spelling's first 20 articles, not its million). -#}
{% macro first_distinct_join(expression, count, separator='; ') -%}
    {{ return(adapter.dispatch('first_distinct_join', 'eventdw')(expression, count, separator)) }}
{%- endmacro %}

{#- DuckDB's min(x, n) keeps the n smallest values in a heap per group, without sorting the list. -#}
{% macro default__first_distinct_join(expression, count, separator) -%}
    array_to_string(min(distinct {{ expression }}, {{ count }}), '{{ separator }}')
{%- endmacro %}

{% macro spark__first_distinct_join(expression, count, separator) -%}
    array_join(slice(sort_array(collect_set({{ expression }})), 1, {{ count }}), '{{ separator }}')
{%- endmacro %}

{#- The `count` first rows of extraction files, in file then row order ("a.csv row 2; a.csv row 10"),
    joined with '; '. -#}
{% macro first_source_rows_join(file_expression, row_expression, count) -%}
    {{ return(adapter.dispatch('first_source_rows_join', 'eventdw')(file_expression, row_expression, count)) }}
{%- endmacro %}

{% macro default__first_source_rows_join(file_expression, row_expression, count) -%}
    array_to_string(list_transform(
        min({'file': {{ file_expression }}, 'row': {{ row_expression }}}, {{ count }}),
        source_row -> source_row.file || ' row ' || source_row.row
    ), '; ')
{%- endmacro %}

{% macro spark__first_source_rows_join(file_expression, row_expression, count) -%}
    array_join(transform(
        slice(sort_array(collect_list(struct({{ file_expression }} as file, {{ row_expression }} as row))), 1, {{ count }}),
        source_row -> concat(source_row.file, ' row ', cast(source_row.row as string))
    ), '; ')
{%- endmacro %}

{#- A date moved by a whole number of days (negative moves back). -#}
{% macro add_days(date_expression, days) -%}
    {{ return(adapter.dispatch('add_days', 'eventdw')(date_expression, days)) }}
{%- endmacro %}

{% macro default__add_days(date_expression, days) -%}
    cast({{ date_expression }} + to_days(cast({{ days }} as integer)) as date)
{%- endmacro %}

{% macro spark__add_days(date_expression, days) -%}
    date_add({{ date_expression }}, {{ days }})
{%- endmacro %}

{#- Whether `item` is one of the comma-separated values of the text `list_text` ('IQ,SY' has 'SY'). -#}
{% macro list_contains_text(list_text, item) -%}
    {{ return(adapter.dispatch('list_contains_text', 'eventdw')(list_text, item)) }}
{%- endmacro %}

{% macro default__list_contains_text(list_text, item) -%}
    list_contains(string_split({{ list_text }}, ','), {{ item }})
{%- endmacro %}

{% macro spark__list_contains_text(list_text, item) -%}
    array_contains(split({{ list_text }}, ','), {{ item }})
{%- endmacro %}

{#- The values of `expression` joined with a separator, in the order of `order_by` (an aggregate). -#}
{% macro ordered_join(expression, order_by, separator='; ') -%}
    {{ return(adapter.dispatch('ordered_join', 'eventdw')(expression, order_by, separator)) }}
{%- endmacro %}

{% macro default__ordered_join(expression, order_by, separator) -%}
    string_agg({{ expression }}, '{{ separator }}' order by {{ order_by }})
{%- endmacro %}

{#- Spark's collect_list takes no order: the values come sorted alphabetically instead. -#}
{% macro spark__ordered_join(expression, order_by, separator) -%}
    array_join(sort_array(collect_list({{ expression }})), '{{ separator }}')
{%- endmacro %}

{#- The great-circle distance in km between two points given in degrees (null if either is null). -#}
{% macro great_circle_km(latitude1, longitude1, latitude2, longitude2) -%}
    2 * 6371.0 * asin(sqrt(
        power(sin(radians({{ latitude2 }} - {{ latitude1 }}) / 2), 2)
        + cos(radians({{ latitude1 }})) * cos(radians({{ latitude2 }}))
            * power(sin(radians({{ longitude2 }} - {{ longitude1 }}) / 2), 2)
    ))
{%- endmacro %}

{#- Every column of the relation selected from but `columns` (a list of names). -#}
{% macro star_except(columns) -%}
    {{ return(adapter.dispatch('star_except', 'eventdw')(columns)) }}
{%- endmacro %}

{% macro default__star_except(columns) -%}
    * exclude ({{ columns | join(', ') }})
{%- endmacro %}

{% macro spark__star_except(columns) -%}
    * except ({{ columns | join(', ') }})
{%- endmacro %}

{#- Incremental builds. Each incremental model deletes the rows this build rebuilds (its pre-hook,
    `{% call delete_from_this() %}predicate{% endcall %}`) and then inserts them as they are now, with dbt's
    `append` or `delete+insert` strategy. DuckDB deletes rows in place. On Spark, a table whose format has
    row-level deletes (delta, iceberg, hudi) deletes them too; a Parquet table, which has none, is written
    again without them (`insert overwrite` from a copy of the rows kept: Spark does not overwrite a table it
    is reading). So an incremental build on Parquet computes only what changed, like DuckDB's, and rewrites
    the incremental tables. -#}
{% macro delete_from_this() -%}
    {{ return(adapter.dispatch('delete_from_this', 'eventdw')(caller())) }}
{%- endmacro %}

{% macro default__delete_from_this(predicate) -%}
    delete from {{ this }} where {{ predicate }}
{%- endmacro %}

{% macro spark__delete_from_this(predicate) -%}
    {%- if spark_format_deletes_rows() -%}
    delete from {{ this }} where {{ predicate }}
    {%- else -%}
    {%- set kept = spark_work_table(this, 'kept') -%}
    {%- do run_query('drop table if exists ' ~ kept) -%}
    {%- do run_query('create table ' ~ kept ~ ' using ' ~ config.get('file_format', 'parquet') ~ ' as select * from '
        ~ this ~ ' where not coalesce((' ~ predicate ~ '), false)') -%}
    {%- do run_query('insert overwrite table ' ~ this ~ ' select * from ' ~ kept) -%}
    drop table {{ kept }}
    {%- endif -%}
{%- endmacro %}

{#- Whether the model's Spark table format deletes rows in place. -#}
{% macro spark_format_deletes_rows() -%}
    {{ return(config.get('file_format', 'parquet') in ['delta', 'iceberg', 'hudi']) }}
{%- endmacro %}

{#- A table of `relation`'s schema for one step of a Spark write (`<name>__eventdw_<step>`). -#}
{% macro spark_work_table(relation, step) -%}
    {{ return(relation.incorporate(path={'identifier': relation.identifier ~ '__eventdw_' ~ step})) }}
{%- endmacro %}

{#- dbt-spark's strategies, and `delete+insert` (DuckDB's, which the models use): the target's rows whose
    unique key the new rows have are deleted, then the new rows inserted. dbt-spark has no such strategy:
    these two overrides of its macros add it, for every table format (see delete_from_this). -#}
{% macro dbt_spark_validate_get_incremental_strategy(raw_strategy, file_format) -%}
    {%- if raw_strategy == 'delete+insert' -%}
    {{ return(raw_strategy) }}
    {%- endif -%}
    {{ return(dbt.dbt_spark_validate_get_incremental_strategy(raw_strategy, file_format)) }}
{%- endmacro %}

{% macro dbt_spark_get_incremental_sql(strategy, source, target, existing, unique_key, incremental_predicates) -%}
    {%- if strategy != 'delete+insert' -%}
    {{ return(dbt.dbt_spark_get_incremental_sql(strategy, source, target, existing, unique_key,
                                                       incremental_predicates)) }}
    {%- endif -%}
    {%- set keys = [unique_key] if unique_key is string else unique_key -%}
    {%- set columns = adapter.get_columns_in_relation(target) | map(attribute='quoted') | list -%}
    {%- set file_format = config.get('file_format', 'parquet') -%}
    {#- The new rows, computed once: the model's query may read the target. -#}
    {%- set batch = spark_work_table(target, 'batch') -%}
    {%- do run_query('drop table if exists ' ~ batch) -%}
    {%- do run_query('create table ' ~ batch ~ ' using ' ~ file_format ~ ' as select ' ~ columns | join(', ')
        ~ ' from ' ~ source) -%}
    {%- set same_key -%}
        {%- for key in keys %}target.{{ key }} = batch.{{ key }}{{ ' and ' if not loop.last }}{% endfor -%}
    {%- endset -%}
    {%- if spark_format_deletes_rows() -%}
    {%- do run_query('delete from ' ~ target ~ ' as target where exists (select 1 from ' ~ batch ~ ' as batch where '
        ~ same_key ~ ')') -%}
    {%- do run_query('insert into table ' ~ target ~ ' select * from ' ~ batch) -%}
    {%- else -%}
    {%- set next = spark_work_table(target, 'next') -%}
    {%- do run_query('drop table if exists ' ~ next) -%}
    {%- set kept_columns = [] -%}
    {%- for column in columns %}{% do kept_columns.append('target.' ~ column) %}{% endfor -%}
    {%- do run_query('create table ' ~ next ~ ' using ' ~ file_format ~ ' as select ' ~ kept_columns | join(', ')
        ~ ' from ' ~ target ~ ' as target left anti join ' ~ batch ~ ' as batch on ' ~ same_key
        ~ ' union all select * from ' ~ batch) -%}
    {%- do run_query('insert overwrite table ' ~ target ~ ' select * from ' ~ next) -%}
    {%- do run_query('drop table ' ~ next) -%}
    {%- endif -%}
    drop table {{ batch }}
{%- endmacro %}

{#- A CTE computed once and kept (DuckDB's `as materialized (...)`); Spark plans CTEs itself. -#}
{% macro materialized_cte() -%}
    {{ return(adapter.dispatch('materialized_cte', 'eventdw')()) }}
{%- endmacro %}

{% macro default__materialized_cte() -%}
    materialized
{%- endmacro %}

{% macro spark__materialized_cte() -%}
{%- endmacro %}

{#- How many non-blank items the text `list_text` holds, split at `separator` ('a; b;' has 2). -#}
{% macro count_list_items(list_text, separator) -%}
    {{ return(adapter.dispatch('count_list_items', 'eventdw')(list_text, separator)) }}
{%- endmacro %}

{% macro default__count_list_items(list_text, separator) -%}
    len(list_filter(string_split({{ list_text }}, '{{ separator }}'), s -> trim(s) <> ''))
{%- endmacro %}

{% macro spark__count_list_items(list_text, separator) -%}
    size(filter(split({{ list_text }}, '{{ separator }}'), s -> trim(s) <> ''))
{%- endmacro %}

{#- The date of a GDELT time written as digits, YYYYMMDDHHMMSS (20241206143000). -#}
{% macro date_from_digits(expression) -%}
    {{ return(adapter.dispatch('date_from_digits', 'eventdw')(expression)) }}
{%- endmacro %}

{% macro default__date_from_digits(expression) -%}
    cast(strptime(cast({{ expression }} as varchar), '%Y%m%d%H%M%S') as date)
{%- endmacro %}

{% macro spark__date_from_digits(expression) -%}
    to_date(substr(cast({{ expression }} as string), 1, 8), 'yyyyMMdd')
{%- endmacro %}

{#- The date (UTC) of a Unix time in seconds (ACLED's `timestamp`). -#}
{% macro date_from_unix_seconds(expression) -%}
    {{ return(adapter.dispatch('date_from_unix_seconds', 'eventdw')(expression)) }}
{%- endmacro %}

{% macro default__date_from_unix_seconds(expression) -%}
    cast(to_timestamp({{ expression }}) as date)
{%- endmacro %}

{% macro spark__date_from_unix_seconds(expression) -%}
    cast(timestamp_seconds({{ expression }}) as date)
{%- endmacro %}

{#- A 64-bit hash of several values together: a key to block candidate pairs by, never stored. -#}
{% macro hash_values(expressions) -%}
    {{ return(adapter.dispatch('hash_values', 'eventdw')(expressions)) }}
{%- endmacro %}

{% macro default__hash_values(expressions) -%}
    hash({{ expressions | join(', ') }})
{%- endmacro %}

{% macro spark__hash_values(expressions) -%}
    xxhash64({{ expressions | join(', ') }})
{%- endmacro %}

{#- The Monday (a timestamp) of each week from the date `first_date` to the date `last_date`, one per row:
    a select-list item, the row repeated once per week. -#}
{% macro unnest_week_starts(first_date, last_date) -%}
    {{ return(adapter.dispatch('unnest_week_starts', 'eventdw')(first_date, last_date)) }}
{%- endmacro %}

{% macro default__unnest_week_starts(first_date, last_date) -%}
    unnest(generate_series(
        date_trunc('week', cast({{ first_date }} as timestamp)),
        date_trunc('week', cast({{ last_date }} as timestamp)),
        interval 7 day
    ))
{%- endmacro %}

{% macro spark__unnest_week_starts(first_date, last_date) -%}
    explode(sequence(
        date_trunc('week', cast({{ first_date }} as timestamp)),
        date_trunc('week', cast({{ last_date }} as timestamp)),
        interval 7 day
    ))
{%- endmacro %}

{#- The order a full build stores a partitioned mart's rows in, as the model's post-hook: by the date its
    export cuts it into months by, nulls last, then its key (eventdw.export.PARTITIONED). DuckDB keeps the
    smallest and largest value of each row group's columns, so a query of some months (the export of the
    months a day's run changed, a dashboard's date range) reads their row groups and skips the rest; stored
    in no order, a month's rows lie in every row group. The table is written again, sorted, once built: an
    `order by` in the model's own query sorted while its aggregates still held their memory, and
    fact_events ran out of DuckDB's 4 GB at ten million rows. On a full refresh alone (eventdw's full builds
    are `--full-refresh`; in a post-hook the table exists, so is_incremental() says nothing): an incremental
    build appends its rows after them, in the last row groups. Spark writes files: no order. -#}
{% macro stored_by_date(date, key) -%}
    {{ return(adapter.dispatch('stored_by_date', 'eventdw')(date, key)) }}
{%- endmacro %}

{% macro default__stored_by_date(date, key) -%}
    {%- if should_full_refresh() -%}
    create or replace table {{ this }} as select * from {{ this }} order by {{ date }} nulls last, {{ key }}
    {%- endif -%}
{%- endmacro %}

{% macro spark__stored_by_date(date, key) -%}
{%- endmacro %}

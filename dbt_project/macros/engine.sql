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

{#- The distinct values of a column, sorted and joined with a separator. -#}
{% macro sorted_distinct_join(expression, separator='; ') -%}
    {{ return(adapter.dispatch('sorted_distinct_join', 'eventdw')(expression, separator)) }}
{%- endmacro %}

{% macro default__sorted_distinct_join(expression, separator) -%}
    array_to_string(list_sort(list_distinct(list({{ expression }}))), '{{ separator }}')
{%- endmacro %}

{% macro spark__sorted_distinct_join(expression, separator) -%}
    array_join(sort_array(collect_set({{ expression }})), '{{ separator }}')
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

{#- The materialization of the incremental models: incremental on DuckDB (delete the batch's rows, insert
    them again); on Spark, for now, a table rebuilt whole by every build, which needs no DELETE (Parquet
    tables have none): the same rows, at the cost of a full build. -#}
{% macro incremental_materialization() -%}
    {{ return(adapter.dispatch('incremental_materialization', 'eventdw')()) }}
{%- endmacro %}

{% macro default__incremental_materialization() -%}
    {{ return('incremental') }}
{%- endmacro %}

{% macro spark__incremental_materialization() -%}
    {{ return('table') }}
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

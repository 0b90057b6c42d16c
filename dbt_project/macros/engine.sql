{#- Every SQL construct that differs between engines lives here, behind adapter.dispatch.
    DuckDB is the default; Spark is the scale-out target. -#}

{#- The comparison form of a name (eventdw.names.normalize_name). -#}
{% macro normalize_name(expression) -%}
    {{ return(adapter.dispatch('normalize_name', 'eventdw')(expression)) }}
{%- endmacro %}

{% macro default__normalize_name(expression) -%}
    eventdw_normalize_name({{ expression }})
{%- endmacro %}

{#- Spark has no anyascii: the same steps but transliteration, in SQL. -#}
{% macro spark__normalize_name(expression) -%}
    trim(regexp_replace(regexp_replace(regexp_replace(
        regexp_replace(lower({{ expression }}), '[.\'`´’ʼʻ‘ʿʾ]', ''),
        '[^a-z0-9]+', ' '),
        '(^| )(al|el|il|ul|ez|az|es|as|ash|esh|ad|ed|adh|ar|er|at|et|an|en)(?= )', ' '),
        '^the | +', ' '))
{%- endmacro %}

{#- Similarity of two strings in [0, 1]. -#}
{% macro string_similarity(left, right) -%}
    {{ return(adapter.dispatch('string_similarity', 'eventdw')(left, right)) }}
{%- endmacro %}

{% macro default__string_similarity(left, right) -%}
    jaro_winkler_similarity({{ left }}, {{ right }})
{%- endmacro %}

{% macro spark__string_similarity(left, right) -%}
    (1.0 - levenshtein({{ left }}, {{ right }}) / greatest(length({{ left }}), length({{ right }}), 1))
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

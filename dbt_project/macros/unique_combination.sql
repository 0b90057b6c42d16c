{#- Generic test: no two rows share the same values in `columns` (dbt_utils' unique_combination_of_columns,
    written here because dbt packages cannot be fetched offline). -#}
{% test unique_combination(model, columns) %}
    select {{ columns | join(', ') }}, count(*) as row_count
    from {{ model }}
    group by {{ columns | join(', ') }}
    having count(*) > 1
{% endtest %}

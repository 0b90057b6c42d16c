{#- Generic data tests dbt's packages would give (dbt_utils cannot be fetched offline), written once here. -#}

{#- No value of the column lies outside [min_value, max_value] (nulls pass; either bound may be omitted). -#}
{% test values_between(model, column_name, min_value=none, max_value=none) %}
    select {{ column_name }} from {{ model }}
    where {{ column_name }} is not null and (
        {%- if min_value is not none %} {{ column_name }} < {{ min_value }}{% endif %}
        {%- if min_value is not none and max_value is not none %} or{% endif %}
        {%- if max_value is not none %} {{ column_name }} > {{ max_value }}{% endif %}
    )
{% endtest %}

{#- In every row the columns never decrease from one to the next, where both are known (low <= best <= high). -#}
{% test values_in_order(model, columns, row_names) %}
    select {{ row_names | join(', ') }}, {{ columns | join(', ') }} from {{ model }}
    where
    {%- for index in range(columns | length - 1) %}
        {{ columns[index] }} > {{ columns[index + 1] }}{{ ' or' if not loop.last }}
    {%- endfor %}
{% endtest %}

{#- The model holds exactly one row. -#}
{% test one_row(model) %}
    select count(*) as num_rows from {{ model }} having count(*) <> 1
{% endtest %}

{#- Helpers for matching dates within a window by equality, which every engine joins by hash: a window of
    +-n days becomes a join on the 2n + 1 dates it covers, instead of a range condition that pairs every
    mention of a key with every other before filtering. -#}

{#- The day offsets -days..days, as a relation with one column, day_offset. -#}
{% macro day_offsets(days) -%}
    (select * from (values
        {%- for offset in range(-days, days + 1) %} ({{ offset }}){{ ',' if not loop.last }}{% endfor %}
    ) as offsets (day_offset))
{%- endmacro %}

{#- `left.c = right.c and ...` over the given columns. -#}
{% macro columns_equal(columns, left, right) -%}
    {%- for column in columns %}{{ left }}.{{ column }} = {{ right }}.{{ column }}{{ ' and ' if not loop.last }}{% endfor -%}
{%- endmacro %}

{#- Per `key` of `relation`, its most frequent non-null `value` (of values as frequent, the smallest), as a
    select of (key, value): the same answer on every engine, where `mode()` leaves ties to the engine. -#}
{% macro most_frequent(relation, key, value, where='true') -%}
    select {{ key }}, {{ value }}
    from (
        select
            {{ key }},
            {{ value }},
            row_number() over (partition by {{ key }} order by count(*) desc, {{ value }}) as frequency_rank
        from {{ relation }}
        where {{ value }} is not null and ({{ where }})
        group by {{ key }}, {{ value }}
    ) as ranked
    where frequency_rank = 1
{%- endmacro %}

{#-
    An actor's ACLED inter code at an event's place: a state's forces (inter 1) acting outside their own
    country are External/Other forces (8), as ACLED codes the Military Forces of Russia in Syria. The actor's
    own code otherwise, and where the actor's or the place's country is unknown.
    actor: alias of a relation with acled_inter_code and country_iso3; place: alias of one with country_iso3.
-#}
{% macro inter_code_at_place(actor, place) -%}
    case
        when {{ actor }}.acled_inter_code = 1
            and {{ actor }}.country_iso3 is not null
            and {{ place }}.country_iso3 is not null
            and {{ actor }}.country_iso3 <> {{ place }}.country_iso3
            then 8
        else {{ actor }}.acled_inter_code
    end
{%- endmacro %}

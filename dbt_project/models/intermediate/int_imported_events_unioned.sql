-- Every ACLED and GDELT event (stg_imports__*) in one shape, with its actors, place and codes as its source
-- writes them and its country resolved: the input int_imported_events resolves actors and places for.
--
-- Incremental builds rebuild the imported events whose rows changed (eventdw.state: a row of the event,
-- a deletion of it or, for GDELT, one of its mentions added, changed or removed).
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='event_id',
    on_schema_change='fail',
    pre_hook="{% if is_incremental() %}{% call delete_from_this() %}event_id in
        ({{ imported_events_rebuilt_in_this_build() }}){% endcall %}{% endif %}"
) }}
-- depends_on: {{ ref('stg_build_state__imports_to_rebuild') }}

with

acled as (
    select * from {{ ref('stg_imports__acled_events') }}
    {% if is_incremental() %}
    where 'acled:' || event_id_cnty in ({{ imported_events_rebuilt_in_this_build() }})
    {% endif %}
),

gdelt as (
    select * from {{ ref('stg_imports__gdelt_events') }}
    {% if is_incremental() %}
    where 'gdelt:' || cast(global_event_id as {{ dbt.type_string() }}) in ({{ imported_events_rebuilt_in_this_build() }})
    {% endif %}
),

gdelt_mentions as (
    select * from {{ ref('stg_imports__gdelt_mentions') }}
),

countries as (
    select * from {{ ref('stg_reference__geonames_countries') }}
),

actor_types as (
    select * from {{ ref('stg_reference__acled_actor_types') }}
),

gdelt_mention_counts as (
    select
        gdelt_mentions.global_event_id,
        count(*) as mentions_loaded,
        count(distinct gdelt_mentions.mention_identifier) as articles_loaded,
        min(gdelt_mentions.mention_time_date) as first_mention_time
    from gdelt_mentions
    inner join gdelt on gdelt.global_event_id = gdelt_mentions.global_event_id
    group by gdelt_mentions.global_event_id
),

final as (
    select
        'acled:' || acled.event_id_cnty as event_id,
        'acled' as source_system,
        acled.event_id_cnty as source_event_id,
        acled.event_date,
        coalesce(acled.time_precision, 1) as time_precision,
        coalesce(acled.geo_precision, 1) as geo_precision,
        acled.actor1 as actor1_text,
        acled.actor2 as actor2_text,
        cast(null as {{ dbt.type_string() }}) as actor1_code,
        cast(null as {{ dbt.type_string() }}) as actor2_code,
        type1.acled_inter_code as actor1_given_inter_code,
        type2.acled_inter_code as actor2_given_inter_code,
        countries.country_iso2,
        countries.country_iso3,
        acled.location as location_text,
        acled.admin1 as admin1_text,
        acled.admin2 as admin2_text,
        acled.latitude,
        acled.longitude,
        cast(null as integer) as geo_type,
        cast(null as {{ dbt.type_string() }}) as feature_id,
        cast(null as {{ dbt.type_string() }}) as cameo_code,
        cast(null as integer) as quad_class,
        cast(null as double) as goldstein_scale,
        acled.sub_event_type as acled_sub_event_type,
        acled.fatalities,
        1 as num_mentions,
        greatest(1, {{ count_list_items("coalesce(acled.source, '')", ';') }})
            as num_articles,
        {{ date_from_unix_seconds('acled.timestamp') }} as last_reported_date,
        cast(null as date) as first_reported_date
    from acled
    left join countries
        on countries.country_iso_numeric = acled.iso
        or (acled.iso is null and countries.country_iso3 = upper(acled.iso3))
    left join actor_types as type1 on type1.acled_inter_type = acled.inter1
    left join actor_types as type2 on type2.acled_inter_type = acled.inter2
    union all
    select
        'gdelt:' || cast(gdelt.global_event_id as {{ dbt.type_string() }}),
        'gdelt',
        cast(gdelt.global_event_id as {{ dbt.type_string() }}),
        gdelt.event_date,
        1,
        -- GDELT's geographic types: 3 and 4 a city or landmark, 2 and 5 a first-level region, 1 a country.
        case when gdelt.action_geo_type in (3, 4) then 1 when gdelt.action_geo_type in (1, 2, 5) then 3 end,
        gdelt.actor1_name,
        gdelt.actor2_name,
        gdelt.actor1_code,
        gdelt.actor2_code,
        cast(null as integer),
        cast(null as integer),
        countries.country_iso2,
        countries.country_iso3,
        trim(split_part(gdelt.action_geo_full_name, ',', 1)),
        case when gdelt.action_geo_type in (3, 4) then nullif(trim(split_part(gdelt.action_geo_full_name, ',', 2)), '') end,
        cast(null as {{ dbt.type_string() }}),
        gdelt.action_geo_lat,
        gdelt.action_geo_long,
        gdelt.action_geo_type,
        gdelt.action_geo_feature_id,
        gdelt.event_code,
        gdelt.quad_class,
        gdelt.goldstein_scale,
        cast(null as {{ dbt.type_string() }}),
        cast(null as integer),
        greatest(coalesce(gdelt.num_mentions, 0), coalesce(gdelt_mention_counts.mentions_loaded, 0), 1),
        greatest(coalesce(gdelt.num_articles, 0), coalesce(gdelt_mention_counts.articles_loaded, 0), 1),
        {{ date_from_digits('gdelt.date_added') }},
        {{ date_from_digits('gdelt_mention_counts.first_mention_time') }}
    from gdelt
    left join countries on countries.fips_code = gdelt.action_geo_country_code
    left join gdelt_mention_counts on gdelt_mention_counts.global_event_id = gdelt.global_event_id
)

select * from final

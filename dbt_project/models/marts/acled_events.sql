-- fact_events in ACLED's current export format (ACLED's column names and order, one row per event), so that
-- tooling written for ACLED downloads reads the warehouse unchanged: the coded events, and the ACLED events
-- imported from acled/ with ACLED's own values (an ACLED file imported and exported comes back with the
-- same values in its ACLED columns). GDELT's events are not ACLED's: they are in fact_events only. The actor types are ACLED's names
-- ("Rebel group"), the interaction the two joined smaller code first ("State forces-Rebel group", or
-- "Protesters only"), as ACLED writes them since 2023 (the export's --acled-inter-numeric gives the older
-- numbers). Where eventdw knows more than ACLED's format can hold, it says so in `tags`:
--   * time_precision 4 (year) does not exist in ACLED: exported as 3, tagged "eventdw: year precision";
--   * ACLED records unknown fatalities as 0: exported as 0, tagged "eventdw: fatalities unknown";
--   * an actor or place no reference knows is exported as written, tagged "eventdw: actor1 unresolved".
-- `timestamp` is the last report's date (epoch seconds), not the export time, so exports are reproducible.
-- `region` is ACLED's region of the country; `source` the publishers of its articles; `source_system` (after ACLED's columns) says whose event it is.
--
-- Incremental runs delete, then rebuild, the rows of the events regrouped in this run and of the events
-- their regrouped or removed mentions were in before (event_id_cnty is the country code followed by the
-- event id without its "EV").
-- depends_on: {{ ref('int_mentions_grouped_into_events') }}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='event_id_cnty',
    on_schema_change='fail',
    post_hook="{{ stored_by_date('event_date', 'event_id_cnty') }}",
    pre_hook="{% if is_incremental() %}{% call delete_from_this() %}(source_system = 'coded' and substr(event_id_cnty, 4) in
        (select substr(event_id, 3) from ({{ events_rebuilt_in_this_build() }}) as rebuilt))
        or (source_system = 'acled' and 'acled:' || event_id_cnty in ({{ imported_events_rebuilt_in_this_build() }})){% endcall %}{% endif %}"
) }}
-- depends_on: {{ ref('stg_build_state__imports_to_rebuild') }}
-- depends_on: {{ ref('int_mentions_anchored_to_events') }}
-- Built after bridge_event_sources, never beside it: each is a pass over every event that needs about
-- 2.5 GB at ten million mentions, and the two at once on dbt's two threads exceed the 4 GB memory cap.
-- depends_on: {{ ref('bridge_event_sources') }}

with

coded_events as (
    select * from {{ ref('fact_events') }}
    where source_system = 'coded'
    {% if is_incremental() %}
        and event_id in ({{ events_rebuilt_in_this_build() }})
    {% endif %}
),

-- The events with their names, as events_described has them, of the events rebuilt alone.
events as (
    {{ describe_events('coded_events') }}
),

acled_imported as (
    select * from {{ ref('stg_imports__acled_events') }}
    {% if is_incremental() %}
    where 'acled:' || event_id_cnty in ({{ imported_events_rebuilt_in_this_build() }})
    {% endif %}
),

mentions as (
    select event_id, mention_id, article_id, quote from {{ ref('fact_event_mentions') }}
    {% if is_incremental() %}
    where event_id in ({{ events_rebuilt_in_this_build() }})  -- the sources and notes of the events rebuilt
    {% endif %}
),

articles as (
    select article_id, publisher, published_date from {{ ref('dim_article') }}
),

actor_types as (
    select * from {{ ref('stg_reference__acled_actor_types') }}
),

-- Each report of an event: its quote, its source (the article's publisher, or the article's id when its
-- text credits none) and its order (the first published first).
reports as (
    select
        mentions.event_id,
        mentions.quote,
        coalesce(articles.publisher, mentions.article_id) as source,
        row_number() over (
            partition by mentions.event_id
            order by articles.published_date nulls last, mentions.article_id, mentions.mention_id
        ) as report_rank
    from mentions
    inner join articles on articles.article_id = mentions.article_id
),

-- ACLED's source (the event's sources) and notes (its first report's quote), in one pass over the reports:
-- mentions and articles read once each, so that DuckDB streams them instead of holding them for a second
-- read (at ten million mentions, a second read held every mention and article in memory).
event_reports as (
    select
        event_id,
        {{ sorted_distinct_join('source') }} as sources,
        max(case when report_rank = 1 then quote end) as first_quote
    from reports
    group by event_id
),

final as (
    select
        coalesce(events.country_iso3, 'XXX') || substr(events.event_id, 3) as event_id_cnty,
        events.event_date,
        cast(extract(year from events.event_date) as integer) as year,
        least(events.time_precision, 3) as time_precision,
        events.acled_disorder_type as disorder_type,
        events.acled_event_type as event_type,
        events.acled_sub_event_type as sub_event_type,
        events.actor1_name as actor1,
        cast(null as {{ dbt.type_string() }}) as assoc_actor_1,
        type1.acled_inter_type as inter1,
        events.actor2_name as actor2,
        cast(null as {{ dbt.type_string() }}) as assoc_actor_2,
        type2.acled_inter_type as inter2,
        case
            when events.actor2_id is null then type1.acled_inter_type || ' only'
            when events.actor1_inter_code <= events.actor2_inter_code
                then type1.acled_inter_type || '-' || type2.acled_inter_type
            else type2.acled_inter_type || '-' || type1.acled_inter_type
        end as interaction,
        case
            when events.acled_disorder_type like 'Political violence%'
                and (events.actor1_inter_code = 7 or events.actor2_inter_code = 7)
                then 'Civilian targeting'
        end as civilian_targeting,
        events.country_iso_numeric as iso,
        events.acled_region as region,
        events.country_name as country,
        events.admin1_name as admin1,
        events.admin2_name as admin2,
        cast(null as {{ dbt.type_string() }}) as admin3,
        events.place_name as location,
        events.latitude,
        events.longitude,
        events.geo_precision,
        event_reports.sources as source,
        cast(null as {{ dbt.type_string() }}) as source_scale,
        event_reports.first_quote as notes,
        coalesce(events.fatalities, 0) as fatalities,
        nullif(concat_ws(
            '; ',
            case when events.time_precision = 4 then 'eventdw: year precision' end,
            case when events.fatalities is null then 'eventdw: fatalities unknown' end,
            case when events.actor1_id like 'unresolved:%' then 'eventdw: actor1 unresolved' end,
            case when events.actor2_id like 'unresolved:%' then 'eventdw: actor2 unresolved' end,
            case when events.place_id like 'unresolved:%' then 'eventdw: location unresolved' end
        ), '') as tags,
        cast({{ dbt.datediff("date '1970-01-01'", 'events.last_reported_date', 'day') }} as bigint) * 86400 as timestamp,
        'coded' as source_system
    from events
    left join event_reports on event_reports.event_id = events.event_id
    left join actor_types as type1 on type1.acled_inter_code = events.actor1_inter_code
    left join actor_types as type2 on type2.acled_inter_code = events.actor2_inter_code and events.actor2_id is not null
),

imported as (
    select
        event_id_cnty,
        event_date,
        year,
        time_precision,
        disorder_type,
        event_type,
        sub_event_type,
        actor1,
        assoc_actor_1,
        inter1,
        actor2,
        assoc_actor_2,
        inter2,
        interaction,
        civilian_targeting,
        iso,
        region,
        country,
        admin1,
        admin2,
        admin3,
        location,
        latitude,
        longitude,
        geo_precision,
        source,
        source_scale,
        notes,
        fatalities,
        tags,
        timestamp,
        'acled' as source_system
    from acled_imported
),

unioned as (
    select * from final
    union all
    select * from imported
)

{{ select_with_provenance('unioned') }}

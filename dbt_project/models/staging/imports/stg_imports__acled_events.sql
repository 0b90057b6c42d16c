-- ACLED's events as they stand. ACLED revises an event under the same event_id_cnty, with a later
-- `timestamp`, and publishes deletions: of every row read for an event, the one with the latest timestamp
-- is current (ties: the last file by name, then the last row); a deletion whose deleted_timestamp is at or
-- after that timestamp removes the event (a later revision brings it back). A row without a timestamp is
-- older than any with one.
with

source as (
    select * from {{ source('imports', 'acled_events') }}
),

deletions as (
    select event_id_cnty, max(deleted_timestamp) as deleted_timestamp
    from {{ source('imports', 'acled_deletions') }}
    group by event_id_cnty
),

event_types as (
    select * from {{ ref('stg_reference__acled_event_types') }}
),

versions as (
    select
        *,
        row_number() over (
            partition by event_id_cnty
            order by timestamp desc nulls last, source_file desc, row_number desc
        ) as version_rank,
        count(*) over (partition by event_id_cnty) as revisions
    from source
),

current_versions as (
    select versions.*
    from versions
    left join deletions on deletions.event_id_cnty = versions.event_id_cnty
    where versions.version_rank = 1
        and (deletions.deleted_timestamp is null or deletions.deleted_timestamp < coalesce(versions.timestamp, 0))
),

renamed as (
    select
        current_versions.event_id_cnty,
        current_versions.event_date,
        coalesce(current_versions.year, cast(extract(year from current_versions.event_date) as integer)) as year,
        current_versions.time_precision,
        coalesce(current_versions.disorder_type, event_types.acled_disorder_type) as disorder_type,
        current_versions.event_type,
        current_versions.sub_event_type,
        current_versions.actor1,
        current_versions.assoc_actor_1,
        current_versions.inter1,
        current_versions.actor2,
        current_versions.assoc_actor_2,
        current_versions.inter2,
        current_versions.interaction,
        current_versions.civilian_targeting,
        current_versions.iso,
        current_versions.region,
        current_versions.country,
        current_versions.admin1,
        current_versions.admin2,
        current_versions.admin3,
        current_versions.location,
        current_versions.latitude,
        current_versions.longitude,
        current_versions.geo_precision,
        current_versions.source,
        current_versions.source_scale,
        current_versions.notes,
        current_versions.fatalities,
        current_versions.tags,
        current_versions.timestamp,
        current_versions.data_id,
        current_versions.event_id_no_cnty,
        current_versions.iso3,
        case
            when current_versions.data_id is not null or current_versions.iso3 is not null then 'older'
            else 'current'
        end as acled_format,
        current_versions.revisions,
        current_versions.source_file,
        current_versions.row_number
    from current_versions
    left join event_types on event_types.acled_sub_event_type = current_versions.sub_event_type
)

select * from renamed

-- One row per event with the names its ids stand for: its actors', its place's (with its first-level region
-- and country) and its CAMEO code's (the macro describe_events). The one place events are joined to their
-- names: the dashboard (through the export of this model) and docs/queries.sql read it, and acled_events
-- describes the events it rebuilds with the same macro.
{{ config(materialized='view') }}

with

events as (
    select * from {{ ref('fact_events') }}
),

final as (
    {{ describe_events('events') }}
)

select * from final

with

source as (
    select * from {{ source('reference', 'ref_acled_event_types') }}
),

renamed as (
    select
        trim(disorder_type) as acled_disorder_type,
        trim(event_type) as acled_event_type,
        trim(sub_event_type) as acled_sub_event_type
    from source
)

select * from renamed

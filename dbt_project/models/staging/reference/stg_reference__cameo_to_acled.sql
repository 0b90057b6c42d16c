with

source as (
    select * from {{ source('reference', 'ref_cameo_to_acled') }}
),

renamed as (
    select
        trim(cameo_code) as cameo_code_prefix,
        trim(acled_event_type) as acled_event_type,
        trim(acled_sub_event_type) as acled_sub_event_type,
        notes
    from source
)

select * from renamed

with

source as (
    select * from {{ source('reference', 'country_forms') }}
),

renamed as (
    select
        form,
        form_kind,
        country_iso2,
        country_iso3,
        country_name
    from source
)

select * from renamed

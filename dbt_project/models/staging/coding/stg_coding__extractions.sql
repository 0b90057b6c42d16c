with

source as (
    select * from {{ source('coding', 'extractions') }}
),

renamed as (
    select
        extraction_id as mention_id,
        article_id,
        event_date,
        time_precision,
        event_window_start,
        actor1 as actor1_text,
        actor2 as actor2_text,
        cameo_code,
        acled_sub_event_type,
        location as location_text,
        country_iso2 as coded_country_iso2,
        geo_precision,
        fatalities,
        quote,
        quote_start,
        quote_end,
        quote_as_coded,
        coder,
        confidence,
        notes,
        source_file,
        row_number,
        row_hash
    from source
)

select * from renamed

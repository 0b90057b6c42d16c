-- GDELT 2.0 events, one per GLOBALEVENTID, in snake case (SQLDATE as event_date, a date). GDELT does not
-- revise events; an event read twice (the same file under two names, an export re-downloaded) is kept
-- once, as its latest row (DATEADDED, then file and row).
with

source as (
    select * from {{ source('imports', 'gdelt_events') }}
),

renamed as (
    select
        {{ adapter.quote('GLOBALEVENTID') }} as global_event_id,
        {{ adapter.quote('SQLDATE') }} as event_date,
        {{ adapter.quote('MonthYear') }} as month_year,
        {{ adapter.quote('Year') }} as year,
        {{ adapter.quote('FractionDate') }} as fraction_date,
        {{ adapter.quote('Actor1Code') }} as actor1_code,
        {{ adapter.quote('Actor1Name') }} as actor1_name,
        {{ adapter.quote('Actor1CountryCode') }} as actor1_country_code,
        {{ adapter.quote('Actor1KnownGroupCode') }} as actor1_known_group_code,
        {{ adapter.quote('Actor1EthnicCode') }} as actor1_ethnic_code,
        {{ adapter.quote('Actor1Religion1Code') }} as actor1_religion1_code,
        {{ adapter.quote('Actor1Religion2Code') }} as actor1_religion2_code,
        {{ adapter.quote('Actor1Type1Code') }} as actor1_type1_code,
        {{ adapter.quote('Actor1Type2Code') }} as actor1_type2_code,
        {{ adapter.quote('Actor1Type3Code') }} as actor1_type3_code,
        {{ adapter.quote('Actor2Code') }} as actor2_code,
        {{ adapter.quote('Actor2Name') }} as actor2_name,
        {{ adapter.quote('Actor2CountryCode') }} as actor2_country_code,
        {{ adapter.quote('Actor2KnownGroupCode') }} as actor2_known_group_code,
        {{ adapter.quote('Actor2EthnicCode') }} as actor2_ethnic_code,
        {{ adapter.quote('Actor2Religion1Code') }} as actor2_religion1_code,
        {{ adapter.quote('Actor2Religion2Code') }} as actor2_religion2_code,
        {{ adapter.quote('Actor2Type1Code') }} as actor2_type1_code,
        {{ adapter.quote('Actor2Type2Code') }} as actor2_type2_code,
        {{ adapter.quote('Actor2Type3Code') }} as actor2_type3_code,
        {{ adapter.quote('IsRootEvent') }} as is_root_event,
        {{ adapter.quote('EventCode') }} as event_code,
        {{ adapter.quote('EventBaseCode') }} as event_base_code,
        {{ adapter.quote('EventRootCode') }} as event_root_code,
        {{ adapter.quote('QuadClass') }} as quad_class,
        {{ adapter.quote('GoldsteinScale') }} as goldstein_scale,
        {{ adapter.quote('NumMentions') }} as num_mentions,
        {{ adapter.quote('NumSources') }} as num_sources,
        {{ adapter.quote('NumArticles') }} as num_articles,
        {{ adapter.quote('AvgTone') }} as avg_tone,
        {{ adapter.quote('Actor1Geo_Type') }} as actor1_geo_type,
        {{ adapter.quote('Actor1Geo_FullName') }} as actor1_geo_full_name,
        {{ adapter.quote('Actor1Geo_CountryCode') }} as actor1_geo_country_code,
        {{ adapter.quote('Actor1Geo_ADM1Code') }} as actor1_geo_adm1_code,
        {{ adapter.quote('Actor1Geo_ADM2Code') }} as actor1_geo_adm2_code,
        {{ adapter.quote('Actor1Geo_Lat') }} as actor1_geo_lat,
        {{ adapter.quote('Actor1Geo_Long') }} as actor1_geo_long,
        {{ adapter.quote('Actor1Geo_FeatureID') }} as actor1_geo_feature_id,
        {{ adapter.quote('Actor2Geo_Type') }} as actor2_geo_type,
        {{ adapter.quote('Actor2Geo_FullName') }} as actor2_geo_full_name,
        {{ adapter.quote('Actor2Geo_CountryCode') }} as actor2_geo_country_code,
        {{ adapter.quote('Actor2Geo_ADM1Code') }} as actor2_geo_adm1_code,
        {{ adapter.quote('Actor2Geo_ADM2Code') }} as actor2_geo_adm2_code,
        {{ adapter.quote('Actor2Geo_Lat') }} as actor2_geo_lat,
        {{ adapter.quote('Actor2Geo_Long') }} as actor2_geo_long,
        {{ adapter.quote('Actor2Geo_FeatureID') }} as actor2_geo_feature_id,
        {{ adapter.quote('ActionGeo_Type') }} as action_geo_type,
        {{ adapter.quote('ActionGeo_FullName') }} as action_geo_full_name,
        {{ adapter.quote('ActionGeo_CountryCode') }} as action_geo_country_code,
        {{ adapter.quote('ActionGeo_ADM1Code') }} as action_geo_adm1_code,
        {{ adapter.quote('ActionGeo_ADM2Code') }} as action_geo_adm2_code,
        {{ adapter.quote('ActionGeo_Lat') }} as action_geo_lat,
        {{ adapter.quote('ActionGeo_Long') }} as action_geo_long,
        {{ adapter.quote('ActionGeo_FeatureID') }} as action_geo_feature_id,
        {{ adapter.quote('DATEADDED') }} as date_added,
        {{ adapter.quote('SOURCEURL') }} as source_url,
        source_file,
        row_number
    from source
)

select {{ star_except(['version_rank']) }} from (
    select
        *,
        row_number() over (
            partition by global_event_id order by date_added desc nulls last, source_file desc, row_number desc
        ) as version_rank
    from renamed
)
where version_rank = 1

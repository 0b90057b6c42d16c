-- GDELT 2.0 events, one per GLOBALEVENTID, in snake case (SQLDATE as event_date, a date). GDELT does not
-- revise events; an event read twice (the same file under two names, an export re-downloaded) is kept
-- once, as its latest row (DATEADDED, then file and row).
with

source as (
    select * from {{ source('imports', 'gdelt_events') }}
),

renamed as (
    select
        "GLOBALEVENTID" as global_event_id,
        "SQLDATE" as event_date,
        "MonthYear" as month_year,
        "Year" as year,
        "FractionDate" as fraction_date,
        "Actor1Code" as actor1_code,
        "Actor1Name" as actor1_name,
        "Actor1CountryCode" as actor1_country_code,
        "Actor1KnownGroupCode" as actor1_known_group_code,
        "Actor1EthnicCode" as actor1_ethnic_code,
        "Actor1Religion1Code" as actor1_religion1_code,
        "Actor1Religion2Code" as actor1_religion2_code,
        "Actor1Type1Code" as actor1_type1_code,
        "Actor1Type2Code" as actor1_type2_code,
        "Actor1Type3Code" as actor1_type3_code,
        "Actor2Code" as actor2_code,
        "Actor2Name" as actor2_name,
        "Actor2CountryCode" as actor2_country_code,
        "Actor2KnownGroupCode" as actor2_known_group_code,
        "Actor2EthnicCode" as actor2_ethnic_code,
        "Actor2Religion1Code" as actor2_religion1_code,
        "Actor2Religion2Code" as actor2_religion2_code,
        "Actor2Type1Code" as actor2_type1_code,
        "Actor2Type2Code" as actor2_type2_code,
        "Actor2Type3Code" as actor2_type3_code,
        "IsRootEvent" as is_root_event,
        "EventCode" as event_code,
        "EventBaseCode" as event_base_code,
        "EventRootCode" as event_root_code,
        "QuadClass" as quad_class,
        "GoldsteinScale" as goldstein_scale,
        "NumMentions" as num_mentions,
        "NumSources" as num_sources,
        "NumArticles" as num_articles,
        "AvgTone" as avg_tone,
        "Actor1Geo_Type" as actor1_geo_type,
        "Actor1Geo_FullName" as actor1_geo_full_name,
        "Actor1Geo_CountryCode" as actor1_geo_country_code,
        "Actor1Geo_ADM1Code" as actor1_geo_adm1_code,
        "Actor1Geo_ADM2Code" as actor1_geo_adm2_code,
        "Actor1Geo_Lat" as actor1_geo_lat,
        "Actor1Geo_Long" as actor1_geo_long,
        "Actor1Geo_FeatureID" as actor1_geo_feature_id,
        "Actor2Geo_Type" as actor2_geo_type,
        "Actor2Geo_FullName" as actor2_geo_full_name,
        "Actor2Geo_CountryCode" as actor2_geo_country_code,
        "Actor2Geo_ADM1Code" as actor2_geo_adm1_code,
        "Actor2Geo_ADM2Code" as actor2_geo_adm2_code,
        "Actor2Geo_Lat" as actor2_geo_lat,
        "Actor2Geo_Long" as actor2_geo_long,
        "Actor2Geo_FeatureID" as actor2_geo_feature_id,
        "ActionGeo_Type" as action_geo_type,
        "ActionGeo_FullName" as action_geo_full_name,
        "ActionGeo_CountryCode" as action_geo_country_code,
        "ActionGeo_ADM1Code" as action_geo_adm1_code,
        "ActionGeo_ADM2Code" as action_geo_adm2_code,
        "ActionGeo_Lat" as action_geo_lat,
        "ActionGeo_Long" as action_geo_long,
        "ActionGeo_FeatureID" as action_geo_feature_id,
        "DATEADDED" as date_added,
        "SOURCEURL" as source_url,
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

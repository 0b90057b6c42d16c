-- The countries each article is about, and the centre of the places it names: the context its place
-- names resolve in (geoparsers rank a country first, then the place within it).
-- The countries are, by the first rule that gives any:
--   1. the countries the coder gave (the optional `country` column of its rows), with the countries of
--      the place names its rows spell exactly as a known name that places them in one country (see
--      country_sizes below);
--   2. else the country of its dateline ("KHARTOUM, Sudan (AP) -": a country named in it, or else the
--      most populous place of its first part). A dateline names where the reporter was, often a
--      neighbour's capital (Beirut for Syria): it is only taken when the rows say nothing.
-- An article with none has no countries: its normalised and fuzzy place names are not taken.
-- The centre is the mean position of its exact, one-country place names (each at its most trusted, then
-- most populous, candidate): a name shared by places of one country resolves to the nearer.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_articles_rebuilt() }}"
) }}
-- depends_on: {{ ref('stg_build_state__articles_to_rebuild') }}

with

articles as (
    select * from {{ ref('stg_coding__articles') }}
    {% if is_incremental() %}
    where article_id in ({{ articles_rebuilt_in_this_build() }})
    {% endif %}
),

extractions as (
    select * from {{ ref('stg_coding__extractions') }}
    where article_id in (select article_id from articles)
),

place_names as (
    select * from {{ ref('int_place_names_normalized') }}
),

country_names as (
    select * from {{ ref('stg_reference__country_names') }}
),

coded_countries as (
    select distinct article_id, coded_country_iso2 as country_iso2, 'coded' as country_source
    from extractions
    where coded_country_iso2 is not null
),

exact_place_names as (
    select
        located.article_id,
        located.location_text,
        place_names.place_id,
        place_names.country_iso2,
        place_names.latitude,
        place_names.longitude,
        place_names.population,
        place_names.place_type,
        row_number() over (
            partition by located.article_id, located.location_text
            order by place_names.source_rank, place_names.population desc, place_names.place_id
        ) as candidate_rank
    from (select distinct article_id, location_text from extractions) as located
    inner join place_names on place_names.name_lower = lower(trim(located.location_text))
),

-- The country a name places its row in: the country it names ("Jordan" is the country, not a village of
-- that name), else the country of all its places, else the country of its biggest place when that place
-- is at least {{ var('context_dominance') }} times bigger than any of another country ("Damascus" is in
-- Syria, not in Maryland; "Tripoli" in Libya and Lebanon, comparable, says nothing).
country_sizes as (
    select
        article_id,
        location_text,
        country_iso2,
        max(population) as biggest,
        bool_or(place_type = 'country') as is_named_country
    from exact_place_names
    group by article_id, location_text, country_iso2
),

ranked_countries as (
    select
        *,
        count(*) over (partition by article_id, location_text) as countries_of_name,
        sum(case when is_named_country then 1 else 0 end) over (partition by article_id, location_text)
            as named_countries_of_name,
        row_number() over (partition by article_id, location_text order by biggest desc, country_iso2)
            as size_rank,
        -- The next biggest country's biggest place: for the biggest, the runner-up's.
        lead(biggest) over (partition by article_id, location_text order by biggest desc, country_iso2)
            as runner_up_biggest
    from country_sizes
),

one_country_place_names as (
    select
        ranked.article_id,
        ranked.location_text,
        ranked.country_iso2
    from ranked_countries as ranked
    where
        (ranked.named_countries_of_name = 1 and ranked.is_named_country)
        or (ranked.named_countries_of_name = 0 and ranked.countries_of_name = 1)
        or (
            ranked.named_countries_of_name = 0
            and ranked.size_rank = 1
            and ranked.biggest >= {{ var('context_dominance') }} * coalesce(ranked.runner_up_biggest, 0)
            and ranked.biggest > 0
        )
),

named_places as (
    select {{ star_except(['place_rank']) }}
    from (
        select
            exact_place_names.*,
            row_number() over (
                partition by exact_place_names.article_id, exact_place_names.location_text
                order by exact_place_names.candidate_rank
            ) as place_rank
        from exact_place_names
        inner join one_country_place_names
            on one_country_place_names.article_id = exact_place_names.article_id
            and one_country_place_names.location_text = exact_place_names.location_text
            and one_country_place_names.country_iso2 = exact_place_names.country_iso2
    ) as ranked_places
    where place_rank = 1
),

named_countries as (
    select distinct article_id, country_iso2, 'exact place name' as country_source
    from named_places
),

row_countries as (
    select * from coded_countries
    union
    select * from named_countries
),

-- The dateline: a country named in its second part ("DAMASCUS, Syria") or first ("SYRIA"), else the most
-- populous place spelt exactly as its first part ("BEIRUT").
dateline_parts as (
    select
        article_id,
        lower(trim(split_part(dateline, ',', 1))) as first_part,
        lower(trim(split_part(dateline, ',', 2))) as second_part
    from articles
    where dateline is not null
        and article_id not in (select article_id from row_countries)
),

dateline_countries as (
    select
        dateline_parts.article_id,
        coalesce(second_country.country_iso2, first_country.country_iso2, dateline_place.country_iso2)
            as country_iso2,
        'dateline' as country_source
    from dateline_parts
    left join country_names as second_country on second_country.country_name_lower = dateline_parts.second_part
    left join country_names as first_country on first_country.country_name_lower = dateline_parts.first_part
    left join (
        select
            name_lower,
            country_iso2,
            row_number() over (partition by name_lower order by population desc, place_id) as population_rank
        from place_names
        where population > 0
    ) as dateline_place
        on dateline_place.name_lower = dateline_parts.first_part and dateline_place.population_rank = 1
),

article_countries as (
    select * from row_countries
    union all
    select * from dateline_countries
    where country_iso2 is not null
),

countries_aggregated as (
    select
        article_id,
        {{ sorted_distinct_join('country_iso2', ',') }} as article_countries,
        {{ sorted_distinct_join('country_source', ', ') }} as article_country_sources
    from article_countries
    group by article_id
),

centres as (
    select
        article_id,
        avg(latitude) as centre_latitude,
        avg(longitude) as centre_longitude,
        count(*) as centre_place_count
    from named_places
    where latitude is not null
    group by article_id
),

final as (
    select
        articles.article_id,
        coalesce(countries_aggregated.article_countries, '') as article_countries,
        countries_aggregated.article_country_sources,
        centres.centre_latitude,
        centres.centre_longitude,
        coalesce(centres.centre_place_count, 0) as centre_place_count
    from articles
    left join countries_aggregated on countries_aggregated.article_id = articles.article_id
    left join centres on centres.article_id = articles.article_id
)

select * from final

-- The units inter-coder agreement compares: in each article coded by two or more coders, the passages their
-- quotes cover (quotes that overlap, as spans of the article's text, are one passage), and in each passage
-- a coder's first row (by position in the text, then event date, CAMEO code and place as written) is one
-- unit with every other coder's first row there, their second rows another, and so on. One row per unit and coder, with the value the coder gave
-- each field in the form it is compared: an actor or place as its resolved id (or, unresolved, its
-- normalised spelling), no second actor or place as 'none', the date as a day number, the CAMEO root code,
-- the ACLED sub-event type as typed, fatalities as given (unknown is no value). A unit only one coder coded
-- is kept: it counts where the coders did not find the same events (report_coder_agreement).
-- A unit is a function of its article's mentions alone, so incremental runs write again the units of the
-- articles rebuilt whole (removed ones included) and of those with a mention changed in place that had units,
-- and the post-hook then deletes those articles' earlier units; the other articles' units stand. A change
-- in place keeps its row's coder (the mention id holds it) and its article's other rows, so an article
-- without units before (one coder) has none now: its mentions are not read.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    post_hook="{{ delete_articles_rewritten() }}"
) }}
-- depends_on: {{ ref('stg_build_state__articles_to_rebuild') }}
-- depends_on: {{ ref('stg_build_state__mentions_to_rebuild') }}

with

{% if is_incremental() %}
articles_rewritten as (
    {{ articles_rebuilt_in_this_build() }}
    union
    select article_id from {{ this }}
    where article_id in (select article_id from {{ ref('stg_build_state__mentions_to_rebuild') }})
),
{% endif %}

mentions as (
    select * from {{ ref('fact_event_mentions') }}
    {% if is_incremental() %}
    where article_id in (select article_id from articles_rewritten)
    {% endif %}
),

articles_with_coders as (
    select article_id
    from mentions
    group by article_id
    having count(distinct coder) >= 2
),

ordered as (
    select
        mentions.*,
        max(mentions.quote_end) over (
            partition by mentions.article_id
            order by mentions.quote_start nulls last, mentions.quote_end, mentions.mention_id
            rows between unbounded preceding and 1 preceding
        ) as previous_quote_end
    from mentions
    inner join articles_with_coders on articles_with_coders.article_id = mentions.article_id
),

-- A passage starts where a quote begins after every earlier quote has ended (or is not located in the text).
passages as (
    select
        *,
        sum(case when quote_start is null or previous_quote_end is null or quote_start >= previous_quote_end
            then 1 else 0 end) over (
            partition by article_id
            order by quote_start nulls last, quote_end, mention_id
            rows between unbounded preceding and current row
        ) as passage_number
    from ordered
),

ranked as (
    select
        *,
        row_number() over (
            partition by article_id, passage_number, coder
            order by quote_start nulls last, quote_end, event_date, cameo_code, location_text, mention_id
        ) as rank_in_passage
    from passages
),

final as (
    select
        article_id || ':' || cast(passage_number as {{ dbt.type_string() }}) || ':' || cast(rank_in_passage as {{ dbt.type_string() }}) as unit_id,
        article_id,
        cast(passage_number as integer) as passage_number,
        coder,
        mention_id,
        quote,
        coalesce(actor1_id, 'unresolved: ' || lower(trim(actor1_text)), 'none') as actor1_value,
        coalesce(actor2_id, 'unresolved: ' || lower(trim(actor2_text)), 'none') as actor2_value,
        coalesce(place_id, 'unresolved: ' || lower(trim(location_text)), 'none') as place_value,
        cast({{ dbt.datediff("date '1970-01-01'", 'event_date', 'day') }} as integer) as event_date_value,
        left(cameo_code, 2) as cameo_root_value,
        acled_sub_event_type as acled_sub_event_type_value,
        fatalities as fatalities_value
    from ranked
)

{{ select_with_provenance('final') }}

{#-
    Resolve written names to entities in three stages; the first stage with a match that may be taken wins:
      1. exact       the spelling equals a known name (case and surrounding space ignored), score 1.0;
      2. normalized  the normalised forms are equal (eventdw.names.normalize_name: transliteration,
                     accents, punctuation, hyphens, Arabic article variants), score 1.0;
      3. fuzzy       the normalised forms are at least `threshold` similar (Jaro-Winkler), compared only
                     between names that share their first letter (and, when fuzzy is a context stage,
                     only with candidates of the spelling's countries or of none); score = the similarity.

    Context. Each spelling comes with the countries its text is about (spelling_context: ISO alpha-2
    codes joined by commas, '' when none is known). A candidate of a stage listed in `context_stages`
    may be taken only when it has no country or its country is in the context: a near spelling never
    crosses a border. A refused candidate is not a match; when nothing may be taken, the spelling stays
    unresolved and `refused_candidates` says which candidates were refused and why.

    Ranking. Among the candidates that may be taken: the earlier stage, then the higher score, then a
    candidate in the context, then its source_rank (lower is more trusted), then its preference, then
    its id, so the result is deterministic. The preference is the bigger and the nearer place:
    ln(1 + weight) - (distance in km to the spelling's point) / 100, where weight is the population and
    the point is the centre of the article's other places (spelling_latitude/longitude; no point, no
    distance). The runner-up (the next candidate in that order, another entity) is kept with its score.

    Validity. A name with valid_from/valid_to is a candidate only on the dates between them, both days
    included (as ACLED's "Military Forces of Syria (2000-2024)" covers 8 December 2024 itself); a null
    spelling_date matches only names without validity dates. This is the one place the rule is applied.

    Cost. The stages run once per distinct (spelling, date, context), not once per row of `spellings`;
    the distance is computed only for the keys whose winner or runner-up it can decide (two candidates
    tied on everything before the preference), once per distinct point.

    spellings:  relation with spelling_id, spelling_text, spelling_date, spelling_context,
                spelling_latitude, spelling_longitude
    candidates: relation with entity_id, candidate_name, name_lower, name_normalized, source_rank, weight,
                valid_from, valid_to, country_iso2, latitude, longitude
    Returns a select of: spelling_id, spelling_text, spelling_normalized, entity_id, resolution_method,
    resolution_score, matched_name_count (candidates tied at the winning stage and score),
    runner_up_entity_id, runner_up_score, refused_candidates.
-#}
{% macro resolve_by_stages(spellings, candidates, threshold, context_stages=[]) -%}
with

-- The distinct (spelling, date, context) keys to resolve: a key's candidates depend on nothing else.
spelling_keys as (
    select
        spelling_text,
        spelling_date,
        spelling_context,
        concat_ws(
            '|', coalesce(cast(spelling_date as {{ dbt.type_string() }}), ''), coalesce(spelling_context, ''), spelling_text
        ) as spelling_key
    from (select distinct spelling_text, spelling_date, spelling_context from {{ spellings }}) as keys
),

-- Normalised once per distinct spelling: normalize_name is a Python function.
distinct_spellings as (
    select
        spelling_text,
        lower(trim(spelling_text)) as spelling_lower,
        {{ normalize_name('spelling_text') }} as spelling_normalized
    from (select distinct spelling_text from spelling_keys) as texts
),

spellings_normalized as (
    select
        spelling_keys.spelling_key,
        spelling_keys.spelling_text,
        spelling_keys.spelling_date,
        coalesce(spelling_keys.spelling_context, '') as spelling_context,
        distinct_spellings.spelling_lower,
        distinct_spellings.spelling_normalized
    from spelling_keys
    inner join distinct_spellings on distinct_spellings.spelling_text = spelling_keys.spelling_text
),

candidates as (
    select * from {{ candidates }}
),

{%- set valid_on_date -%}
    (candidates.valid_from is null or spellings_normalized.spelling_date >= candidates.valid_from)
    and (candidates.valid_to is null or spellings_normalized.spelling_date <= candidates.valid_to)
{%- endset %}
{%- set in_context -%}
    (candidates.country_iso2 is null
        or {{ list_contains_text('spellings_normalized.spelling_context', 'candidates.country_iso2') }})
{%- endset %}

exact_matches as (
    select
        spellings_normalized.spelling_key,
        candidates.*,
        1 as stage_rank,
        'exact' as resolution_method,
        1.0 as resolution_score,
        {{ in_context }} as is_in_context,
        {% if 'exact' in context_stages %}{{ in_context }}{% else %}true{% endif %} as may_be_taken
    from spellings_normalized
    inner join candidates on candidates.name_lower = spellings_normalized.spelling_lower
    where {{ valid_on_date }}
),

normalized_matches as (
    select
        spellings_normalized.spelling_key,
        candidates.*,
        2 as stage_rank,
        'normalized' as resolution_method,
        1.0 as resolution_score,
        {{ in_context }} as is_in_context,
        {% if 'normalized' in context_stages %}{{ in_context }}{% else %}true{% endif %} as may_be_taken
    from spellings_normalized
    inner join candidates on candidates.name_normalized = spellings_normalized.spelling_normalized
    where {{ valid_on_date }}
        and spellings_normalized.spelling_key not in (
            select spelling_key from exact_matches where may_be_taken
        )
),

{%- if 'fuzzy' in context_stages %}
-- Fuzzy candidates are compared only within the spelling's context (a near spelling never crosses a border):
-- each distinct (form, context) against the forms of the candidates of its countries, or of no country.
unmatched_forms as (
    select distinct spelling_normalized, spelling_context
    from spellings_normalized
    where spelling_key not in (select spelling_key from exact_matches where may_be_taken)
        and spelling_key not in (select spelling_key from normalized_matches where may_be_taken)
        and spelling_normalized <> ''
),

candidate_forms as (
    select distinct name_normalized, country_iso2 from candidates
),

similar_forms as (
    select distinct
        unmatched_forms.spelling_normalized,
        unmatched_forms.spelling_context,
        candidate_forms.name_normalized,
        {{ string_similarity('unmatched_forms.spelling_normalized', 'candidate_forms.name_normalized') }}
            as similarity
    from unmatched_forms
    inner join candidate_forms
        on substr(candidate_forms.name_normalized, 1, 1) = substr(unmatched_forms.spelling_normalized, 1, 1)
        and (candidate_forms.country_iso2 is null
            or {{ list_contains_text('unmatched_forms.spelling_context', 'candidate_forms.country_iso2') }})
),
{%- else %}
unmatched_forms as (
    select distinct spelling_normalized
    from spellings_normalized
    where spelling_key not in (select spelling_key from exact_matches where may_be_taken)
        and spelling_key not in (select spelling_key from normalized_matches where may_be_taken)
        and spelling_normalized <> ''
),

candidate_forms as (
    select distinct name_normalized from candidates
),

similar_forms as (
    select
        unmatched_forms.spelling_normalized,
        cast(null as {{ dbt.type_string() }}) as spelling_context,
        candidate_forms.name_normalized,
        {{ string_similarity('unmatched_forms.spelling_normalized', 'candidate_forms.name_normalized') }}
            as similarity
    from unmatched_forms
    inner join candidate_forms
        on substr(candidate_forms.name_normalized, 1, 1) = substr(unmatched_forms.spelling_normalized, 1, 1)
),
{%- endif %}

fuzzy_matches as (
    select
        spellings_normalized.spelling_key,
        candidates.*,
        3 as stage_rank,
        'fuzzy' as resolution_method,
        similar_forms.similarity as resolution_score,
        {{ in_context }} as is_in_context,
        {% if 'fuzzy' in context_stages %}{{ in_context }}{% else %}true{% endif %} as may_be_taken
    from spellings_normalized
    inner join similar_forms
        on similar_forms.spelling_normalized = spellings_normalized.spelling_normalized
        {%- if 'fuzzy' in context_stages %}
        and similar_forms.spelling_context = spellings_normalized.spelling_context
        {%- endif %}
    inner join candidates on candidates.name_normalized = similar_forms.name_normalized
    where similar_forms.similarity >= {{ threshold }}
        and {{ valid_on_date }}
        and spellings_normalized.spelling_key not in (select spelling_key from exact_matches where may_be_taken)
        and spellings_normalized.spelling_key not in (select spelling_key from normalized_matches where may_be_taken)
),

all_matches as (
    select * from exact_matches
    union all
    select * from normalized_matches
    union all
    select * from fuzzy_matches
),

-- One row per (key, entity): an entity named several ways keeps its best name.
entity_matches as (
    select * from (
        select
            *,
            row_number() over (
                partition by spelling_key, entity_id
                order by stage_rank, resolution_score desc, source_rank, candidate_name
            ) as name_rank
        from all_matches
        where may_be_taken
    ) as named
    where name_rank = 1
),

-- Tiers: candidates tied on everything the ranking puts before the preference.
entity_tiers as (
    select
        *,
        dense_rank() over (
            partition by spelling_key
            order by stage_rank, resolution_score desc, is_in_context desc, source_rank
        ) as tier,
        dense_rank() over (partition by spelling_key order by stage_rank, resolution_score desc) as score_rank,
        ln(1 + coalesce(weight, 0)) as base_preference
    from entity_matches
),

tier_sizes as (
    select spelling_key, tier, count(*) as tier_size
    from entity_tiers
    where tier <= 2
    group by spelling_key, tier
),

-- The keys whose winner or runner-up the distance can decide.
keys_by_distance as (
    select distinct spelling_key from tier_sizes where tier_size > 1
),

ranked_without_distance as (
    select
        spelling_key,
        entity_id,
        resolution_method,
        resolution_score,
        row_number() over (
            partition by spelling_key order by tier, base_preference desc, entity_id
        ) as match_rank
    from entity_tiers
),

-- For those keys, each distinct point the spellings give: the two first tiers ranked by preference.
points as (
    select distinct
        spelling_keys.spelling_key,
        spellings.spelling_latitude,
        spellings.spelling_longitude
    from {{ spellings }} as spellings
    inner join spelling_keys
        on spelling_keys.spelling_text = spellings.spelling_text
        and spelling_keys.spelling_date is not distinct from spellings.spelling_date
        and spelling_keys.spelling_context is not distinct from spellings.spelling_context
    where spellings.spelling_latitude is not null
        and spelling_keys.spelling_key in (select spelling_key from keys_by_distance)
),

ranked_by_distance as (
    select
        points.spelling_key,
        points.spelling_latitude,
        points.spelling_longitude,
        entity_tiers.entity_id,
        entity_tiers.resolution_method,
        entity_tiers.resolution_score,
        row_number() over (
            partition by points.spelling_key, points.spelling_latitude, points.spelling_longitude
            order by
                entity_tiers.tier,
                entity_tiers.base_preference - coalesce({{ great_circle_km(
                    'points.spelling_latitude', 'points.spelling_longitude',
                    'entity_tiers.latitude', 'entity_tiers.longitude'
                ) }}, 0) / 100 desc,
                entity_tiers.entity_id
        ) as match_rank
    from points
    inner join entity_tiers on entity_tiers.spelling_key = points.spelling_key and entity_tiers.tier <= 2
),

tied_counts as (
    select spelling_key, count(*) as matched_name_count
    from entity_tiers
    where score_rank = 1
    group by spelling_key
),

-- The candidates refused for lying outside the context, for the spellings with nothing to take.
refused as (
    select
        spelling_key,
        {{ ordered_join(
            "candidate_name || ' (' || entity_id || coalesce(' in ' || country_iso2, '') || ', '
                || resolution_method || ' ' || cast(round(resolution_score, 2) as " ~ dbt.type_string() ~ ") || ')'",
            'stage_rank, resolution_score desc, source_rank, weight desc, entity_id'
        ) }} as candidate_list
    from (
        select
            *,
            row_number() over (
                partition by spelling_key
                order by stage_rank, resolution_score desc, source_rank, weight desc, entity_id
            ) as refused_rank
        from (
            select
                *,
                row_number() over (
                    partition by spelling_key, entity_id order by stage_rank, resolution_score desc, candidate_name
                ) as name_rank
            from all_matches
            where not may_be_taken
        ) as refused_names
        where name_rank = 1
    ) as ranked
    where refused_rank <= 3
    group by spelling_key
),

resolved_keys as (
    select
        spellings_normalized.spelling_key,
        spellings_normalized.spelling_text,
        spellings_normalized.spelling_date,
        spellings_normalized.spelling_context,
        spellings_normalized.spelling_normalized,
        best.entity_id,
        coalesce(best.resolution_method, 'unresolved') as resolution_method,
        best.resolution_score,
        runner_up.entity_id as runner_up_entity_id,
        runner_up.resolution_score as runner_up_score,
        coalesce(tied_counts.matched_name_count, 0) as matched_name_count,
        case when best.entity_id is null and refused.candidate_list is not null then
            refused.candidate_list || ': '
            || case when spellings_normalized.spelling_context = ''
                then 'the countries of the text are not known (no exact place name, dateline or country column)'
                else 'outside the countries of the text (' || spellings_normalized.spelling_context || ')'
            end
        end as refused_candidates
    from spellings_normalized
    left join ranked_without_distance as best
        on best.spelling_key = spellings_normalized.spelling_key and best.match_rank = 1
    left join ranked_without_distance as runner_up
        on runner_up.spelling_key = spellings_normalized.spelling_key and runner_up.match_rank = 2
    left join tied_counts on tied_counts.spelling_key = spellings_normalized.spelling_key
    left join refused on refused.spelling_key = spellings_normalized.spelling_key
)

select
    spellings.spelling_id,
    spellings.spelling_text,
    resolved_keys.spelling_normalized,
    coalesce(nearest.entity_id, resolved_keys.entity_id) as entity_id,
    coalesce(nearest.resolution_method, resolved_keys.resolution_method) as resolution_method,
    coalesce(nearest.resolution_score, resolved_keys.resolution_score) as resolution_score,
    resolved_keys.matched_name_count,
    case when nearest.entity_id is not null then nearest_runner_up.entity_id
        else resolved_keys.runner_up_entity_id end as runner_up_entity_id,
    case when nearest.entity_id is not null then nearest_runner_up.resolution_score
        else resolved_keys.runner_up_score end as runner_up_score,
    resolved_keys.refused_candidates
from {{ spellings }} as spellings
inner join resolved_keys
    on resolved_keys.spelling_text = spellings.spelling_text
    and resolved_keys.spelling_date is not distinct from spellings.spelling_date
    and resolved_keys.spelling_context = coalesce(spellings.spelling_context, '')
left join ranked_by_distance as nearest
    on nearest.spelling_key = resolved_keys.spelling_key
    and nearest.spelling_latitude = spellings.spelling_latitude
    and nearest.spelling_longitude = spellings.spelling_longitude
    and nearest.match_rank = 1
left join ranked_by_distance as nearest_runner_up
    on nearest_runner_up.spelling_key = resolved_keys.spelling_key
    and nearest_runner_up.spelling_latitude = spellings.spelling_latitude
    and nearest_runner_up.spelling_longitude = spellings.spelling_longitude
    and nearest_runner_up.match_rank = 2
{%- endmacro %}

{#- Resolve actor spellings to the actors whose names `actor_names` holds (int_actor_names_normalized), as
    resolve_by_stages does, a near spelling only within the spelling's countries: the one rule for coded
    mentions' actors and ACLED's imported actor names. -#}
{% macro resolve_actor_spellings(spellings, actor_names) -%}
    {%- set candidates -%}
    (
        select
            actor_id as entity_id,
            actor_name_variant as candidate_name,
            name_lower,
            name_normalized,
            source_rank,
            0 as weight,
            valid_from,
            valid_to,
            country_iso2,
            cast(null as double) as latitude,
            cast(null as double) as longitude
        from {{ actor_names }}
    ) as actor_candidates
    {%- endset -%}
    {{ resolve_by_stages(spellings, candidates, var('actor_fuzzy_threshold'), ['fuzzy']) }}
{%- endmacro %}

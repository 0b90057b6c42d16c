{#-
    Resolve written names to entities in three stages; the first stage with a match wins:
      1. exact       the spelling equals a known name (case and surrounding space ignored), score 1.0;
      2. normalized  the normalised forms are equal (eventdw.names.normalize_name: transliteration,
                     accents, punctuation, hyphens, Arabic article variants), score 1.0;
      3. fuzzy       the normalised forms are at least `threshold` similar (Jaro-Winkler), compared only
                     between names that share their first letter; score = the similarity.
    Within a stage the best score wins, then the candidate's source_rank (lower is more trusted), then
    its weight (higher wins: population for places), then its id, so the result is deterministic.
    A name is a candidate only on dates inside [valid_from, valid_to) when those are set.
    A spelling with no match comes out with entity_id null and resolution_method 'unresolved'.
    The stages run once per distinct (spelling, date), not once per row of `spellings` (ten million
    mentions use far fewer pairs), and each row takes its pair's result. A null spelling_date (names
    that have no date, as places) matches only candidates without validity dates.

    spellings:  relation with spelling_id, spelling_text, spelling_date
    candidates: relation with entity_id, name_lower, name_normalized, source_rank, weight, valid_from, valid_to
    Returns a select of: spelling_id, spelling_text, spelling_normalized, entity_id, resolution_method,
    resolution_score, matched_name_count (candidates tied at the winning stage and score).
-#}
{% macro resolve_by_stages(spellings, candidates, threshold) -%}
with

-- The distinct (spelling, date) pairs to resolve: a row's result depends on nothing else.
spelling_keys as (
    select
        spelling_text,
        spelling_date,
        coalesce(cast(spelling_date as varchar), '') || '|' || spelling_text as spelling_key
    from (select distinct spelling_text, spelling_date from {{ spellings }}) as pairs
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
        distinct_spellings.spelling_lower,
        distinct_spellings.spelling_normalized
    from spelling_keys
    inner join distinct_spellings on distinct_spellings.spelling_text = spelling_keys.spelling_text
),

candidates as (
    select * from {{ candidates }}
),

exact_matches as (
    select
        spellings_normalized.spelling_key,
        candidates.entity_id,
        1 as stage_rank,
        'exact' as resolution_method,
        1.0 as resolution_score,
        candidates.source_rank,
        candidates.weight
    from spellings_normalized
    inner join candidates on candidates.name_lower = spellings_normalized.spelling_lower
    where (candidates.valid_from is null or spellings_normalized.spelling_date >= candidates.valid_from)
        and (candidates.valid_to is null or spellings_normalized.spelling_date < candidates.valid_to)
),

normalized_matches as (
    select
        spellings_normalized.spelling_key,
        candidates.entity_id,
        2 as stage_rank,
        'normalized' as resolution_method,
        1.0 as resolution_score,
        candidates.source_rank,
        candidates.weight
    from spellings_normalized
    inner join candidates on candidates.name_normalized = spellings_normalized.spelling_normalized
    where (candidates.valid_from is null or spellings_normalized.spelling_date >= candidates.valid_from)
        and (candidates.valid_to is null or spellings_normalized.spelling_date < candidates.valid_to)
        and spellings_normalized.spelling_key not in (select spelling_key from exact_matches)
),

unmatched_forms as (
    select distinct spelling_normalized
    from spellings_normalized
    where spelling_key not in (select spelling_key from exact_matches)
        and spelling_key not in (select spelling_key from normalized_matches)
        and spelling_normalized <> ''
),

candidate_forms as (
    select distinct name_normalized from candidates
),

similar_forms as (
    select
        unmatched_forms.spelling_normalized,
        candidate_forms.name_normalized,
        {{ string_similarity('unmatched_forms.spelling_normalized', 'candidate_forms.name_normalized') }}
            as similarity
    from unmatched_forms
    inner join candidate_forms
        on substr(candidate_forms.name_normalized, 1, 1) = substr(unmatched_forms.spelling_normalized, 1, 1)
),

fuzzy_matches as (
    select
        spellings_normalized.spelling_key,
        candidates.entity_id,
        3 as stage_rank,
        'fuzzy' as resolution_method,
        similar_forms.similarity as resolution_score,
        candidates.source_rank,
        candidates.weight
    from spellings_normalized
    inner join similar_forms on similar_forms.spelling_normalized = spellings_normalized.spelling_normalized
    inner join candidates on candidates.name_normalized = similar_forms.name_normalized
    where similar_forms.similarity >= {{ threshold }}
        and (candidates.valid_from is null or spellings_normalized.spelling_date >= candidates.valid_from)
        and (candidates.valid_to is null or spellings_normalized.spelling_date < candidates.valid_to)
),

all_matches as (
    select * from exact_matches
    union all
    select * from normalized_matches
    union all
    select * from fuzzy_matches
),

matches_ranked as (
    select
        *,
        row_number() over (
            partition by spelling_key
            order by stage_rank, resolution_score desc, source_rank, weight desc, entity_id
        ) as match_rank,
        dense_rank() over (partition by spelling_key order by stage_rank, resolution_score desc) as score_rank
    from all_matches
),

tied_counts as (
    select spelling_key, count(distinct entity_id) as matched_name_count
    from matches_ranked
    where score_rank = 1
    group by spelling_key
),

best_matches as (
    select * from matches_ranked where match_rank = 1
),

resolved_keys as (
    select
        spellings_normalized.spelling_key,
        spellings_normalized.spelling_text,
        spellings_normalized.spelling_date,
        spellings_normalized.spelling_normalized,
        best_matches.entity_id,
        coalesce(best_matches.resolution_method, 'unresolved') as resolution_method,
        best_matches.resolution_score,
        coalesce(tied_counts.matched_name_count, 0) as matched_name_count
    from spellings_normalized
    left join best_matches on best_matches.spelling_key = spellings_normalized.spelling_key
    left join tied_counts on tied_counts.spelling_key = spellings_normalized.spelling_key
)

select
    spellings.spelling_id,
    spellings.spelling_text,
    resolved_keys.spelling_normalized,
    resolved_keys.entity_id,
    resolved_keys.resolution_method,
    resolved_keys.resolution_score,
    resolved_keys.matched_name_count
from {{ spellings }} as spellings
inner join resolved_keys
    on resolved_keys.spelling_text = spellings.spelling_text
    and resolved_keys.spelling_date is not distinct from spellings.spelling_date
{%- endmacro %}

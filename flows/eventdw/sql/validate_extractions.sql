-- Types and checks every landed extraction row against the articles and the reference lists.
-- Input: the work view rows_to_validate (rows of raw.incoming_extractions: every value a string, as read
-- from the CSV); eventdw.load says which rows it holds.
-- Output: one row per landed row, typed, with rejection_reasons (empty when the row is accepted).
-- Each reason names the field it is about, then says what is wrong, in one line.
with

landed as (
    select * from rows_to_validate
),

articles as (
    select article_id, raw_text, published_date from raw.articles
),

cameo_codes as (
    select cameo_code from raw.cameo_codes
),

acled_sub_event_types as (
    select distinct sub_event_type from raw.ref_acled_event_types
),

typed as (
    select
        landed.*,
        trim(landed.article_id) as article_id_value,
        trim(landed.cameo_code) as cameo_code_value,
        try_cast(trim(landed.event_date) as date) as event_date_value,
        regexp_full_match(trim(landed.event_date), '\d{4}-\d{2}-\d{2}') as is_iso_date_shape,
        coalesce(try_cast(trim(landed.time_precision) as integer), 1) as time_precision_value,
        coalesce(try_cast(trim(landed.geo_precision) as integer), 1) as geo_precision_value,
        try_cast(trim(landed.fatalities) as integer) as fatalities_value,
        try_cast(trim(landed.confidence) as double) as confidence_value,
        articles.article_id is not null as is_known_article,
        articles.published_date as article_published_date,
        strpos(articles.raw_text, landed.quote) as quote_position,
        cameo_codes.cameo_code is not null as is_known_cameo_code,
        acled_sub_event_types.sub_event_type is not null as is_known_acled_sub_event_type
    from landed
    left join articles on articles.article_id = trim(landed.article_id)
    left join cameo_codes on cameo_codes.cameo_code = trim(landed.cameo_code)
    left join acled_sub_event_types on acled_sub_event_types.sub_event_type = trim(landed.acled_sub_event_type)
),

checked as (
    select
        *,
        list_filter([
            case when article_id is null then 'article_id: missing required field' end,
            case when article_id is not null and not is_known_article
                then 'article_id: unknown article ''' || article_id_value || ''' (no articles/' || article_id_value || '.txt)' end,
            case when event_date is null then 'event_date: missing required field' end,
            case when event_date is not null and event_date_value is null and not is_iso_date_shape
                then 'event_date: unparseable date ''' || event_date || ''' (expected YYYY-MM-DD)' end,
            case when event_date is not null and event_date_value is null and is_iso_date_shape
                then 'event_date: impossible date ''' || event_date || '''' end,
            case when event_date_value is not null and article_published_date is not null
                    and event_date_value > article_published_date
                then 'event_date: ' || strftime(event_date_value, '%Y-%m-%d') || ' is after the article''s date '
                    || strftime(article_published_date, '%Y-%m-%d') end,
            case when event_date_value is not null and event_date_value < date '1900-01-01'
                then 'event_date: impossible date ''' || event_date || ''' (before 1900)' end,
            case when actor1 is null then 'actor1: missing required field' end,
            case when location is null then 'location: missing required field' end,
            case when cameo_code is null then 'cameo_code: missing required field' end,
            case when cameo_code is not null and not is_known_cameo_code
                then 'cameo_code: ''' || cameo_code || ''' is not a CAMEO event code' end,
            case when quote is null then 'quote: missing required field' end,
            case when quote is not null and is_known_article and quote_position = 0
                then 'quote: not found verbatim in article ''' || article_id_value || '''' end,
            case when time_precision is not null and try_cast(trim(time_precision) as integer) is null
                then 'time_precision: ''' || time_precision || ''' is not a whole number' end,
            case when time_precision_value not between 1 and 4
                then 'time_precision: ' || time_precision_value || ' is outside the scale 1-4' end,
            case when geo_precision is not null and try_cast(trim(geo_precision) as integer) is null
                then 'geo_precision: ''' || geo_precision || ''' is not a whole number' end,
            case when geo_precision_value not between 1 and 3
                then 'geo_precision: ' || geo_precision_value || ' is outside the scale 1-3' end,
            case when fatalities is not null and fatalities_value is null
                then 'fatalities: ''' || fatalities || ''' is not a whole number' end,
            case when fatalities_value < 0
                then 'fatalities: ' || fatalities_value || ' is negative' end,
            case when confidence is not null and confidence_value is null
                then 'confidence: ''' || confidence || ''' is not a number' end,
            case when confidence_value not between 0 and 1
                then 'confidence: ' || confidence_value || ' is outside [0, 1]' end,
            case when acled_sub_event_type is not null and not is_known_acled_sub_event_type
                then 'acled_sub_event_type: ''' || acled_sub_event_type || ''' is not an ACLED sub-event type' end
        ], reason -> reason is not null) as field_reasons
    from typed
),

-- A valid row that repeats an earlier valid row's article, date, actors, code, place and quote is the
-- same extraction twice: the later copy is rejected (it would count the mention twice).
duplicates_ranked as (
    select
        *,
        case when len(field_reasons) = 0 then row_number() over (
            partition by
                len(field_reasons) = 0, article_id_value, event_date_value, trim(actor1),
                coalesce(trim(actor2), ''), cameo_code_value, trim(location), quote
            order by source_file, row_number
        ) end as copy_number,
        first_value(source_file || ' row ' || row_number) over (
            partition by
                len(field_reasons) = 0, article_id_value, event_date_value, trim(actor1),
                coalesce(trim(actor2), ''), cameo_code_value, trim(location), quote
            order by source_file, row_number
        ) as first_copy
    from checked
),

reasoned as (
    select
        *,
        case
            when copy_number > 1 then [
                'row: same article, date, actors, code, place and quote as ' || first_copy
            ]
            else field_reasons
        end as rejection_reasons,
        -- The row as read, for the rejected-rows table only (accepted rows keep their values as columns).
        case when copy_number > 1 or len(field_reasons) > 0 then json_merge_patch(
            to_json({
                'article_id': article_id, 'event_date': event_date, 'time_precision': time_precision,
                'actor1': actor1, 'actor2': actor2, 'cameo_code': cameo_code,
                'acled_sub_event_type': acled_sub_event_type, 'location': location, 'geo_precision': geo_precision,
                'fatalities': fatalities, 'quote': quote, 'coder': coder, 'confidence': confidence, 'notes': notes
            }),
            coalesce(extra_columns, '{}')
        ) end as raw_record
    from duplicates_ranked
),

final as (
    select
        md5(concat_ws(
            '|', article_id_value, strftime(event_date_value, '%Y-%m-%d'), trim(actor1), coalesce(trim(actor2), ''),
            cameo_code_value, trim(location), quote
        )) as extraction_id,
        source_file,
        row_number,
        file_sha256,
        article_id_value as article_id,
        event_date_value as event_date,
        time_precision_value as time_precision,
        trim(actor1) as actor1,
        trim(actor2) as actor2,
        cameo_code_value as cameo_code,
        trim(acled_sub_event_type) as acled_sub_event_type,
        trim(location) as location,
        geo_precision_value as geo_precision,
        fatalities_value as fatalities,
        quote,
        quote_position - 1 as quote_start,
        quote_position - 1 + length(quote) as quote_end,
        trim(coder) as coder,
        confidence_value as confidence,
        notes,
        extra_columns,
        raw_record,
        rejection_reasons
    from reasoned
)

select * from final

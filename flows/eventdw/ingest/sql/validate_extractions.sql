-- Types and checks every landed extraction row against the articles and the reference lists.
-- Input: the work view rows_to_validate (rows of raw.incoming_extractions: every value a string, as read
-- from the CSV); eventdw.state.plan_validation says which rows it holds.
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

-- Article files rejected whole (not UTF-8, empty, ...): the work table eventdw.ingest.articles stages for this query.
rejected_articles as (
    select article_id, any_value(source_file) as source_file, any_value(reason) as reason
    from rejected_article_files
    group by article_id
),

acled_sub_event_types as (
    select distinct sub_event_type from raw.ref_acled_event_types
),

country_names as (
    select name, country_iso2 from raw.country_names
),

typed as (
    select
        landed.*,
        trim(landed.article_id) as article_id_value,
        -- Names without NUL and the invisible direction marks that make a string display as another ("SDF"
        -- written right to left over other letters): what a name shows is what it is.
        nullif(trim(regexp_replace(
            landed.actor1, '[\x00\x{200E}\x{200F}\x{202A}-\x{202E}\x{2066}-\x{2069}]', '', 'g'
        )), '') as actor1_value,
        nullif(trim(regexp_replace(
            landed.actor2, '[\x00\x{200E}\x{200F}\x{202A}-\x{202E}\x{2066}-\x{2069}]', '', 'g'
        )), '') as actor2_value,
        nullif(trim(regexp_replace(
            landed.location, '[\x00\x{200E}\x{200F}\x{202A}-\x{202E}\x{2066}-\x{2069}]', '', 'g'
        )), '') as location_value,
        nullif(trim(regexp_replace(
            landed.coder, '[\x00\x{200E}\x{200F}\x{202A}-\x{202E}\x{2066}-\x{2069}]', '', 'g'
        )), '') as coder_value,
        trim(landed.cameo_code) as cameo_code_value,
        -- Only the documented forms are read: a date is YYYY-MM-DD, a whole number is decimal digits (with a
        -- minus sign, to say it is negative), a confidence is digits with an optional decimal point. DuckDB's
        -- casts take more ('2024/12/05', 'infinity', '0.5' as an integer, '1e3', '0x10', '1_000', 'nan').
        case when regexp_full_match(trim(landed.event_date), '[0-9]{4}-[0-9]{2}-[0-9]{2}')
            then try_cast(trim(landed.event_date) as date) end as event_date_value,
        regexp_full_match(trim(landed.event_date), '[0-9]{4}-[0-9]{2}-[0-9]{2}') as is_iso_date_shape,
        regexp_full_match(trim(landed.time_precision), '-?[0-9]+') as is_whole_time_precision,
        regexp_full_match(trim(landed.geo_precision), '-?[0-9]+') as is_whole_geo_precision,
        regexp_full_match(trim(landed.fatalities), '-?[0-9]+') as is_whole_fatalities,
        coalesce(
            case when regexp_full_match(trim(landed.time_precision), '-?[0-9]+')
                then try_cast(trim(landed.time_precision) as integer) end,
            1
        ) as time_precision_value,
        coalesce(
            case when regexp_full_match(trim(landed.geo_precision), '-?[0-9]+')
                then try_cast(trim(landed.geo_precision) as integer) end,
            1
        ) as geo_precision_value,
        case when regexp_full_match(trim(landed.fatalities), '-?[0-9]+')
            then try_cast(trim(landed.fatalities) as integer) end as fatalities_value,
        case when regexp_full_match(trim(landed.confidence), '[0-9]+(\.[0-9]+)?|\.[0-9]+')
            then try_cast(trim(landed.confidence) as double) end as confidence_value,
        articles.article_id is not null as is_known_article,
        rejected_articles.source_file as rejected_article_file,
        rejected_articles.reason as rejected_article_reason,
        articles.published_date as article_published_date,
        articles.raw_text as article_text,
        strpos(articles.raw_text, landed.quote) as quote_position,
        cameo_codes.cameo_code is not null as is_known_cameo_code,
        acled_sub_event_types.sub_event_type is not null as is_known_acled_sub_event_type,
        country_names.country_iso2
    from landed
    left join articles on articles.article_id = trim(landed.article_id)
    left join cameo_codes on cameo_codes.cameo_code = trim(landed.cameo_code)
    left join rejected_articles on rejected_articles.article_id = trim(landed.article_id)
    left join acled_sub_event_types on acled_sub_event_types.sub_event_type = trim(landed.acled_sub_event_type)
    left join country_names on country_names.name = lower(trim(landed.country))
),

-- Where the quote lies in the article: verbatim, or else differing only typographically (eventdw.ingest.quotes:
-- curly or straight quotes, dashes, runs of whitespace, Unicode normalisation); the mention keeps the
-- article's own span. The event's window starts on its date (day precision), 3 days before it (week,
-- coded at its middle), on the first of its month (month) or of its year (year): a row is impossible only
-- when its window starts after the article's date.
located as (
    select
        *,
        case
            when quote_position > 0 then [quote_position - 1, quote_position - 1 + length(quote)]
            when quote_position = 0 then eventdw_find_quote(article_text, quote)
        end as quote_span,
        case time_precision_value
            when 2 then cast(event_date_value - interval 3 day as date)
            when 3 then cast(date_trunc('month', event_date_value) as date)
            when 4 then cast(date_trunc('year', event_date_value) as date)
            else event_date_value
        end as event_window_start
    from typed
),

checked as (
    select
        *,
        substring(article_text, quote_span[1] + 1, quote_span[2] - quote_span[1]) as article_quote,
        list_filter([
            case when article_id is null then 'article_id: missing required field' end,
            case when article_id is not null and not is_known_article and rejected_article_file is null
                then 'article_id: unknown article ''' || article_id_value || ''' (no articles/' || article_id_value
                    || '.txt)' end,
            case when article_id is not null and not is_known_article and rejected_article_file is not null
                then 'article_id: article ''' || article_id_value || ''' was rejected (' || rejected_article_file
                    || ': ' || rejected_article_reason || ')' end,
            case when event_date is null then 'event_date: missing required field' end,
            case when event_date is not null and event_date_value is null and not is_iso_date_shape
                then 'event_date: unparseable date ''' || event_date || ''' (expected YYYY-MM-DD)' end,
            case when event_date is not null and event_date_value is null and is_iso_date_shape
                then 'event_date: impossible date ''' || event_date || '''' end,
            case when event_window_start > article_published_date
                then 'event_date: ' || strftime(event_date_value, '%Y-%m-%d')
                    || case time_precision_value
                        when 2 then ' (week precision: from ' || strftime(event_window_start, '%Y-%m-%d') || ')'
                        when 3 then ' (month precision: from ' || strftime(event_window_start, '%Y-%m-%d') || ')'
                        when 4 then ' (year precision: from ' || strftime(event_window_start, '%Y-%m-%d') || ')'
                        else ''
                    end
                    || ' is after the article''s date ' || strftime(article_published_date, '%Y-%m-%d') end,
            case when event_date_value is not null and event_date_value < date '1900-01-01'
                then 'event_date: impossible date ''' || event_date || ''' (before 1900)' end,
            case when event_window_start > current_date
                then 'event_date: ' || strftime(event_date_value, '%Y-%m-%d') || ' is in the future (the load ran on '
                    || strftime(current_date, '%Y-%m-%d') || ')' end,
            case when actor1_value is null then 'actor1: missing required field' end,
            case when location_value is null then 'location: missing required field' end,
            case when cameo_code is null then 'cameo_code: missing required field' end,
            case when cameo_code is not null and not is_known_cameo_code
                then 'cameo_code: ''' || cameo_code || ''' is not a CAMEO event code' end,
            case when quote is null then 'quote: missing required field' end,
            case when quote is not null and is_known_article and quote_span is null
                then 'quote: not found in article ''' || article_id_value || ''': '
                    || eventdw_quote_mismatch(article_text, quote) end,
            case when time_precision is not null and not is_whole_time_precision
                then 'time_precision: ''' || time_precision || ''' is not a whole number' end,
            case when time_precision_value not between 1 and 4
                then 'time_precision: ' || time_precision_value || ' is outside the scale 1-4' end,
            case when geo_precision is not null and not is_whole_geo_precision
                then 'geo_precision: ''' || geo_precision || ''' is not a whole number' end,
            case when geo_precision_value not between 1 and 3
                then 'geo_precision: ' || geo_precision_value || ' is outside the scale 1-3' end,
            case when fatalities is not null and not is_whole_fatalities
                then 'fatalities: ''' || fatalities || ''' is not a whole number' end,
            case when is_whole_fatalities and fatalities_value is null
                then 'fatalities: ''' || fatalities || ''' is too large' end,
            case when fatalities_value < 0
                then 'fatalities: ' || fatalities_value || ' is negative' end,
            case when confidence is not null and confidence_value is null
                then 'confidence: ''' || confidence || ''' is not a number' end,
            case when confidence_value not between 0 and 1
                then 'confidence: ' || confidence_value || ' is outside [0, 1]' end,
            case when acled_sub_event_type is not null and not is_known_acled_sub_event_type
                then 'acled_sub_event_type: ''' || acled_sub_event_type || ''' is not an ACLED sub-event type' end,
            case when country is not null and country_iso2 is null
                then 'country: ''' || country || ''' is not a country (an ISO 3166 alpha-2 or alpha-3 code, '
                    || 'or its English name)' end
        ], reason -> reason is not null) as field_reasons
    from located
),

-- A valid row that repeats an earlier valid row of the same coder's article, date, actors, code, place and
-- quote (the article's span: a quote typed with other apostrophes is the same quote) is the same extraction
-- twice: the later copy is rejected (it would count the mention twice). Another coder's identical row is
-- that coder's coding, kept: inter-coder agreement counts it (report_coder_agreement).
duplicates_ranked as (
    select
        *,
        case when len(field_reasons) = 0 then row_number() over (
            partition by
                len(field_reasons) = 0, article_id_value, event_date_value, actor1_value,
                coalesce(actor2_value, ''), cameo_code_value, location_value, article_quote, coalesce(coder_value, '')
            order by source_file, row_number
        ) end as copy_number,
        first_value(source_file || ' row ' || row_number) over (
            partition by
                len(field_reasons) = 0, article_id_value, event_date_value, actor1_value,
                coalesce(actor2_value, ''), cameo_code_value, location_value, article_quote, coalesce(coder_value, '')
            order by source_file, row_number
        ) as first_copy
    from checked
),

reasoned as (
    select
        *,
        case
            when copy_number > 1 then [
                'row: same coder, article, date, actors, code, place and quote as ' || first_copy
            ]
            else field_reasons
        end as rejection_reasons,
        -- The row as read, for the rejected-rows table only (accepted rows keep their values as columns).
        case when copy_number > 1 or len(field_reasons) > 0 then json_merge_patch(
            to_json({
                'article_id': article_id, 'event_date': event_date, 'time_precision': time_precision,
                'actor1': actor1, 'actor2': actor2, 'cameo_code': cameo_code,
                'acled_sub_event_type': acled_sub_event_type, 'location': location, 'geo_precision': geo_precision,
                'fatalities': fatalities, 'quote': quote, 'coder': coder, 'confidence': confidence, 'notes': notes,
                'country': country
            }),
            coalesce(extra_columns, '{}')
        ) end as raw_record
    from duplicates_ranked
),

typed_rows as (
    select
        -- A JSON array of the row's key: values that join to the same string ('A' + 'B|C', 'A|B' + 'C') do not
        -- collide.
        md5(cast(to_json([
            article_id_value, strftime(event_date_value, '%Y-%m-%d'), actor1_value, actor2_value,
            cameo_code_value, location_value, article_quote, coder_value
        ]) as varchar)) as extraction_id,
        source_file,
        row_number,
        article_id_value as article_id,
        event_date_value as event_date,
        time_precision_value as time_precision,
        event_window_start,
        actor1_value as actor1,
        actor2_value as actor2,
        cameo_code_value as cameo_code,
        trim(acled_sub_event_type) as acled_sub_event_type,
        location_value as location,
        country_iso2,
        geo_precision_value as geo_precision,
        fatalities_value as fatalities,
        article_quote as quote,
        quote_span[1] as quote_start,
        quote_span[2] as quote_end,
        quote as quote_as_coded,
        coder_value as coder,
        confidence_value as confidence,
        notes,
        extra_columns,
        raw_record,
        rejection_reasons
    from reasoned
),

-- row_hash: a hash of everything the warehouse keeps of an accepted row, its provenance included (file and
-- row number; not its file's hash, which an edit of any other row of the file changes, and which
-- raw.source_files holds, not the row: an update of every kept row of a file held in memory): the build
-- compares it with the last build's, to rebuild what an edit of any field touches (eventdw.state).
final as (
    select
        *,
        md5(cast(to_json({
            'extraction_id': extraction_id, 'source_file': source_file, 'row_number': row_number,
            'article_id': article_id, 'event_date': event_date, 'time_precision': time_precision,
            'actor1': actor1, 'actor2': actor2, 'cameo_code': cameo_code,
            'acled_sub_event_type': acled_sub_event_type, 'location': location, 'country_iso2': country_iso2,
            'geo_precision': geo_precision, 'fatalities': fatalities, 'quote': quote, 'quote_start': quote_start,
            'quote_end': quote_end, 'quote_as_coded': quote_as_coded, 'coder': coder, 'confidence': confidence,
            'notes': notes, 'extra_columns': extra_columns
        }) as varchar)) as row_hash
    from typed_rows
)

select * from final

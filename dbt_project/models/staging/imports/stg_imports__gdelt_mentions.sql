-- GDELT 2.0 mentions in snake case: one row per mention read (an article mentioning an event), whether or
-- not its event is in a loaded events file (a mention may point to an event of an earlier file).
with

source as (
    select * from {{ source('imports', 'gdelt_mentions') }}
),

renamed as (
    select
        {{ adapter.quote('GLOBALEVENTID') }} as global_event_id,
        {{ adapter.quote('EventTimeDate') }} as event_time_date,
        {{ adapter.quote('MentionTimeDate') }} as mention_time_date,
        {{ adapter.quote('MentionType') }} as mention_type,
        {{ adapter.quote('MentionSourceName') }} as mention_source_name,
        {{ adapter.quote('MentionIdentifier') }} as mention_identifier,
        {{ adapter.quote('SentenceID') }} as sentence_id,
        {{ adapter.quote('Actor1CharOffset') }} as actor1_char_offset,
        {{ adapter.quote('Actor2CharOffset') }} as actor2_char_offset,
        {{ adapter.quote('ActionCharOffset') }} as action_char_offset,
        {{ adapter.quote('InRawText') }} as in_raw_text,
        {{ adapter.quote('Confidence') }} as confidence,
        {{ adapter.quote('MentionDocLen') }} as mention_doc_len,
        {{ adapter.quote('MentionDocTone') }} as mention_doc_tone,
        {{ adapter.quote('MentionDocTranslationInfo') }} as mention_doc_translation_info,
        {{ adapter.quote('Extras') }} as extras,
        source_file,
        row_number
    from source
)

select * from renamed

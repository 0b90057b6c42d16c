-- GDELT 2.0 mentions in snake case: one row per mention read (an article mentioning an event), whether or
-- not its event is in a loaded events file (a mention may point to an event of an earlier file).
with

source as (
    select * from {{ source('imports', 'gdelt_mentions') }}
),

renamed as (
    select
        "GLOBALEVENTID" as global_event_id,
        "EventTimeDate" as event_time_date,
        "MentionTimeDate" as mention_time_date,
        "MentionType" as mention_type,
        "MentionSourceName" as mention_source_name,
        "MentionIdentifier" as mention_identifier,
        "SentenceID" as sentence_id,
        "Actor1CharOffset" as actor1_char_offset,
        "Actor2CharOffset" as actor2_char_offset,
        "ActionCharOffset" as action_char_offset,
        "InRawText" as in_raw_text,
        "Confidence" as confidence,
        "MentionDocLen" as mention_doc_len,
        "MentionDocTone" as mention_doc_tone,
        "MentionDocTranslationInfo" as mention_doc_translation_info,
        "Extras" as extras,
        source_file,
        row_number
    from source
)

select * from renamed

{#- What an incremental build rebuilds. eventdw.state decides which articles are rebuilt whole (their file, or
    one of their coded rows, added, removed or changed other than in place since the last finished build)
    and which rows of other articles were changed in place (the same mention in the same country: an edit
    of its deaths, precisions, sub-event type, confidence, notes, or its file and row number, which no
    other row of its article reads). The mention-keyed models delete what they hold of those articles and
    mentions and insert them again as the inputs are now (is_rebuilt_in_this_build); the article-keyed ones
    write again the articles rebuilt whole, and those of the others whose rows of theirs a change in place
    alters (dim_article's event counts, the coders' units of an article coded twice). The grouping rule
    (int_mentions_anchored_to_events) writes the mentions it regrouped, with the event each was in before,
    and a row with no event for each mention removed; the per-event marts rebuild the events those rows
    were and are in. -#}

{#- The articles this build rebuilds whole: every row of theirs, as built before and as it is now. -#}
{% macro articles_rebuilt_in_this_build() -%}
    select article_id from {{ ref('stg_build_state__articles_to_rebuild') }}
{%- endmacro %}

{#- The rows of other articles this build rebuilds: the mentions changed in place (`moved_only`: of them, those
    that moved to another file or row number). -#}
{% macro mentions_changed_in_place_in_this_build(moved_only=false) -%}
    select mention_id from {{ ref('stg_build_state__mentions_to_rebuild') }}{{ ' where is_moved' if moved_only }}
{%- endmacro %}

{#- Whether the mention of a row (its article_id and mention_id, of `relation` if given) is rebuilt in this
    build: its article is rebuilt whole, or it was changed in place. On Spark, whose plan rebuilds the
    article of every change (eventdw.state), the article alone. `negate`: whether it is not, written with
    `not in`, as the models wrote it before. `moved_only`: of the mentions changed in place, only those that
    moved. -#}
{% macro is_rebuilt_in_this_build(relation=none, negate=false, moved_only=false) -%}
    {%- set prefix = relation ~ '.' if relation else '' -%}
    {%- set in_, or_ = ('not in', 'and') if negate else ('in', 'or') -%}
    ({{ prefix }}article_id {{ in_ }} ({{ articles_rebuilt_in_this_build() }})
    {%- if target.type != 'spark' %}
        {{ or_ }} {{ prefix }}mention_id {{ in_ }} ({{ mentions_changed_in_place_in_this_build(moved_only) }})
    {%- endif -%}
    )
{%- endmacro %}

{#- The articles whose own rows this build writes again (their coders' units, ...): those rebuilt whole and
    those with a mention changed in place. -#}
{% macro articles_touched_in_this_build() -%}
    {{ articles_rebuilt_in_this_build() }}
    union
    select article_id from {{ ref('stg_build_state__mentions_to_rebuild') }}
{%- endmacro %}

{#- The mentions removed in this build (of articles rebuilt without them). -#}
{% macro mentions_removed_in_this_build() -%}
    select mention_id from {{ ref('int_mentions_anchored_to_events') }}
    where batch_id = '{{ invocation_id }}' and event_id is null
{%- endmacro %}

{#- The events the per-event marts (fact_events, acled_events) rebuild: those with a mention (re)grouped in
    this build, and those its regrouped or removed mentions were in before, which lost a mention or,
    left with none, are deleted. -#}
{% macro events_rebuilt_in_this_build() -%}
    select event_id from {{ ref('int_mentions_anchored_to_events') }}
    where batch_id = '{{ invocation_id }}' and event_id is not null
    union
    select previous_event_id from {{ ref('int_mentions_anchored_to_events') }}
    where batch_id = '{{ invocation_id }}' and previous_event_id is not null
{%- endmacro %}

{#- The ACLED and GDELT events this build rebuilds (eventdw.state: those whose rows changed; every one
    on a full refresh): int_imported_events and the per-event marts delete them, then insert them as they
    are now (none, for an event deleted or gone). -#}
{% macro imported_events_rebuilt_in_this_build() -%}
    select event_id from {{ ref('stg_build_state__imports_to_rebuild') }}
{%- endmacro %}

{#- Every event this build rebuilds, coded (with the ids they had before) or imported. -#}
{% macro all_events_rebuilt_in_this_build() -%}
    {{ events_rebuilt_in_this_build() }} union {{ imported_events_rebuilt_in_this_build() }}
{%- endmacro %}

{#- The pre-hook of an article-keyed incremental model: delete the rows of the articles rebuilt whole. -#}
{% macro delete_articles_rebuilt() -%}
    {%- if is_incremental() -%}
    {% call delete_from_this() %}article_id in ({{ articles_rebuilt_in_this_build() }}){% endcall %}
    {%- endif -%}
{%- endmacro %}

{#- The post-hook of an article-keyed incremental model that writes again only some of the articles this build
    touches (report_coder_agreement_units): delete the earlier rows of every article it touches. Those it did
    not write again had none. -#}
{% macro delete_articles_rewritten() -%}
    {%- if is_incremental() -%}
    {%- set current_runs = 'select run_id from ' ~ ref('stg_build_state__current_build') -%}
    {% call delete_from_this() %}article_id in ({{ articles_touched_in_this_build() }})
        and run_id not in ({{ current_runs }}){% endcall %}
    {%- endif -%}
{%- endmacro %}

{#- The pre-hook of a mention-keyed incremental model: delete the rows of the mentions rebuilt. -#}
{% macro delete_mentions_rebuilt() -%}
    {%- if is_incremental() -%}
    {% call delete_from_this() %}{{ is_rebuilt_in_this_build() }}{% endcall %}
    {%- endif -%}
{%- endmacro %}

{#- Whether this build can take mentions away from a spelling (report_unresolved_names): it rebuilds whole an
    article the last build had, whose rows may have been removed, or whose names may now resolve otherwise
    (in the countries its text names). Rows changed in place keep their names and country, and a new
    article only adds mentions. Asked when the model runs (false when dbt only parses). -#}
{% macro mentions_may_leave_spellings() -%}
    {%- if not execute -%}{{ return(false) }}{%- endif -%}
    {%- set found = run_query('select count(*) from ' ~ ref('stg_build_state__articles_to_rebuild') ~ ' where was_built') -%}
    {{ return(found.columns[0].values()[0] > 0) }}
{%- endmacro %}

{#- The rows of report_unresolved_names its post-hook deletes in an incremental build: the earlier rows of
    the spellings the build wrote again, and (if it can take mentions away from one) of those that no
    unresolved mention spells any more. -#}
{% macro unresolved_names_replaced() -%}
    {%- set current_runs = 'select run_id from ' ~ ref('stg_build_state__current_build') -%}
    run_id not in ({{ current_runs }})
    and (
        name_kind || ':' || spelling_normalized in (
            select name_kind || ':' || spelling_normalized from {{ this }} where run_id in ({{ current_runs }})
        )
        {%- if mentions_may_leave_spellings() %}
        or name_kind || ':' || spelling_normalized not in (
            select 'actor:' || actor_normalized from {{ ref('int_extractions_resolved_to_actors') }}
            where not is_resolved and actor_normalized is not null
            union all
            select 'place:' || location_normalized from {{ ref('int_extractions_resolved_to_places') }}
            where not is_resolved and location_normalized is not null
        )
        {%- endif %}
    )
{%- endmacro %}

{#-
    For a model that is a function of the reference data alone (the gazetteer's names, the actors' names):
    an incremental build adds nothing to it. eventdw.state runs a build incrementally only when the reference
    data, the dbt project and the name normaliser are those of the last finished build, and fully otherwise,
    so the table built then is still right. Use as the model's last line: `{{ reference_only_model() }}`.
-#}
{% macro reference_only_model() -%}
    {%- if is_incremental() %}
where false  -- eventdw.state: the reference data is the last build's; the rows built then stand
    {%- endif %}
{%- endmacro %}

{#-
    The rows a data test reads: dbt's `where` test config, which dbt_project.yml sets for every data test from
    the var test_scope. '' tests every row (dbt's own behaviour). 'rows written by this build' (an incremental
    build, eventdw.transform) tests, of an incremental model, the rows this build wrote: those carrying its
    run id (the marts), its invocation's batch id (the grouping models), or an article it touched (rebuilt
    whole or with a mention changed in place) or imported event it rebuilt; a model built from the reference
    data alone wrote none. A view over an incremental mart whose rows carry its run ids (events_described) is
    tested on the rows with this build's. The coded inputs (the source `coding` and its staging views) are
    tested on the rows of the articles this build touched: the load changed no others, and each key tested on them holds its article (the article id; the mention id,
    an md5 of the row with its article), so two rows that share a key are both among them. Any other table
    or view built whole is tested whole. A relationships test's parent side is never narrowed. A test with a
    `where` of its own (fact_events' keys, not null but for GDELT's or ACLED's rows) reads the rows it selects
    among those.
-#}
{% macro get_where_subquery(relation) -%}
    {%- set own_where = config.get('where') -%}
    {%- if var('test_scope', 'all') != 'batch' or own_where in (none, '') -%}
    {{ return(adapter.dispatch('get_where_subquery', 'dbt')(relation)) }}
    {%- endif -%}
    {%- if not execute -%}
    {{ return(relation) }}
    {%- endif -%}
    {%- set own = '' if own_where == 'rows written by this build' else ' and (' ~ own_where ~ ')' -%}
    {%- set touched -%}
        select article_id from {{ source('build_state', 'articles_to_rebuild') }}
        union select article_id from {{ source('build_state', 'mentions_to_rebuild') }}
    {%- endset -%}
    {%- set whole = relation if not own else '(select * from ' ~ relation ~ ' where true' ~ own ~ ') as dbt_subquery' -%}
    {%- set coded_inputs -%}
        (select * from {{ relation }}
        where article_id in ({{ touched }}){{ own }})
        as dbt_subquery
    {%- endset -%}
    {%- set coded_sources = graph.sources.values() | selectattr('source_name', 'equalto', 'coding')
        | selectattr('schema', 'equalto', relation.schema) | selectattr('identifier', 'equalto', relation.identifier)
        | list -%}
    {%- if coded_sources -%}
    {{ return(coded_inputs) }}
    {%- endif -%}
    {%- set tested = graph.nodes.values() | selectattr('resource_type', 'equalto', 'model')
        | selectattr('alias', 'equalto', relation.identifier) | list -%}
    {%- if not tested or tested[0].config.materialized not in ('incremental', 'view') -%}
    {{ return(whole) }}
    {%- endif -%}
    {%- if tested[0].fqn[1:3] == ['staging', 'coding'] -%}
    {{ return(coded_inputs) }}
    {%- endif -%}
    {%- set columns = adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list -%}
    {#- A view is tested whole, unless its rows are an incremental mart's, each with the run id it was written by. -#}
    {%- if tested[0].config.materialized == 'view' and 'run_id' not in columns -%}
    {{ return(whole) }}
    {%- endif -%}
    {%- if 'run_id' in columns -%}
    {%- set written -%}run_id in (select run_id from {{ source('build_state', 'current_build') }}){%- endset -%}
    {%- elif 'batch_id' in columns -%}
    {%- set written -%}batch_id = '{{ invocation_id }}'{%- endset -%}
    {%- elif 'article_id' in columns -%}
    {%- set written -%}
        article_id in ({{ touched }})
    {%- endset -%}
    {%- elif 'event_id' in columns -%}
    {%- set written -%}
        event_id in (select event_id from {{ source('build_state', 'imports_to_rebuild') }})
    {%- endset -%}
    {%- else -%}
    {%- set written = 'false' -%}
    {%- endif -%}
    {{ return('(select * from ' ~ relation ~ ' where ' ~ written ~ own ~ ') as dbt_subquery') }}
{%- endmacro %}

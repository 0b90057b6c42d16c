{#-
    The rows of `relation` (a model's final CTE) with the run that writes them and the build they are part of
    (stg_build_state__current_build: eventdw.versions.stamp_build writes it before dbt runs), as the last
    two columns: every marts model ends with it, so that each mart row says where it came from. A row an
    incremental build leaves in place keeps the ids it was written with.
-#}
{% macro select_with_provenance(relation) -%}
select
    {{ relation }}.*,
    current_build.run_id,
    current_build.build_id
from {{ relation }}
cross join {{ ref('stg_build_state__current_build') }} as current_build
{%- endmacro %}

{#- The build fails unless every model and source, and every column each one holds in the warehouse, has a
    description: the catalog an analyst reads is whole. Run at the end of each build (on-run-end), when every
    relation exists; a relation not built yet (a failed model) is skipped. -#}
{% macro check_documentation_coverage() %}
    {#- A function of the code and the tables' columns, which an incremental build (test_scope batch) leaves
        as the last finished build checked them: a full refresh or a full check checks them. -#}
    {%- if execute and var('test_scope', '') != 'batch' -%}
        {%- set undocumented = [] -%}
        {%- for node in graph.nodes.values() | list + graph.sources.values() | list -%}
            {%- if node.resource_type in ('model', 'source') -%}
                {%- set name = node.name if node.resource_type == 'model' else node.source_name ~ '.' ~ node.name -%}
                {%- if not node.description -%}
                    {%- do undocumented.append(node.resource_type ~ ' ' ~ name) -%}
                {%- endif -%}
                {%- set relation = adapter.get_relation(
                    database=node.database, schema=node.schema, identifier=node.alias or node.identifier or node.name
                ) -%}
                {%- if relation is not none -%}
                    {%- for column in adapter.get_columns_in_relation(relation) -%}
                        {%- set documented = node.columns.get(column.name) -%}
                        {%- if documented is none or not documented.description -%}
                            {%- do undocumented.append(name ~ '.' ~ column.name) -%}
                        {%- endif -%}
                    {%- endfor -%}
                {%- endif -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if undocumented -%}
            {{ exceptions.raise_compiler_error(
                'documentation coverage under 100%: ' ~ undocumented | length ~ ' without a description: '
                ~ undocumented[:15] | join(', ') ~ (', ...' if undocumented | length > 15 else '')
            ) }}
        {%- endif -%}
    {%- endif -%}
{% endmacro %}

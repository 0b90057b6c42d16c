with

cameo_codes as (
    select * from {{ ref('stg_reference__cameo_codes') }}
),

final as (
    select
        cameo_code,
        cameo_name,
        code_level,
        cameo_root_code,
        cameo_base_code,
        quad_class,
        case quad_class
            when 1 then 'Verbal cooperation'
            when 2 then 'Material cooperation'
            when 3 then 'Verbal conflict'
            when 4 then 'Material conflict'
        end as quad_class_name,
        goldstein_scale
    from cameo_codes
)

{{ select_with_provenance('final') }}

with

source as (
    select * from {{ source('reference', 'cameo_codes') }}
),

renamed as (
    select
        cameo_code,
        cameo_name,
        cast(goldstein_scale as double) as goldstein_scale,
        cast(length(cameo_code) as bigint) as code_level,
        substr(cameo_code, 1, 2) as cameo_root_code,
        case when length(cameo_code) >= 3 then substr(cameo_code, 1, 3) end as cameo_base_code,
        case
            when substr(cameo_code, 1, 2) between '01' and '05' then 1
            when substr(cameo_code, 1, 2) between '06' and '08' then 2
            when substr(cameo_code, 1, 2) between '09' and '13' then 3
            else 4
        end as quad_class
    from source
)

select * from renamed

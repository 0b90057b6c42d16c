-- Each actor with the top of its parent chain (the Deir el-Zor Military Council -> SDF; Military Forces
-- of Syria -> Government of Syria). Reports name a unit or its parent interchangeably, so events are
-- deduplicated on root actors. Up to four levels, walked with self-joins (portable to Spark).
with

actors as (
    select * from {{ ref('int_actors_unioned') }}
),

final as (
    select
        actors.actor_id,
        coalesce(great_grandparent.actor_id, grandparent.actor_id, parent.actor_id, actors.actor_id)
            as root_actor_id,
        case
            when great_grandparent.actor_id is not null then 3
            when grandparent.actor_id is not null then 2
            when parent.actor_id is not null then 1
            else 0
        end as depth
    from actors
    left join actors as parent on parent.actor_id = actors.parent_actor_id
    left join actors as grandparent on grandparent.actor_id = parent.parent_actor_id
    left join actors as great_grandparent on great_grandparent.actor_id = grandparent.parent_actor_id
)

select * from final

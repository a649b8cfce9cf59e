-- A *_RECENT view over its dynamic table, so readers keep the reference's view names.
SELECT * FROM {{ref DYNAMIC_TABLE}}

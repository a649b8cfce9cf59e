-- Succeeds only if the current role may read the object; LIMIT 0 reads no rows.
SELECT 1 FROM {{OBJECT}} LIMIT 0

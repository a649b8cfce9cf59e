-- Team of each user and agent named in wallmonitor:costTeamsByUser / costTeamsByAgent
-- (KIND USER: NAME is the upper-case user name; KIND AGENT: DATABASE.SCHEMA.AGENT). Each name
-- has one team (lib/costConfig.ts refuses a name in two teams). Without mappings the list holds
-- one placeholder row of NULLs, filtered out here.
SELECT m.KIND::STRING AS KIND, m.NAME::STRING AS NAME, m.TEAM::STRING AS TEAM
FROM (VALUES
    {{MAPPINGS}}
) AS m (KIND, NAME, TEAM)
WHERE m.TEAM IS NOT NULL

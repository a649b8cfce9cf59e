-- One agent version as this discovery run saw it; the hashes are NULL for a version whose spec it did not read.
INSERT INTO {{SCRATCH_TABLE}} (
    AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, VERSION_NAME, ALIASES, IS_DEFAULT, VERSION_CREATED_ON,
    SPEC_HASH, INSTRUCTIONS_HASH, TOOLS_HASH, MODELS_HASH, BUDGET_HASH
) VALUES (
    {{bind agent_database}}, {{bind agent_schema}}, {{bind agent_name}}, {{bind version_name}}, {{bind aliases}},
    {{bind is_default}}, CAST({{bind version_created_on}} AS TIMESTAMP_NTZ),
    {{bind spec_hash}}, {{bind instructions_hash}}, {{bind tools_hash}}, {{bind models_hash}}, {{bind budget_hash}}
)

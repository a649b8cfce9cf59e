-- Every Cortex Agent the owner role can see; columns database_name, schema_name, name.
SHOW AGENTS IN ACCOUNT

-- One member's rows, read from the database the central account created from its share.
SELECT SOURCE_ACCOUNT, {{COLUMNS}}
FROM {{SHARED_VIEW}}

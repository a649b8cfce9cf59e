-- History and state of one evaluation commit together or not at all: a failure half-way leaves
-- neither, so the next evaluation decides (and notifies) the same transitions once.
-- https://docs.snowflake.com/en/sql-reference/transactions
BEGIN TRANSACTION

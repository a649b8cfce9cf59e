-- AGENT_EVENTS_RECENT: every event in the history (retention keeps it to historyDays), with
-- the reference's derived columns. Conversation text is never exposed here, only RAW_ATTRIBUTES,
-- which is NULL unless storeConversationText is on.
-- Evaluation runs are kept here, marked per whole trace (IS_EVALUATION, EVALUATION_RUN_NAME; see
-- evaluation/history.sql): every production view over this one reads `NOT IS_EVALUATION`, and
-- EVALUATION_RUNS reads `IS_EVALUATION`.
SELECT
{{> dashboards/event_columns.sql}}
FROM (
    {{> evaluation/history.sql}}
) AS h

-- Parses rows in Snowflake's event-table layout into AGENT_EVENTS_HISTORY's columns.
-- Included by every ingest statement, so all ingest paths parse an event the same way.
-- The including statement defines SOURCE_EVENTS: the event-table columns plus
-- SOURCE_AGENT_DATABASE / SOURCE_AGENT_SCHEMA / SOURCE_AGENT_NAME and SOURCE_TEXT_REDACTED
-- (whether its source redacts tool inputs and outputs, conversation history and feedback text).
--
-- Attribute keys (RECORD_ATTRIBUTES, prefix snow.ai.observability.) follow
-- docs snowflake-domain.md section 1; the ones marked unverified there are only read here.
--
-- Span categories, by the span names live accounts write (snowflake-access.md, "Live event shapes"):
--   AGENT_RUN       AgentV2RequestResponseInfo, the turn's root: the only span counted as a turn.
--   LLM_CALL        ReasoningAgentStepPlanning-N, ReasoningAgentStepResponseGeneration-N (and the older
--                   ResponseGeneration). Tokens are read from these spans only, so a wrapper or root
--                   that repeated the counts could never add them twice.
--   TOOL_EXECUTION  SemanticContextTool_<view> and CortexAnalystTool_<name> (cortex_analyst),
--                   SqlExecution_SystemSQL / SqlExecution_CortexAnalyst / SqlExecution (sql_execution),
--                   CortexChartToolImpl[-data_to_chart] (chart_generation), ToolCall-<tool> (custom_tool),
--                   ServerSkillTool_<skill> (server_skill), CodeExecutionTool_* (code_execution),
--                   ServerMCPTool_* (mcp_tool), AgentRouterTool_* (agent_router), web search.
--   RETRIEVAL       CortexSearchService_<name> (cortex_search).
--   WRAPPER         Agent (wraps the turn's steps) and SystemExecuteSQLTool_* (wraps the SqlExecution_SystemSQL
--                   span and repeats its time): never a tool call, no TOOL_KIND and no STATUS, so no tool
--                   time, latency breakdown, error count or rollup counts them a second time.
--   GUARDRAIL       Guardrails: a safety check of the turn, counted apart from LLM and tool calls.
--   EVALUATION      spans of an evaluation run that have no name above (eval_root, eval, ground truth).
--   REQUEST         CORTEX_AGENT_REQUEST rows (no trace id): one per request, beside the turn's root
--                   span. Not a turn (the root span is), not a span; their
--                   VALUE:"snow.ai.observability.response_time_ms" is kept in RESPONSE_TIME_MS for drill-down
--                   and never counted as turn latency (the root span's duration is). ASSUMPTION: the row's
--                   RECORD:name is CORTEX_AGENT_REQUEST, as a feedback row's is CORTEX_AGENT_FEEDBACK.
--   FEEDBACK        CORTEX_AGENT_FEEDBACK rows; OTHER anything else.
--
-- Evaluation runs write into the same table (TruLens conventions, trulens/otel/semconv/trace.py; the docs
-- say evaluation logs carry run.name). IS_EVALUATION_EVENT marks an event whose own span type
-- (ai.observability.span_type) is an evaluation type or that carries snow.ai.observability.run.name.
-- The events of one trace arrive over several cycles, so the whole-trace verdict is not taken here but
-- when reading (sql/evaluation/history.sql): a trace is evaluation if any of its events is marked.
SELECT
    p.EVENT_KEY, p.AGENT_DATABASE, p.AGENT_SCHEMA, p.AGENT_NAME, p.EVENT_TIMESTAMP, p.START_TIMESTAMP,
    p.RECORD_TYPE, p.EVENT_NAME, p.SPAN_NAME,
    -- A span no name above accounts for is an evaluation span when its span type says so.
    IFF(p.NAMED_CATEGORY = 'OTHER' AND p.RECORD_TYPE = 'SPAN' AND p.HAS_EVALUATION_SPAN_TYPE,
        'EVALUATION', p.NAMED_CATEGORY) AS SPAN_CATEGORY,
    p.SPAN_ID, p.TRACE_ID, p.PARENT_SPAN_ID,
    p.RECORD_ID, p.REQUEST_ID, p.THREAD_ID, p.AGENT_ID, p.USER_ID, p.USER_NAME, p.MODEL_NAME,
    IFF(p.NAMED_CATEGORY = 'LLM_CALL', p.PROMPT_TOKENS, NULL) AS PROMPT_TOKENS,
    IFF(p.NAMED_CATEGORY = 'LLM_CALL', p.COMPLETION_TOKENS, NULL) AS COMPLETION_TOKENS,
    IFF(p.NAMED_CATEGORY = 'LLM_CALL', p.TOTAL_TOKENS, NULL) AS TOTAL_TOKENS,
    IFF(p.NAMED_CATEGORY = 'LLM_CALL', p.CACHE_READ_TOKENS, NULL) AS CACHE_READ_TOKENS,
    IFF(p.NAMED_CATEGORY = 'LLM_CALL', p.CACHE_WRITE_TOKENS, NULL) AS CACHE_WRITE_TOKENS,
    p.SPAN_DURATION_MS, p.TOOL_KIND, p.TOOL_NAME, p.RETRIEVAL_QUERY,
    -- A wrapper's outcome is the outcome of the span inside it: it has no STATUS of its own, so
    -- a failed SQL call is one failed span, not two, in every error count and rate.
    CASE
        WHEN p.RECORD_TYPE IS DISTINCT FROM 'SPAN' OR p.NAMED_CATEGORY = 'WRAPPER' THEN NULL
        WHEN p.OTEL_STATUS_CODE = 'STATUS_CODE_ERROR'
            OR UPPER(p.STATUS_WORD) IN ('ERROR', 'FAILED', 'FAILURE') THEN 'ERROR'
        ELSE 'OK'
    END AS STATUS,
    p.STATUS_CODE,
    IFF(p.NAMED_CATEGORY IS DISTINCT FROM 'WRAPPER'
            AND (p.OTEL_STATUS_CODE = 'STATUS_CODE_ERROR' OR UPPER(p.STATUS_WORD) IN ('ERROR', 'FAILED', 'FAILURE')),
        COALESCE(p.STATUS_DESCRIPTION, p.STATUS_CODE, 'error'), NULL) AS ERROR_MESSAGE,
    p.FEEDBACK_POSITIVE, p.FEEDBACK_MESSAGE, p.FEEDBACK_CATEGORIES, p.FEEDBACK_REQUEST_ID,
    p.QUESTION_TEXT, p.ANSWER_TEXT, p.RAW_ATTRIBUTES,
    p.OBSERVABILITY_SPAN_TYPE, p.RUN_NAME,
    (p.HAS_EVALUATION_SPAN_TYPE OR p.RUN_NAME IS NOT NULL) AS IS_EVALUATION_EVENT,
    p.RESPONSE_TIME_MS, p.VERSION_NAME
FROM (
    SELECT
        SHA2(ARRAY_TO_STRING(ARRAY_CONSTRUCT(
            s.SOURCE_AGENT_DATABASE, s.SOURCE_AGENT_SCHEMA, s.SOURCE_AGENT_NAME,
            COALESCE(s.RECORD_TYPE, ''),
            COALESCE(s.TRACE:trace_id::STRING, ''),
            COALESCE(s.TRACE:span_id::STRING, ''),
            COALESCE(s.RECORD:name::STRING, ''),
            TO_VARCHAR(s.TIMESTAMP, 'YYYY-MM-DD HH24:MI:SS.FF9'),
            COALESCE(s.VALUE:orig_request_id::STRING, '')), '|')
            -- A CORTEX_AGENT_REQUEST row has no trace or span id: its request id (else its whole VALUE)
            -- tells two requests ending in the same instant apart. Only these rows get the suffix,
            -- so every other event keeps the key it had.
            || IFF(s.TRACE:trace_id IS NULL AND s.RECORD:name::STRING = 'CORTEX_AGENT_REQUEST',
                   '|' || COALESCE(s.RECORD_ATTRIBUTES:"snow.ai.observability.agent.request_id"::STRING,
                                   TO_JSON(s.VALUE), ''), ''), 256) AS EVENT_KEY,
        s.SOURCE_AGENT_DATABASE AS AGENT_DATABASE,
        s.SOURCE_AGENT_SCHEMA AS AGENT_SCHEMA,
        s.SOURCE_AGENT_NAME AS AGENT_NAME,
        s.TIMESTAMP AS EVENT_TIMESTAMP,
        s.START_TIMESTAMP,
        s.RECORD_TYPE,
        s.RECORD:name::STRING AS EVENT_NAME,
        IFF(s.RECORD_TYPE = 'SPAN', s.RECORD:name::STRING, NULL) AS SPAN_NAME,
        CASE
            WHEN s.RECORD:name::STRING = 'CORTEX_AGENT_FEEDBACK' THEN 'FEEDBACK'
            WHEN s.RECORD:name::STRING = 'CORTEX_AGENT_REQUEST' THEN 'REQUEST'
            WHEN s.RECORD_TYPE IS DISTINCT FROM 'SPAN' THEN 'OTHER'
            -- One root span per turn: the only span counted as an agent run.
            WHEN s.RECORD:name::STRING = 'AgentV2RequestResponseInfo' THEN 'AGENT_RUN'
            WHEN s.RECORD:name::STRING LIKE 'ReasoningAgentStep%'
                OR s.RECORD:name::STRING = 'ResponseGeneration' THEN 'LLM_CALL'
            -- Wrappers repeat the time of the spans inside them (checked before the tool names:
            -- SystemExecuteSQLTool_* wraps SqlExecution_SystemSQL).
            WHEN s.RECORD:name::STRING = 'Agent'
                OR s.RECORD:name::STRING LIKE 'SystemExecuteSQLTool%' THEN 'WRAPPER'
            WHEN s.RECORD:name::STRING = 'Guardrails' THEN 'GUARDRAIL'
            WHEN s.RECORD:name::STRING LIKE 'CortexSearchService%'
                OR s.RECORD_ATTRIBUTES:"snow.ai.observability.agent.tool.cortex_search.duration" IS NOT NULL THEN 'RETRIEVAL'
            WHEN s.RECORD:name::STRING LIKE 'CortexAnalystTool%'
                OR s.RECORD:name::STRING LIKE 'SemanticContextTool%'
                OR s.RECORD:name::STRING LIKE 'SqlExecution%'
                OR s.RECORD:name::STRING LIKE 'ToolCall-%'
                OR s.RECORD:name::STRING LIKE 'CortexChartToolImpl%'
                OR s.RECORD:name::STRING LIKE 'ServerSkillTool%'
                OR s.RECORD:name::STRING LIKE 'CodeExecutionTool%'
                OR s.RECORD:name::STRING LIKE 'ServerMCPTool%'
                OR s.RECORD:name::STRING LIKE 'AgentRouterTool%'
                OR s.RECORD_ATTRIBUTES:"snow.ai.observability.agent.tool.web_search.duration" IS NOT NULL
                OR s.RECORD_ATTRIBUTES:"snow.ai.observability.agent.tool.custom_tool.duration" IS NOT NULL THEN 'TOOL_EXECUTION'
            ELSE 'OTHER'
        END AS NAMED_CATEGORY,
        s.TRACE:span_id::STRING AS SPAN_ID,
        s.TRACE:trace_id::STRING AS TRACE_ID,
        s.RECORD:parent_span_id::STRING AS PARENT_SPAN_ID,
        s.RECORD_ATTRIBUTES:"ai.observability.record_id"::STRING AS RECORD_ID,
        s.RECORD_ATTRIBUTES:"snow.ai.observability.agent.request_id"::STRING AS REQUEST_ID,
        s.RECORD_ATTRIBUTES:"snow.ai.observability.agent.thread_id"::STRING AS THREAD_ID,
        s.RECORD_ATTRIBUTES:"snow.ai.observability.object.version.id"::STRING AS AGENT_ID,
        -- The named version that served the turn (VERSION$N, or LIVE). Spelled as the
        -- TruLens Snowflake connector reads it from GET_AI_OBSERVABILITY_EVENTS
        -- and as public Cortex Agent dashboards do; [public], not documented: an open check in
        -- privileges/model.json. No alias attribute is known: aliases come from the discovery
        -- snapshots (SHOW VERSIONS IN AGENT, sql/ingestion/show_agent_versions.sql).
        s.RECORD_ATTRIBUTES:"snow.ai.observability.object.version.name"::STRING AS VERSION_NAME,
        s.RESOURCE_ATTRIBUTES:"snow.user.id"::STRING AS USER_ID,
        s.RESOURCE_ATTRIBUTES:"snow.user.name"::STRING AS USER_NAME,
        s.RECORD_ATTRIBUTES:"snow.ai.observability.agent.planning.model"::STRING AS MODEL_NAME,
        s.RECORD_ATTRIBUTES:"snow.ai.observability.agent.planning.token_count.input"::NUMBER AS PROMPT_TOKENS,
        s.RECORD_ATTRIBUTES:"snow.ai.observability.agent.planning.token_count.output"::NUMBER AS COMPLETION_TOKENS,
        COALESCE(
            s.RECORD_ATTRIBUTES:"snow.ai.observability.agent.planning.token_count.total"::NUMBER,
            s.RECORD_ATTRIBUTES:"snow.ai.observability.agent.planning.token_count.input"::NUMBER
                + s.RECORD_ATTRIBUTES:"snow.ai.observability.agent.planning.token_count.output"::NUMBER) AS TOTAL_TOKENS,
        s.RECORD_ATTRIBUTES:"snow.ai.observability.agent.planning.token_count.cache_read_input"::NUMBER AS CACHE_READ_TOKENS,
        s.RECORD_ATTRIBUTES:"snow.ai.observability.agent.planning.token_count.cache_write_input"::NUMBER AS CACHE_WRITE_TOKENS,
        IFF(s.RECORD_TYPE = 'SPAN', DATEDIFF('millisecond', s.START_TIMESTAMP, s.TIMESTAMP), NULL) AS SPAN_DURATION_MS,
        -- Wrappers (SystemExecuteSQLTool_*) have no kind: the span inside them is the tool call.
        CASE
            WHEN s.RECORD:name::STRING LIKE 'SqlExecution%' THEN 'sql_execution'
            WHEN s.RECORD:name::STRING LIKE 'CortexAnalystTool%'
                OR s.RECORD:name::STRING LIKE 'SemanticContextTool%' THEN 'cortex_analyst'
            WHEN s.RECORD:name::STRING LIKE 'CortexSearchService%' THEN 'cortex_search'
            WHEN s.RECORD:name::STRING LIKE 'CortexChartToolImpl%' THEN 'chart_generation'
            WHEN s.RECORD:name::STRING LIKE 'ToolCall-%' THEN 'custom_tool'
            WHEN s.RECORD:name::STRING LIKE 'ServerSkillTool%' THEN 'server_skill'
            WHEN s.RECORD:name::STRING LIKE 'CodeExecutionTool%' THEN 'code_execution'
            WHEN s.RECORD:name::STRING LIKE 'ServerMCPTool%' THEN 'mcp_tool'
            WHEN s.RECORD:name::STRING LIKE 'AgentRouterTool%' THEN 'agent_router'
            WHEN s.RECORD_ATTRIBUTES:"snow.ai.observability.agent.tool.web_search.duration" IS NOT NULL THEN 'web_search'
        END AS TOOL_KIND,
        COALESCE(
            s.RECORD_ATTRIBUTES:"snow.ai.observability.agent.tool.cortex_analyst.name"::STRING,
            s.RECORD_ATTRIBUTES:"snow.ai.observability.agent.tool.cortex_search.name"::STRING,
            s.RECORD_ATTRIBUTES:"snow.ai.observability.agent.tool.custom_tool.name"::STRING,
            s.RECORD_ATTRIBUTES:"snow.ai.observability.agent.tool.web_search.name"::STRING,
            REGEXP_SUBSTR(s.RECORD:name::STRING,
                '^(CortexAnalystTool|SemanticContextTool|CortexSearchService|ToolCall|ServerSkillTool|CodeExecutionTool|ServerMCPTool|AgentRouterTool)[_-](.+)$',
                1, 1, 'e', 2),
            IFF(s.RECORD:name::STRING LIKE 'SqlExecution%' OR s.RECORD:name::STRING LIKE 'CortexChartToolImpl%',
                s.RECORD:name::STRING, NULL)) AS TOOL_NAME,
        -- What the user typed, or what the agent derived from it (a Cortex Search query, Analyst SQL
        -- built from the question), follows the conversation-text setting like the question itself:
        -- stored only when the stack allows it, and never from a redacted source (tool inputs are
        -- among what GET_AI_OBSERVABILITY_EVENTS redacts without READ UNREDACTED AI OBSERVABILITY
        -- EVENTS TABLE, https://docs.snowflake.com/en/release-notes/bcr-bundles/un-bundled/bcr-read-unredacted-ai-observability-events).
        IFF({{STORE_CONVERSATION_TEXT}} AND NOT s.SOURCE_TEXT_REDACTED, COALESCE(
            s.RECORD_ATTRIBUTES:"snow.ai.observability.agent.tool.cortex_search.query"::STRING,
            s.RECORD_ATTRIBUTES:"snow.ai.observability.agent.tool.cortex_analyst.sql_query"::STRING), NULL) AS RETRIEVAL_QUERY,
        s.RECORD:status:code::STRING AS OTEL_STATUS_CODE,
        COALESCE(
            s.RECORD_ATTRIBUTES:"snow.ai.observability.agent.status"::STRING,
            s.RECORD_ATTRIBUTES:"snow.ai.observability.agent.planning.status"::STRING,
            s.RECORD_ATTRIBUTES:"snow.ai.observability.agent.tool.cortex_analyst.status"::STRING,
            s.RECORD_ATTRIBUTES:"snow.ai.observability.agent.tool.cortex_search.status"::STRING,
            s.RECORD_ATTRIBUTES:"snow.ai.observability.agent.tool.sql_execution.status"::STRING,
            s.RECORD_ATTRIBUTES:"snow.ai.observability.agent.tool.custom_tool.status"::STRING,
            s.RECORD_ATTRIBUTES:"snow.ai.observability.agent.tool.web_search.status"::STRING,
            s.RECORD_ATTRIBUTES:"snow.ai.observability.agent.tool.chart_generation.status"::STRING) AS STATUS_WORD,
        COALESCE(
            s.RECORD_ATTRIBUTES:"snow.ai.observability.agent.status.code"::STRING,
            s.RECORD_ATTRIBUTES:"snow.ai.observability.agent.planning.status.code"::STRING,
            s.RECORD_ATTRIBUTES:"snow.ai.observability.agent.tool.cortex_analyst.status.code"::STRING,
            s.RECORD_ATTRIBUTES:"snow.ai.observability.agent.tool.cortex_search.status.code"::STRING,
            s.RECORD_ATTRIBUTES:"snow.ai.observability.agent.tool.sql_execution.status.code"::STRING,
            s.RECORD_ATTRIBUTES:"snow.ai.observability.agent.tool.custom_tool.status.code"::STRING,
            s.RECORD_ATTRIBUTES:"snow.ai.observability.agent.tool.web_search.status.code"::STRING,
            s.RECORD_ATTRIBUTES:"snow.ai.observability.agent.tool.chart_generation.status.code"::STRING,
            s.RECORD:status:code::STRING) AS STATUS_CODE,
        COALESCE(
            s.RECORD:status:message::STRING,
            s.RECORD_ATTRIBUTES:"snow.ai.observability.agent.status.description"::STRING,
            s.RECORD_ATTRIBUTES:"snow.ai.observability.agent.tool.cortex_analyst.status.description"::STRING,
            s.RECORD_ATTRIBUTES:"snow.ai.observability.agent.tool.cortex_search.status.description"::STRING,
            s.RECORD_ATTRIBUTES:"snow.ai.observability.agent.tool.sql_execution.status.description"::STRING,
            s.RECORD_ATTRIBUTES:"snow.ai.observability.agent.tool.custom_tool.status.description"::STRING,
            s.RECORD_ATTRIBUTES:"snow.ai.observability.agent.tool.web_search.status.description"::STRING,
            s.RECORD_ATTRIBUTES:"snow.ai.observability.agent.tool.chart_generation.status.description"::STRING) AS STATUS_DESCRIPTION,
        s.VALUE:positive::BOOLEAN AS FEEDBACK_POSITIVE,
        -- A feedback comment is typed by the user: the same rule as the question.
        IFF({{STORE_CONVERSATION_TEXT}} AND NOT s.SOURCE_TEXT_REDACTED, s.VALUE:feedback_message::STRING, NULL) AS FEEDBACK_MESSAGE,
        s.VALUE:categories AS FEEDBACK_CATEGORIES,
        s.VALUE:orig_request_id::STRING AS FEEDBACK_REQUEST_ID,
        s.RECORD_ATTRIBUTES:"ai.observability.span_type"::STRING AS OBSERVABILITY_SPAN_TYPE,
        -- The evaluation span types, spelled here only.
        COALESCE(LOWER(s.RECORD_ATTRIBUTES:"ai.observability.span_type"::STRING)
            IN ('record_root', 'eval_root', 'eval', 'cortex_agent_ground_truth'), FALSE) AS HAS_EVALUATION_SPAN_TYPE,
        s.RECORD_ATTRIBUTES:"snow.ai.observability.run.name"::STRING AS RUN_NAME,
        IFF(s.RECORD:name::STRING = 'CORTEX_AGENT_REQUEST',
            s.VALUE:"snow.ai.observability.response_time_ms"::NUMBER, NULL) AS RESPONSE_TIME_MS,
        -- Conversation text is kept only when the stack allows it (storeConversationText), and
        -- never from a redacted source: a redaction placeholder is not what the user wrote.
        IFF({{STORE_CONVERSATION_TEXT}} AND NOT s.SOURCE_TEXT_REDACTED, s.RECORD_ATTRIBUTES:"snow.ai.observability.agent.messages"::STRING, NULL) AS QUESTION_TEXT,
        IFF({{STORE_CONVERSATION_TEXT}} AND NOT s.SOURCE_TEXT_REDACTED, s.RECORD_ATTRIBUTES:"snow.ai.observability.agent.response"::STRING, NULL) AS ANSWER_TEXT,
        IFF({{STORE_CONVERSATION_TEXT}} AND NOT s.SOURCE_TEXT_REDACTED, s.RECORD_ATTRIBUTES, NULL) AS RAW_ATTRIBUTES
    FROM SOURCE_EVENTS AS s
    -- The same event delivered twice in one read is loaded once.
    QUALIFY ROW_NUMBER() OVER (PARTITION BY EVENT_KEY ORDER BY s.TIMESTAMP) = 1
) AS p

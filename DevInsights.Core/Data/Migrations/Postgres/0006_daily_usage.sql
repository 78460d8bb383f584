-- 0006 daily usage rollup (PostgreSQL): one row per UTC day, project, developer, client and model, summed from the
-- events so the dashboard never scans the event table. '' stands for "no developer" / "no model" because NULLs
-- never conflict in a unique key. Existing events are rolled up here once; afterwards the ingestion writer keeps
-- the table current in each batch's transaction.
CREATE TABLE daily_usage (
    day date NOT NULL,
    project_id bigint NOT NULL,
    developer_id character varying(450) NOT NULL,
    client character varying(32) NOT NULL,
    model character varying(200) NOT NULL,
    events bigint NOT NULL,
    api_requests bigint NOT NULL,
    input_tokens bigint NOT NULL,
    output_tokens bigint NOT NULL,
    cache_read_tokens bigint NOT NULL,
    cache_creation_tokens bigint NOT NULL,
    cost_usd double precision NOT NULL,
    tool_calls bigint NOT NULL,
    tool_errors bigint NOT NULL,
    sessions_started bigint NOT NULL,
    CONSTRAINT pk_daily_usage PRIMARY KEY (day, project_id, developer_id, client, model),
    CONSTRAINT fk_daily_usage_projects_project_id FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE CASCADE
);

CREATE INDEX ix_daily_usage_project_id_day ON daily_usage (project_id, day);

INSERT INTO daily_usage (day, project_id, developer_id, client, model, events, api_requests, input_tokens, output_tokens,
    cache_read_tokens, cache_creation_tokens, cost_usd, tool_calls, tool_errors, sessions_started)
SELECT (e.timestamp AT TIME ZONE 'UTC')::date, e.project_id, COALESCE(s.developer_id, ''), s.client, COALESCE(e.model, ''), COUNT(*),
    SUM(CASE WHEN e.type = 'api_request' THEN 1 ELSE 0 END),
    SUM(e.input_tokens), SUM(e.output_tokens), SUM(e.cache_read_tokens), SUM(e.cache_creation_tokens),
    SUM(COALESCE(e.cost_usd, 0)),
    SUM(CASE WHEN e.tool_name IS NOT NULL AND e.success IS NOT NULL THEN 1 ELSE 0 END),
    SUM(CASE WHEN e.tool_name IS NOT NULL AND NOT e.success THEN 1 ELSE 0 END),
    0
FROM events e JOIN sessions s ON s.id = e.session_id
GROUP BY 1, e.project_id, COALESCE(s.developer_id, ''), s.client, COALESCE(e.model, '');

INSERT INTO daily_usage (day, project_id, developer_id, client, model, events, api_requests, input_tokens, output_tokens,
    cache_read_tokens, cache_creation_tokens, cost_usd, tool_calls, tool_errors, sessions_started)
SELECT (s.started_at AT TIME ZONE 'UTC')::date, s.project_id, COALESCE(s.developer_id, ''), s.client, '', 0, 0, 0, 0, 0, 0, 0, 0, 0, COUNT(*)
FROM sessions s
GROUP BY 1, s.project_id, COALESCE(s.developer_id, ''), s.client
ON CONFLICT (day, project_id, developer_id, client, model) DO UPDATE SET sessions_started = excluded.sessions_started;

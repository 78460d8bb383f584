-- 0008 rollups (PostgreSQL): hourly and daily buckets of usage and tool calls per project, machine, workspace,
-- developer, client and model (tool), rebuilt from the raw events by the rollups job; and the job's watermark.
-- 0 stands for "no machine/workspace" and '' for "no developer/model": key columns cannot hold NULLs (NULLs never
-- conflict). Buckets are the UTC start of the hour or day.
CREATE TABLE usage_rollups (
    grain character varying(8) NOT NULL,
    bucket timestamp with time zone NOT NULL,
    project_id bigint NOT NULL,
    machine_id bigint NOT NULL,
    workspace_id bigint NOT NULL,
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
    duration_ms bigint NOT NULL,
    tool_calls bigint NOT NULL,
    tool_successes bigint NOT NULL,
    tool_errors bigint NOT NULL,
    sessions_started bigint NOT NULL,
    session_duration_ms bigint NOT NULL,
    active_time_s double precision NOT NULL,
    lines_added bigint NOT NULL,
    lines_removed bigint NOT NULL,
    CONSTRAINT pk_usage_rollups PRIMARY KEY (grain, bucket, project_id, machine_id, workspace_id, developer_id, client, model),
    CONSTRAINT fk_usage_rollups_projects_project_id FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE CASCADE
);

CREATE TABLE tool_rollups (
    grain character varying(8) NOT NULL,
    bucket timestamp with time zone NOT NULL,
    project_id bigint NOT NULL,
    machine_id bigint NOT NULL,
    workspace_id bigint NOT NULL,
    developer_id character varying(450) NOT NULL,
    client character varying(32) NOT NULL,
    tool_name character varying(200) NOT NULL,
    calls bigint NOT NULL,
    successes bigint NOT NULL,
    errors bigint NOT NULL,
    CONSTRAINT pk_tool_rollups PRIMARY KEY (grain, bucket, project_id, machine_id, workspace_id, developer_id, client, tool_name),
    CONSTRAINT fk_tool_rollups_projects_project_id FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE CASCADE
);

-- One row per rollup job: every event with id <= event_watermark is reflected in the buckets.
CREATE TABLE rollup_state (
    name character varying(64) NOT NULL,
    event_watermark bigint NOT NULL,
    sessions_checked_at timestamp with time zone NULL,
    purged_before timestamp with time zone NULL,
    updated_at timestamp with time zone NOT NULL,
    CONSTRAINT pk_rollup_state PRIMARY KEY (name)
);

CREATE INDEX ix_usage_rollups_project_id_grain_bucket ON usage_rollups (project_id, grain, bucket);
CREATE INDEX ix_tool_rollups_project_id_grain_bucket ON tool_rollups (project_id, grain, bucket);

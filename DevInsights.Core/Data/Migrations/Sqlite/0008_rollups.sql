-- 0008 rollups (SQLite): hourly and daily buckets of usage and tool calls per project, machine, workspace,
-- developer, client and model (tool), rebuilt from the raw events by the rollups job; and the job's watermark.
-- 0 stands for "no machine/workspace" and '' for "no developer/model": key columns cannot hold NULLs (NULLs never
-- conflict). Buckets are the UTC start of the hour or day, in the same text form as every other timestamp.
CREATE TABLE "usage_rollups" (
    "grain" TEXT NOT NULL,
    "bucket" TEXT NOT NULL,
    "project_id" INTEGER NOT NULL,
    "machine_id" INTEGER NOT NULL,
    "workspace_id" INTEGER NOT NULL,
    "developer_id" TEXT NOT NULL,
    "client" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "events" INTEGER NOT NULL,
    "api_requests" INTEGER NOT NULL,
    "input_tokens" INTEGER NOT NULL,
    "output_tokens" INTEGER NOT NULL,
    "cache_read_tokens" INTEGER NOT NULL,
    "cache_creation_tokens" INTEGER NOT NULL,
    "cost_usd" REAL NOT NULL,
    "duration_ms" INTEGER NOT NULL,
    "tool_calls" INTEGER NOT NULL,
    "tool_successes" INTEGER NOT NULL,
    "tool_errors" INTEGER NOT NULL,
    "sessions_started" INTEGER NOT NULL,
    "session_duration_ms" INTEGER NOT NULL,
    "active_time_s" REAL NOT NULL,
    "lines_added" INTEGER NOT NULL,
    "lines_removed" INTEGER NOT NULL,
    CONSTRAINT "pk_usage_rollups" PRIMARY KEY ("grain", "bucket", "project_id", "machine_id", "workspace_id", "developer_id", "client", "model"),
    CONSTRAINT "fk_usage_rollups_projects_project_id" FOREIGN KEY ("project_id") REFERENCES "projects" ("id") ON DELETE CASCADE
);

CREATE TABLE "tool_rollups" (
    "grain" TEXT NOT NULL,
    "bucket" TEXT NOT NULL,
    "project_id" INTEGER NOT NULL,
    "machine_id" INTEGER NOT NULL,
    "workspace_id" INTEGER NOT NULL,
    "developer_id" TEXT NOT NULL,
    "client" TEXT NOT NULL,
    "tool_name" TEXT NOT NULL,
    "calls" INTEGER NOT NULL,
    "successes" INTEGER NOT NULL,
    "errors" INTEGER NOT NULL,
    CONSTRAINT "pk_tool_rollups" PRIMARY KEY ("grain", "bucket", "project_id", "machine_id", "workspace_id", "developer_id", "client", "tool_name"),
    CONSTRAINT "fk_tool_rollups_projects_project_id" FOREIGN KEY ("project_id") REFERENCES "projects" ("id") ON DELETE CASCADE
);

-- One row per rollup job: every event with id <= event_watermark is reflected in the buckets.
CREATE TABLE "rollup_state" (
    "name" TEXT NOT NULL CONSTRAINT "pk_rollup_state" PRIMARY KEY,
    "event_watermark" INTEGER NOT NULL,
    "sessions_checked_at" TEXT NULL,
    "purged_before" TEXT NULL,
    "updated_at" TEXT NOT NULL
);

CREATE INDEX "ix_usage_rollups_project_id_grain_bucket" ON "usage_rollups" ("project_id", "grain", "bucket");
CREATE INDEX "ix_tool_rollups_project_id_grain_bucket" ON "tool_rollups" ("project_id", "grain", "bucket");

-- 0007 jobs and costs (SQLite): the run history of scheduled jobs; the effective-dated price table with model aliases;
-- the cost computed from tokens x price beside the client's own estimate on events, sessions and a daily cost rollup;
-- what the providers report (usage, billed cost, Claude Code analytics) with each stream's resume point; and the
-- mapping of provider projects, keys and users to DevInsights projects and developers.
CREATE TABLE "job_runs" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_job_runs" PRIMARY KEY AUTOINCREMENT,
    "job_name" TEXT NOT NULL,
    "trigger" TEXT NOT NULL,
    "started_at" TEXT NOT NULL,
    "finished_at" TEXT NULL,
    "status" TEXT NOT NULL,
    "summary" TEXT NULL,
    "counts_json" TEXT NULL,
    "error" TEXT NULL
);
CREATE INDEX "ix_job_runs_job_name_started_at" ON "job_runs" ("job_name", "started_at");

-- One row per price version: a model's price applies from effective_from until a later row for the same model;
-- among rows of the same day the newest (highest id) wins, which is how an admin overrides a price.
CREATE TABLE "prices" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_prices" PRIMARY KEY AUTOINCREMENT,
    "provider" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "effective_from" TEXT NOT NULL,
    "input_per_mtok" REAL NOT NULL,
    "output_per_mtok" REAL NOT NULL,
    "cache_write5m_per_mtok" REAL NULL,
    "cache_write1h_per_mtok" REAL NULL,
    "cache_read_per_mtok" REAL NULL,
    "source" TEXT NOT NULL,
    "note" TEXT NULL,
    "created_at" TEXT NOT NULL,
    "created_by" TEXT NULL
);
CREATE INDEX "ix_prices_model_effective_from" ON "prices" ("model", "effective_from");
-- Shipped defaults are inserted by every instance at start: this keeps them once.
CREATE UNIQUE INDEX "ix_prices_model_effective_from_source" ON "prices" ("model", "effective_from", "source") WHERE source = 'default';

CREATE TABLE "model_aliases" (
    "alias" TEXT NOT NULL CONSTRAINT "pk_model_aliases" PRIMARY KEY,
    "model" TEXT NOT NULL,
    "created_at" TEXT NOT NULL
);

ALTER TABLE "events" ADD COLUMN "computed_cost_usd" REAL NULL;
ALTER TABLE "events" ADD COLUMN "price_id" INTEGER NULL;
ALTER TABLE "events" ADD COLUMN "cost_source" TEXT NULL;
UPDATE "events" SET "cost_source" = 'client' WHERE "cost_usd" IS NOT NULL;
ALTER TABLE "sessions" ADD COLUMN "computed_cost_usd" REAL NOT NULL DEFAULT 0;
ALTER TABLE "sessions" ADD COLUMN "unpriced_events" INTEGER NOT NULL DEFAULT 0;

-- Per UTC day, project, developer ('' none), client and model: the client's estimate, token x price, and what could not
-- be priced. Kept by the ingestion writer in each batch's transaction, like daily_usage.
CREATE TABLE "daily_costs" (
    "day" TEXT NOT NULL,
    "project_id" INTEGER NOT NULL,
    "developer_id" TEXT NOT NULL,
    "client" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "client_cost_usd" REAL NOT NULL,
    "computed_cost_usd" REAL NOT NULL,
    "priced_events" INTEGER NOT NULL,
    "unpriced_events" INTEGER NOT NULL,
    "unpriced_tokens" INTEGER NOT NULL,
    CONSTRAINT "pk_daily_costs" PRIMARY KEY ("day", "project_id", "developer_id", "client", "model"),
    CONSTRAINT "fk_daily_costs_projects_project_id" FOREIGN KEY ("project_id") REFERENCES "projects" ("id") ON DELETE CASCADE
);
CREATE INDEX "ix_daily_costs_project_id_day" ON "daily_costs" ("project_id", "day");

-- Events stored before prices existed were never priced: those with tokens count as unpriced.
INSERT INTO daily_costs (day, project_id, developer_id, client, model, client_cost_usd, computed_cost_usd, priced_events, unpriced_events, unpriced_tokens)
SELECT date(e.timestamp), e.project_id, COALESCE(s.developer_id, ''), s.client, COALESCE(e.model, ''),
    SUM(COALESCE(e.cost_usd, 0)), 0, 0,
    SUM(CASE WHEN e.input_tokens + e.output_tokens + e.cache_read_tokens + e.cache_creation_tokens > 0 THEN 1 ELSE 0 END),
    SUM(e.input_tokens + e.output_tokens + e.cache_read_tokens + e.cache_creation_tokens)
FROM events e JOIN sessions s ON s.id = e.session_id
WHERE e.cost_usd IS NOT NULL OR e.input_tokens + e.output_tokens + e.cache_read_tokens + e.cache_creation_tokens > 0
GROUP BY date(e.timestamp), e.project_id, COALESCE(s.developer_id, ''), s.client, COALESCE(e.model, '');

-- Provider usage per bucket and group (group_key names the group-by values; '' stands for "not grouped by").
CREATE TABLE "provider_usage" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_provider_usage" PRIMARY KEY AUTOINCREMENT,
    "provider" TEXT NOT NULL,
    "bucket_start" TEXT NOT NULL,
    "bucket_end" TEXT NOT NULL,
    "group_key" TEXT NOT NULL,
    "project_ref" TEXT NOT NULL,
    "api_key_ref" TEXT NOT NULL,
    "user_ref" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "input_tokens" INTEGER NOT NULL,
    "cache_read_tokens" INTEGER NOT NULL,
    "cache_write5m_tokens" INTEGER NOT NULL,
    "cache_write1h_tokens" INTEGER NOT NULL,
    "output_tokens" INTEGER NOT NULL,
    "requests" INTEGER NOT NULL,
    "fetched_at" TEXT NOT NULL
);
CREATE UNIQUE INDEX "ix_provider_usage_provider_bucket_start_group_key" ON "provider_usage" ("provider", "bucket_start", "group_key");

CREATE TABLE "provider_costs" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_provider_costs" PRIMARY KEY AUTOINCREMENT,
    "provider" TEXT NOT NULL,
    "bucket_start" TEXT NOT NULL,
    "bucket_end" TEXT NOT NULL,
    "group_key" TEXT NOT NULL,
    "project_ref" TEXT NOT NULL,
    "api_key_ref" TEXT NOT NULL,
    "line_item" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "amount_usd" REAL NOT NULL,
    "fetched_at" TEXT NOT NULL
);
CREATE UNIQUE INDEX "ix_provider_costs_provider_bucket_start_group_key" ON "provider_costs" ("provider", "bucket_start", "group_key");

-- Anthropic's Claude Code analytics: one row per actor per day.
CREATE TABLE "claude_code_usage" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_claude_code_usage" PRIMARY KEY AUTOINCREMENT,
    "day" TEXT NOT NULL,
    "actor_type" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "sessions" INTEGER NOT NULL,
    "lines_added" INTEGER NOT NULL,
    "lines_removed" INTEGER NOT NULL,
    "commits" INTEGER NOT NULL,
    "pull_requests" INTEGER NOT NULL,
    "input_tokens" INTEGER NOT NULL,
    "output_tokens" INTEGER NOT NULL,
    "cache_read_tokens" INTEGER NOT NULL,
    "cache_creation_tokens" INTEGER NOT NULL,
    "estimated_cost_usd" REAL NOT NULL,
    "fetched_at" TEXT NOT NULL
);
CREATE UNIQUE INDEX "ix_claude_code_usage_day_actor_type_actor" ON "claude_code_usage" ("day", "actor_type", "actor");

-- Where each provider stream resumes: everything before complete_until is stored in complete buckets.
CREATE TABLE "provider_sync_state" (
    "stream" TEXT NOT NULL CONSTRAINT "pk_provider_sync_state" PRIMARY KEY,
    "complete_until" TEXT NOT NULL,
    "updated_at" TEXT NOT NULL
);

CREATE TABLE "provider_mappings" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_provider_mappings" PRIMARY KEY AUTOINCREMENT,
    "provider" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "external_id" TEXT NOT NULL,
    "project_id" INTEGER NULL,
    "developer_id" TEXT NULL,
    "label" TEXT NULL,
    "updated_at" TEXT NOT NULL,
    CONSTRAINT "fk_provider_mappings_projects_project_id" FOREIGN KEY ("project_id") REFERENCES "projects" ("id") ON DELETE SET NULL
);
CREATE UNIQUE INDEX "ix_provider_mappings_provider_kind_external_id" ON "provider_mappings" ("provider", "kind", "external_id");
CREATE INDEX "ix_provider_mappings_project_id" ON "provider_mappings" ("project_id");

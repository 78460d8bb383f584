-- 0005 (otlp): what OTLP metrics add to sessions, every metric point per series, the telemetry identities seen
-- (for attributing sessions to developers), and when each machine and developer last sent each signal.
-- Points are keyed by their deterministic id, so a retried export inserts nothing twice and adds nothing twice.
CREATE TABLE "session_metrics" (
    "session_id" INTEGER NOT NULL CONSTRAINT "pk_session_metrics" PRIMARY KEY,
    "active_time_user_s" REAL NOT NULL,
    "active_time_cli_s" REAL NOT NULL,
    "lines_added" INTEGER NOT NULL,
    "lines_removed" INTEGER NOT NULL,
    "commits" INTEGER NOT NULL,
    "pull_requests" INTEGER NOT NULL,
    "updated_at" TEXT NOT NULL,
    CONSTRAINT "fk_session_metrics_sessions_session_id" FOREIGN KEY ("session_id") REFERENCES "sessions" ("id") ON DELETE CASCADE
);

-- language is '' when the client named none (a primary key column cannot be null).
CREATE TABLE "code_edit_decisions" (
    "session_id" INTEGER NOT NULL,
    "tool_name" TEXT NOT NULL,
    "decision" TEXT NOT NULL,
    "language" TEXT NOT NULL,
    "count" INTEGER NOT NULL,
    CONSTRAINT "pk_code_edit_decisions" PRIMARY KEY ("session_id", "tool_name", "decision", "language"),
    CONSTRAINT "fk_code_edit_decisions_sessions_session_id" FOREIGN KEY ("session_id") REFERENCES "sessions" ("id") ON DELETE CASCADE
);

CREATE TABLE "metric_points" (
    "point_id" TEXT NOT NULL CONSTRAINT "pk_metric_points" PRIMARY KEY,
    "series_key" TEXT NOT NULL,
    "session_id" INTEGER NULL,
    "machine_id" INTEGER NULL,
    "developer_id" TEXT NULL,
    "client" TEXT NOT NULL,
    "service_name" TEXT NULL,
    "scope_name" TEXT NULL,
    "name" TEXT NOT NULL,
    "unit" TEXT NULL,
    "kind" TEXT NOT NULL,
    "temporality" TEXT NOT NULL,
    "is_monotonic" INTEGER NOT NULL,
    "attributes_json" TEXT NOT NULL,
    "start_time" TEXT NULL,
    "time" TEXT NOT NULL,
    "value" REAL NULL,
    "increment" REAL NULL,
    "count" INTEGER NULL,
    "sum" REAL NULL,
    "sum_increment" REAL NULL,
    "min" REAL NULL,
    "max" REAL NULL,
    "buckets_json" TEXT NULL,
    "received_at" TEXT NOT NULL,
    CONSTRAINT "fk_metric_points_sessions_session_id" FOREIGN KEY ("session_id") REFERENCES "sessions" ("id") ON DELETE CASCADE,
    CONSTRAINT "fk_metric_points_machines_machine_id" FOREIGN KEY ("machine_id") REFERENCES "machines" ("id") ON DELETE SET NULL
);

CREATE TABLE "telemetry_identities" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_telemetry_identities" PRIMARY KEY AUTOINCREMENT,
    "kind" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "client" TEXT NULL,
    "user_id" TEXT NULL,
    "first_seen_at" TEXT NOT NULL,
    "last_seen_at" TEXT NOT NULL,
    CONSTRAINT "fk_telemetry_identities_AspNetUsers_user_id" FOREIGN KEY ("user_id") REFERENCES "AspNetUsers" ("Id") ON DELETE SET NULL
);

CREATE TABLE "telemetry_sources" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_telemetry_sources" PRIMARY KEY AUTOINCREMENT,
    "source_key" TEXT NOT NULL,
    "machine_id" INTEGER NULL,
    "developer_id" TEXT NULL,
    "signal" TEXT NOT NULL,
    "client" TEXT NULL,
    "first_seen_at" TEXT NOT NULL,
    "last_seen_at" TEXT NOT NULL,
    CONSTRAINT "fk_telemetry_sources_machines_machine_id" FOREIGN KEY ("machine_id") REFERENCES "machines" ("id") ON DELETE CASCADE,
    CONSTRAINT "fk_telemetry_sources_AspNetUsers_developer_id" FOREIGN KEY ("developer_id") REFERENCES "AspNetUsers" ("Id") ON DELETE CASCADE
);

CREATE INDEX "ix_metric_points_name_time" ON "metric_points" ("name", "time");
CREATE INDEX "ix_metric_points_series_key_time" ON "metric_points" ("series_key", "time");
CREATE INDEX "ix_metric_points_session_id" ON "metric_points" ("session_id");
CREATE INDEX "ix_metric_points_machine_id" ON "metric_points" ("machine_id");
CREATE UNIQUE INDEX "ix_telemetry_identities_kind_value" ON "telemetry_identities" ("kind", "value");
CREATE INDEX "ix_telemetry_identities_user_id" ON "telemetry_identities" ("user_id");
CREATE UNIQUE INDEX "ix_telemetry_sources_source_key" ON "telemetry_sources" ("source_key");
CREATE INDEX "ix_telemetry_sources_machine_id" ON "telemetry_sources" ("machine_id");
CREATE INDEX "ix_telemetry_sources_developer_id" ON "telemetry_sources" ("developer_id");

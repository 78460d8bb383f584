-- 0003 (hierarchy): the project tree ranks each workspace's latest sessions and sums their counters per
-- workspace; with (project_id, workspace_id, started_at) both read the project's sessions in workspace order
-- from the index instead of sorting table rows (measured on 200 workspaces / 1,000,000 events).
CREATE INDEX "ix_sessions_project_id_workspace_id_started_at" ON "sessions" ("project_id", "workspace_id", "started_at");

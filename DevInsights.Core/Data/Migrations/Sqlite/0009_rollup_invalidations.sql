-- 0009 rollup invalidations (SQLite): bucket ranges [from_time, to_time) of a project that the rollups job must rebuild
-- from the raw events. Written in the same transaction as the change that invalidates them (a session moving out of a
-- project); the job consumes and deletes them in the transaction that rebuilds those buckets, so a crash between the
-- two never loses one.
CREATE TABLE "rollup_invalidations" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_rollup_invalidations" PRIMARY KEY AUTOINCREMENT,
    "project_id" INTEGER NOT NULL,
    "from_time" TEXT NOT NULL,
    "to_time" TEXT NOT NULL,
    "created_at" TEXT NOT NULL,
    CONSTRAINT "fk_rollup_invalidations_projects_project_id" FOREIGN KEY ("project_id") REFERENCES "projects" ("id") ON DELETE CASCADE
);
CREATE INDEX "ix_rollup_invalidations_project_id" ON "rollup_invalidations" ("project_id");

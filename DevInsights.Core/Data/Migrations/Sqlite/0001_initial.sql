-- 0001 initial schema (SQLite): identity, hierarchy, sessions, events, keys, audit.
-- Hand-owned: started from EF Core's GenerateCreateScript, then reviewed. The events key is a plain
-- rowid alias (no AUTOINCREMENT) because the ingestion writer inserts tens of thousands of rows/s.
CREATE TABLE "AspNetRoles" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_AspNetRoles" PRIMARY KEY,
    "Name" TEXT NULL,
    "NormalizedName" TEXT NULL,
    "ConcurrencyStamp" TEXT NULL
);

CREATE TABLE "AspNetUsers" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_AspNetUsers" PRIMARY KEY,
    "DisplayName" TEXT NULL,
    "ShareLevel" INTEGER NOT NULL,
    "LeaderboardOptIn" INTEGER NOT NULL,
    "MustChangePassword" INTEGER NOT NULL,
    "CreatedAt" TEXT NOT NULL,
    "DisabledAt" TEXT NULL,
    "UserName" TEXT NULL,
    "NormalizedUserName" TEXT NULL,
    "Email" TEXT NULL,
    "NormalizedEmail" TEXT NULL,
    "EmailConfirmed" INTEGER NOT NULL,
    "PasswordHash" TEXT NULL,
    "SecurityStamp" TEXT NULL,
    "ConcurrencyStamp" TEXT NULL,
    "PhoneNumber" TEXT NULL,
    "PhoneNumberConfirmed" INTEGER NOT NULL,
    "TwoFactorEnabled" INTEGER NOT NULL,
    "LockoutEnd" TEXT NULL,
    "LockoutEnabled" INTEGER NOT NULL,
    "AccessFailedCount" INTEGER NOT NULL
);

CREATE TABLE "audit_logs" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_audit_logs" PRIMARY KEY AUTOINCREMENT,
    "timestamp" TEXT NOT NULL,
    "actor_id" TEXT NULL,
    "actor_name" TEXT NULL,
    "action" TEXT NOT NULL,
    "target" TEXT NULL,
    "details_json" TEXT NULL,
    "ip" TEXT NULL
);

CREATE TABLE "machines" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_machines" PRIMARY KEY AUTOINCREMENT,
    "client_machine_id" TEXT NOT NULL,
    "hostname" TEXT NULL,
    "os" TEXT NULL,
    "os_version" TEXT NULL,
    "arch" TEXT NULL,
    "ip" TEXT NULL,
    "first_seen_at" TEXT NOT NULL,
    "last_seen_at" TEXT NOT NULL,
    "metadata_json" TEXT NULL
);

CREATE TABLE "projects" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_projects" PRIMARY KEY AUTOINCREMENT,
    "key" TEXT NOT NULL,
    "repository_url" TEXT NULL,
    "host" TEXT NULL,
    "owner" TEXT NULL,
    "name" TEXT NOT NULL,
    "full_name" TEXT NOT NULL,
    "created_at" TEXT NOT NULL,
    "last_activity_at" TEXT NOT NULL
);

CREATE TABLE "AspNetRoleClaims" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_AspNetRoleClaims" PRIMARY KEY AUTOINCREMENT,
    "RoleId" TEXT NOT NULL,
    "ClaimType" TEXT NULL,
    "ClaimValue" TEXT NULL,
    CONSTRAINT "FK_AspNetRoleClaims_AspNetRoles_RoleId" FOREIGN KEY ("RoleId") REFERENCES "AspNetRoles" ("Id") ON DELETE CASCADE
);

CREATE TABLE "AspNetUserClaims" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_AspNetUserClaims" PRIMARY KEY AUTOINCREMENT,
    "UserId" TEXT NOT NULL,
    "ClaimType" TEXT NULL,
    "ClaimValue" TEXT NULL,
    CONSTRAINT "FK_AspNetUserClaims_AspNetUsers_UserId" FOREIGN KEY ("UserId") REFERENCES "AspNetUsers" ("Id") ON DELETE CASCADE
);

CREATE TABLE "AspNetUserLogins" (
    "LoginProvider" TEXT NOT NULL,
    "ProviderKey" TEXT NOT NULL,
    "ProviderDisplayName" TEXT NULL,
    "UserId" TEXT NOT NULL,
    CONSTRAINT "PK_AspNetUserLogins" PRIMARY KEY ("LoginProvider", "ProviderKey"),
    CONSTRAINT "FK_AspNetUserLogins_AspNetUsers_UserId" FOREIGN KEY ("UserId") REFERENCES "AspNetUsers" ("Id") ON DELETE CASCADE
);

CREATE TABLE "AspNetUserRoles" (
    "UserId" TEXT NOT NULL,
    "RoleId" TEXT NOT NULL,
    CONSTRAINT "PK_AspNetUserRoles" PRIMARY KEY ("UserId", "RoleId"),
    CONSTRAINT "FK_AspNetUserRoles_AspNetRoles_RoleId" FOREIGN KEY ("RoleId") REFERENCES "AspNetRoles" ("Id") ON DELETE CASCADE,
    CONSTRAINT "FK_AspNetUserRoles_AspNetUsers_UserId" FOREIGN KEY ("UserId") REFERENCES "AspNetUsers" ("Id") ON DELETE CASCADE
);

CREATE TABLE "AspNetUserTokens" (
    "UserId" TEXT NOT NULL,
    "LoginProvider" TEXT NOT NULL,
    "Name" TEXT NOT NULL,
    "Value" TEXT NULL,
    CONSTRAINT "PK_AspNetUserTokens" PRIMARY KEY ("UserId", "LoginProvider", "Name"),
    CONSTRAINT "FK_AspNetUserTokens_AspNetUsers_UserId" FOREIGN KEY ("UserId") REFERENCES "AspNetUsers" ("Id") ON DELETE CASCADE
);

CREATE TABLE "api_keys" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_api_keys" PRIMARY KEY AUTOINCREMENT,
    "user_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "created_at" TEXT NOT NULL,
    "last_used_at" TEXT NULL,
    "revoked_at" TEXT NULL,
    CONSTRAINT "fk_api_keys_AspNetUsers_user_id" FOREIGN KEY ("user_id") REFERENCES "AspNetUsers" ("Id") ON DELETE CASCADE
);

CREATE TABLE "workspaces" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_workspaces" PRIMARY KEY AUTOINCREMENT,
    "client_workspace_id" TEXT NOT NULL,
    "project_id" INTEGER NOT NULL,
    "machine_id" INTEGER NOT NULL,
    "path" TEXT NULL,
    "branch" TEXT NULL,
    "commit" TEXT NULL,
    "first_seen_at" TEXT NOT NULL,
    "last_seen_at" TEXT NOT NULL,
    CONSTRAINT "fk_workspaces_machines_machine_id" FOREIGN KEY ("machine_id") REFERENCES "machines" ("id") ON DELETE CASCADE,
    CONSTRAINT "fk_workspaces_projects_project_id" FOREIGN KEY ("project_id") REFERENCES "projects" ("id") ON DELETE CASCADE
);

CREATE TABLE "sessions" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_sessions" PRIMARY KEY AUTOINCREMENT,
    "client_session_id" TEXT NOT NULL,
    "workspace_id" INTEGER NULL,
    "project_id" INTEGER NOT NULL,
    "machine_id" INTEGER NULL,
    "developer_id" TEXT NULL,
    "client" TEXT NOT NULL,
    "models" TEXT NULL,
    "started_at" TEXT NOT NULL,
    "ended_at" TEXT NULL,
    "last_event_at" TEXT NOT NULL,
    "duration_ms" INTEGER NOT NULL,
    "message_count" INTEGER NOT NULL,
    "event_count" INTEGER NOT NULL,
    "input_tokens" INTEGER NOT NULL,
    "output_tokens" INTEGER NOT NULL,
    "cache_read_tokens" INTEGER NOT NULL,
    "cache_creation_tokens" INTEGER NOT NULL,
    "cost_usd" REAL NOT NULL,
    "lines_added" INTEGER NOT NULL,
    "lines_removed" INTEGER NOT NULL,
    "tags_json" TEXT NULL,
    "created_at" TEXT NOT NULL,
    "updated_at" TEXT NOT NULL,
    CONSTRAINT "fk_sessions_projects_project_id" FOREIGN KEY ("project_id") REFERENCES "projects" ("id") ON DELETE CASCADE,
    CONSTRAINT "fk_sessions_workspaces_workspace_id" FOREIGN KEY ("workspace_id") REFERENCES "workspaces" ("id") ON DELETE SET NULL
);

CREATE TABLE "events" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_events" PRIMARY KEY,
    "session_id" INTEGER NOT NULL,
    "project_id" INTEGER NOT NULL,
    "machine_id" INTEGER NULL,
    "workspace_id" INTEGER NULL,
    "timestamp" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "tool_name" TEXT NULL,
    "model" TEXT NULL,
    "input_tokens" INTEGER NOT NULL,
    "output_tokens" INTEGER NOT NULL,
    "cache_read_tokens" INTEGER NOT NULL,
    "cache_creation_tokens" INTEGER NOT NULL,
    "cost_usd" REAL NULL,
    "duration_ms" INTEGER NULL,
    "success" INTEGER NULL,
    "attributes_json" TEXT NULL,
    "source" TEXT NOT NULL,
    "client_event_id" TEXT NULL,
    "received_at" TEXT NOT NULL,
    CONSTRAINT "fk_events_sessions_session_id" FOREIGN KEY ("session_id") REFERENCES "sessions" ("id") ON DELETE CASCADE
);

CREATE TABLE "messages" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_messages" PRIMARY KEY AUTOINCREMENT,
    "session_id" INTEGER NOT NULL,
    "sequence" INTEGER NOT NULL,
    "role" TEXT NOT NULL,
    "content" TEXT NOT NULL,
    "timestamp" TEXT NULL,
    CONSTRAINT "fk_messages_sessions_session_id" FOREIGN KEY ("session_id") REFERENCES "sessions" ("id") ON DELETE CASCADE
);

CREATE TABLE "tool_usages" (
    "session_id" INTEGER NOT NULL,
    "tool_name" TEXT NOT NULL,
    "calls" INTEGER NOT NULL,
    "successes" INTEGER NOT NULL,
    "errors" INTEGER NOT NULL,
    CONSTRAINT "pk_tool_usages" PRIMARY KEY ("session_id", "tool_name"),
    CONSTRAINT "fk_tool_usages_sessions_session_id" FOREIGN KEY ("session_id") REFERENCES "sessions" ("id") ON DELETE CASCADE
);

CREATE INDEX "IX_AspNetRoleClaims_RoleId" ON "AspNetRoleClaims" ("RoleId");
CREATE UNIQUE INDEX "RoleNameIndex" ON "AspNetRoles" ("NormalizedName");
CREATE INDEX "IX_AspNetUserClaims_UserId" ON "AspNetUserClaims" ("UserId");
CREATE INDEX "IX_AspNetUserLogins_UserId" ON "AspNetUserLogins" ("UserId");
CREATE INDEX "IX_AspNetUserRoles_RoleId" ON "AspNetUserRoles" ("RoleId");
CREATE INDEX "EmailIndex" ON "AspNetUsers" ("NormalizedEmail");
CREATE UNIQUE INDEX "UserNameIndex" ON "AspNetUsers" ("NormalizedUserName");
CREATE UNIQUE INDEX "ix_api_keys_hash" ON "api_keys" ("hash");
CREATE INDEX "ix_api_keys_user_id" ON "api_keys" ("user_id");
CREATE INDEX "ix_audit_logs_action_timestamp" ON "audit_logs" ("action", "timestamp");
CREATE INDEX "ix_audit_logs_timestamp" ON "audit_logs" ("timestamp");
CREATE INDEX "ix_events_project_id_timestamp" ON "events" ("project_id", "timestamp");
CREATE UNIQUE INDEX "ix_events_session_id_client_event_id" ON "events" ("session_id", "client_event_id") WHERE client_event_id IS NOT NULL;
CREATE INDEX "ix_events_session_id_timestamp" ON "events" ("session_id", "timestamp");
CREATE INDEX "ix_events_type_timestamp" ON "events" ("type", "timestamp");
CREATE UNIQUE INDEX "ix_machines_client_machine_id" ON "machines" ("client_machine_id");
CREATE INDEX "ix_messages_session_id_sequence" ON "messages" ("session_id", "sequence");
CREATE UNIQUE INDEX "ix_projects_key" ON "projects" ("key");
CREATE UNIQUE INDEX "ix_sessions_client_session_id" ON "sessions" ("client_session_id");
CREATE INDEX "ix_sessions_developer_id_started_at" ON "sessions" ("developer_id", "started_at");
CREATE INDEX "ix_sessions_project_id_started_at" ON "sessions" ("project_id", "started_at");
CREATE INDEX "ix_sessions_started_at" ON "sessions" ("started_at");
CREATE INDEX "ix_sessions_workspace_id_started_at" ON "sessions" ("workspace_id", "started_at");
CREATE UNIQUE INDEX "ix_workspaces_client_workspace_id" ON "workspaces" ("client_workspace_id");
CREATE INDEX "ix_workspaces_machine_id" ON "workspaces" ("machine_id");
CREATE INDEX "ix_workspaces_project_id_machine_id" ON "workspaces" ("project_id", "machine_id");

-- The template's tables (models.All, audit.Models and the readiness
-- heartbeat) as the auto-migrating versions created them. Every statement
-- says IF NOT EXISTS, so that a database those versions created adopts this
-- baseline as it is.

-- +goose Up
CREATE TABLE IF NOT EXISTS users (
    id integer PRIMARY KEY AUTOINCREMENT,
    email text NOT NULL,
    password_hash text NOT NULL DEFAULT '',
    active numeric NOT NULL,
    mail_notifications numeric NOT NULL DEFAULT true,
    last_login_at datetime,
    created_at datetime,
    updated_at datetime
);
CREATE INDEX IF NOT EXISTS idx_users_active ON users (active);
CREATE UNIQUE INDEX IF NOT EXISTS idx_users_email ON users (email);

CREATE TABLE IF NOT EXISTS user_roles (
    user_id integer,
    role text,
    PRIMARY KEY (user_id, role),
    CONSTRAINT fk_users_roles FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);

CREATE TABLE IF NOT EXISTS departments (
    id integer PRIMARY KEY AUTOINCREMENT,
    name text NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS idx_departments_name ON departments (name);

CREATE TABLE IF NOT EXISTS employees (
    user_id integer,
    full_name text NOT NULL,
    is_local_user numeric NOT NULL DEFAULT true,
    department_id integer,
    manager_id integer,
    avatar_url text NOT NULL DEFAULT '',
    job_title text NOT NULL DEFAULT '',
    PRIMARY KEY (user_id),
    CONSTRAINT fk_employees_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT fk_employees_department FOREIGN KEY (department_id) REFERENCES departments (id),
    CONSTRAINT fk_employees_manager FOREIGN KEY (manager_id) REFERENCES employees (user_id) ON DELETE SET NULL
);
CREATE INDEX IF NOT EXISTS idx_employees_manager_id ON employees (manager_id);

CREATE TABLE IF NOT EXISTS sessions (
    token_hash text,
    user_id integer NOT NULL,
    created_at datetime NOT NULL,
    last_seen_at datetime NOT NULL,
    expires_at datetime NOT NULL,
    auth_method text NOT NULL DEFAULT '',
    user_agent text NOT NULL DEFAULT '',
    ip text NOT NULL DEFAULT '',
    provider_issuer text NOT NULL DEFAULT '',
    provider_subject text NOT NULL DEFAULT '',
    provider_sid text NOT NULL DEFAULT '',
    id_token text NOT NULL DEFAULT '',
    PRIMARY KEY (token_hash),
    CONSTRAINT fk_sessions_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS idx_sessions_provider_sid ON sessions (provider_issuer, provider_sid);
CREATE INDEX IF NOT EXISTS idx_sessions_provider_subject ON sessions (provider_issuer, provider_subject);
CREATE INDEX IF NOT EXISTS idx_sessions_expires_at ON sessions (expires_at);
CREATE INDEX IF NOT EXISTS idx_sessions_user_id ON sessions (user_id);

CREATE TABLE IF NOT EXISTS login_attempts (
    id integer PRIMARY KEY AUTOINCREMENT,
    email text NOT NULL,
    ip text NOT NULL,
    at datetime NOT NULL,
    device text NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS idx_login_attempts_device_at ON login_attempts (device, at);
CREATE INDEX IF NOT EXISTS idx_login_attempts_ip_at ON login_attempts (ip, at);
CREATE INDEX IF NOT EXISTS idx_login_attempts_email_at ON login_attempts (email, at);

CREATE TABLE IF NOT EXISTS outbox_messages (
    id integer PRIMARY KEY AUTOINCREMENT,
    created_at datetime NOT NULL,
    kind text NOT NULL,
    to_address text NOT NULL,
    to_name text NOT NULL DEFAULT '',
    subject text NOT NULL,
    text_body text NOT NULL DEFAULT '',
    html_body text NOT NULL DEFAULT '',
    dedupe_key text,
    digest_key text,
    status text NOT NULL,
    next_attempt_at datetime NOT NULL,
    attempts integer NOT NULL DEFAULT 0,
    claimed_until datetime,
    claim_token text NOT NULL DEFAULT '',
    last_error text NOT NULL DEFAULT '',
    sent_at datetime,
    transport text NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS idx_outbox_due ON outbox_messages (status, next_attempt_at);
CREATE INDEX IF NOT EXISTS idx_outbox_messages_digest_key ON outbox_messages (digest_key);
CREATE UNIQUE INDEX IF NOT EXISTS idx_outbox_messages_dedupe_key ON outbox_messages (dedupe_key);
CREATE INDEX IF NOT EXISTS idx_outbox_messages_created_at ON outbox_messages (created_at);

CREATE TABLE IF NOT EXISTS totp_credentials (
    user_id integer,
    secret text NOT NULL,
    confirmed_at datetime,
    last_step integer NOT NULL DEFAULT 0,
    created_at datetime,
    PRIMARY KEY (user_id)
);

CREATE TABLE IF NOT EXISTS recovery_codes (
    id integer PRIMARY KEY AUTOINCREMENT,
    user_id integer NOT NULL,
    hash text NOT NULL,
    used_at datetime
);
CREATE UNIQUE INDEX IF NOT EXISTS idx_recovery_codes_hash ON recovery_codes (hash);
CREATE INDEX IF NOT EXISTS idx_recovery_codes_user_id ON recovery_codes (user_id);

CREATE TABLE IF NOT EXISTS account_links (
    id integer PRIMARY KEY AUTOINCREMENT,
    user_id integer NOT NULL,
    purpose text NOT NULL,
    token_hash text NOT NULL,
    created_at datetime NOT NULL,
    expires_at datetime NOT NULL,
    created_by integer,
    CONSTRAINT fk_account_links_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS idx_account_links_expires_at ON account_links (expires_at);
CREATE UNIQUE INDEX IF NOT EXISTS idx_account_links_token_hash ON account_links (token_hash);
CREATE UNIQUE INDEX IF NOT EXISTS idx_account_links_user_purpose ON account_links (user_id, purpose);

CREATE TABLE IF NOT EXISTS scim_tokens (
    id integer PRIMARY KEY AUTOINCREMENT,
    name text NOT NULL,
    token_hash text NOT NULL,
    created_by_id integer,
    created_at datetime,
    last_used_at datetime,
    revoked_at datetime,
    CONSTRAINT fk_scim_tokens_created_by FOREIGN KEY (created_by_id) REFERENCES users (id) ON DELETE SET NULL
);
CREATE INDEX IF NOT EXISTS idx_scim_tokens_revoked_at ON scim_tokens (revoked_at);
CREATE UNIQUE INDEX IF NOT EXISTS idx_scim_tokens_token_hash ON scim_tokens (token_hash);

CREATE TABLE IF NOT EXISTS scim_users (
    user_id integer,
    resource_id text NOT NULL,
    external_id text NOT NULL DEFAULT '',
    user_name text NOT NULL,
    user_name_key text NOT NULL,
    given_name text NOT NULL DEFAULT '',
    family_name text NOT NULL DEFAULT '',
    created_at datetime,
    updated_at datetime,
    PRIMARY KEY (user_id),
    CONSTRAINT fk_scim_users_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX IF NOT EXISTS idx_scim_users_user_name_key ON scim_users (user_name_key);
CREATE INDEX IF NOT EXISTS idx_scim_users_external_id ON scim_users (external_id);
CREATE UNIQUE INDEX IF NOT EXISTS idx_scim_users_resource_id ON scim_users (resource_id);

CREATE TABLE IF NOT EXISTS scim_groups (
    id integer PRIMARY KEY AUTOINCREMENT,
    resource_id text NOT NULL,
    display_name text NOT NULL,
    external_id text NOT NULL DEFAULT '',
    created_at datetime,
    updated_at datetime
);
CREATE UNIQUE INDEX IF NOT EXISTS idx_scim_groups_resource_id ON scim_groups (resource_id);

CREATE TABLE IF NOT EXISTS scim_group_members (
    group_id integer,
    user_id integer,
    PRIMARY KEY (group_id, user_id),
    CONSTRAINT fk_scim_group_members_group FOREIGN KEY (group_id) REFERENCES scim_groups (id) ON DELETE CASCADE,
    CONSTRAINT fk_scim_group_members_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS idx_scim_group_members_user_id ON scim_group_members (user_id);

CREATE TABLE IF NOT EXISTS audit_events (
    id integer PRIMARY KEY AUTOINCREMENT,
    at datetime NOT NULL,
    kind text NOT NULL,
    actor_id integer,
    actor text NOT NULL,
    subject_id integer,
    ip text NOT NULL DEFAULT '',
    user_agent text NOT NULL DEFAULT '',
    detail text NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS idx_audit_at ON audit_events (at);
CREATE INDEX IF NOT EXISTS idx_audit_actor_id ON audit_events (actor_id, id);
CREATE INDEX IF NOT EXISTS idx_audit_subject_id ON audit_events (subject_id, id);
CREATE INDEX IF NOT EXISTS idx_audit_kind_id ON audit_events (kind, id);

CREATE TABLE IF NOT EXISTS readiness_heartbeats (
    id integer,
    checked_at datetime NOT NULL,
    PRIMARY KEY (id)
);

-- +goose Down
DROP TABLE IF EXISTS readiness_heartbeats;
DROP TABLE IF EXISTS audit_events;
DROP TABLE IF EXISTS scim_group_members;
DROP TABLE IF EXISTS scim_groups;
DROP TABLE IF EXISTS scim_users;
DROP TABLE IF EXISTS scim_tokens;
DROP TABLE IF EXISTS account_links;
DROP TABLE IF EXISTS recovery_codes;
DROP TABLE IF EXISTS totp_credentials;
DROP TABLE IF EXISTS outbox_messages;
DROP TABLE IF EXISTS login_attempts;
DROP TABLE IF EXISTS sessions;
DROP TABLE IF EXISTS employees;
DROP TABLE IF EXISTS departments;
DROP TABLE IF EXISTS user_roles;
DROP TABLE IF EXISTS users;

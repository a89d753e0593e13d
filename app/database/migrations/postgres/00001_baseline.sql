-- The template's tables (models.All, audit.Models and the readiness
-- heartbeat) as the auto-migrating versions created them. Every statement
-- says IF NOT EXISTS, so that a database those versions created adopts this
-- baseline as it is. Names are unqualified: the tables go into the first
-- schema of the connection's search_path.

-- +goose Up
CREATE TABLE IF NOT EXISTS users (
    id bigserial PRIMARY KEY,
    email varchar(254) NOT NULL,
    password_hash varchar(255) NOT NULL DEFAULT '',
    active boolean NOT NULL,
    mail_notifications boolean NOT NULL DEFAULT true,
    last_login_at timestamptz,
    created_at timestamptz,
    updated_at timestamptz
);
CREATE INDEX IF NOT EXISTS idx_users_active ON users (active);
CREATE UNIQUE INDEX IF NOT EXISTS idx_users_email ON users (email);

CREATE TABLE IF NOT EXISTS user_roles (
    user_id bigint NOT NULL,
    role varchar(32) NOT NULL,
    PRIMARY KEY (user_id, role),
    CONSTRAINT fk_users_roles FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);

CREATE TABLE IF NOT EXISTS departments (
    id bigserial PRIMARY KEY,
    name varchar(100) NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS idx_departments_name ON departments (name);

CREATE TABLE IF NOT EXISTS employees (
    user_id bigint NOT NULL PRIMARY KEY,
    full_name varchar(200) NOT NULL,
    is_local_user boolean NOT NULL DEFAULT true,
    department_id bigint,
    manager_id bigint,
    avatar_url varchar(1000) NOT NULL DEFAULT '',
    job_title varchar(200) NOT NULL DEFAULT '',
    CONSTRAINT fk_employees_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT fk_employees_department FOREIGN KEY (department_id) REFERENCES departments (id),
    CONSTRAINT fk_employees_manager FOREIGN KEY (manager_id) REFERENCES employees (user_id) ON DELETE SET NULL
);
CREATE INDEX IF NOT EXISTS idx_employees_manager_id ON employees (manager_id);

CREATE TABLE IF NOT EXISTS sessions (
    token_hash varchar(64) NOT NULL PRIMARY KEY,
    user_id bigint NOT NULL,
    created_at timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    auth_method varchar(100) NOT NULL DEFAULT '',
    user_agent varchar(300) NOT NULL DEFAULT '',
    ip varchar(64) NOT NULL DEFAULT '',
    provider_issuer varchar(500) NOT NULL DEFAULT '',
    provider_subject varchar(255) NOT NULL DEFAULT '',
    provider_sid varchar(255) NOT NULL DEFAULT '',
    id_token text NOT NULL DEFAULT '',
    CONSTRAINT fk_sessions_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS idx_sessions_provider_sid ON sessions (provider_issuer, provider_sid);
CREATE INDEX IF NOT EXISTS idx_sessions_provider_subject ON sessions (provider_issuer, provider_subject);
CREATE INDEX IF NOT EXISTS idx_sessions_expires_at ON sessions (expires_at);
CREATE INDEX IF NOT EXISTS idx_sessions_user_id ON sessions (user_id);

CREATE TABLE IF NOT EXISTS login_attempts (
    id bigserial PRIMARY KEY,
    email varchar(254) NOT NULL,
    ip varchar(64) NOT NULL,
    at timestamptz NOT NULL,
    device varchar(64) NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS idx_login_attempts_device_at ON login_attempts (device, at);
CREATE INDEX IF NOT EXISTS idx_login_attempts_ip_at ON login_attempts (ip, at);
CREATE INDEX IF NOT EXISTS idx_login_attempts_email_at ON login_attempts (email, at);

CREATE TABLE IF NOT EXISTS outbox_messages (
    id bigserial PRIMARY KEY,
    created_at timestamptz NOT NULL,
    kind varchar(64) NOT NULL,
    to_address varchar(254) NOT NULL,
    to_name varchar(200) NOT NULL DEFAULT '',
    subject varchar(300) NOT NULL,
    text_body text NOT NULL DEFAULT '',
    html_body text NOT NULL DEFAULT '',
    dedupe_key varchar(200),
    digest_key varchar(200),
    status varchar(16) NOT NULL,
    next_attempt_at timestamptz NOT NULL,
    attempts bigint NOT NULL DEFAULT 0,
    claimed_until timestamptz,
    claim_token varchar(64) NOT NULL DEFAULT '',
    last_error varchar(1000) NOT NULL DEFAULT '',
    sent_at timestamptz,
    transport varchar(16) NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS idx_outbox_due ON outbox_messages (status, next_attempt_at);
CREATE INDEX IF NOT EXISTS idx_outbox_messages_digest_key ON outbox_messages (digest_key);
CREATE UNIQUE INDEX IF NOT EXISTS idx_outbox_messages_dedupe_key ON outbox_messages (dedupe_key);
CREATE INDEX IF NOT EXISTS idx_outbox_messages_created_at ON outbox_messages (created_at);

CREATE TABLE IF NOT EXISTS totp_credentials (
    user_id bigint NOT NULL PRIMARY KEY,
    secret varchar(64) NOT NULL,
    confirmed_at timestamptz,
    last_step bigint NOT NULL DEFAULT 0,
    created_at timestamptz
);

CREATE TABLE IF NOT EXISTS recovery_codes (
    id bigserial PRIMARY KEY,
    user_id bigint NOT NULL,
    hash varchar(64) NOT NULL,
    used_at timestamptz
);
CREATE UNIQUE INDEX IF NOT EXISTS idx_recovery_codes_hash ON recovery_codes (hash);
CREATE INDEX IF NOT EXISTS idx_recovery_codes_user_id ON recovery_codes (user_id);

CREATE TABLE IF NOT EXISTS account_links (
    id bigserial PRIMARY KEY,
    user_id bigint NOT NULL,
    purpose varchar(16) NOT NULL,
    token_hash varchar(64) NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    created_by bigint,
    CONSTRAINT fk_account_links_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS idx_account_links_expires_at ON account_links (expires_at);
CREATE UNIQUE INDEX IF NOT EXISTS idx_account_links_token_hash ON account_links (token_hash);
CREATE UNIQUE INDEX IF NOT EXISTS idx_account_links_user_purpose ON account_links (user_id, purpose);

CREATE TABLE IF NOT EXISTS scim_tokens (
    id bigserial PRIMARY KEY,
    name varchar(100) NOT NULL,
    token_hash varchar(64) NOT NULL,
    created_by_id bigint,
    created_at timestamptz,
    last_used_at timestamptz,
    revoked_at timestamptz,
    CONSTRAINT fk_scim_tokens_created_by FOREIGN KEY (created_by_id) REFERENCES users (id) ON DELETE SET NULL
);
CREATE INDEX IF NOT EXISTS idx_scim_tokens_revoked_at ON scim_tokens (revoked_at);
CREATE UNIQUE INDEX IF NOT EXISTS idx_scim_tokens_token_hash ON scim_tokens (token_hash);

CREATE TABLE IF NOT EXISTS scim_users (
    user_id bigint NOT NULL PRIMARY KEY,
    resource_id varchar(36) NOT NULL,
    external_id varchar(255) NOT NULL DEFAULT '',
    user_name varchar(254) NOT NULL,
    user_name_key varchar(254) NOT NULL,
    given_name varchar(200) NOT NULL DEFAULT '',
    family_name varchar(200) NOT NULL DEFAULT '',
    created_at timestamptz,
    updated_at timestamptz,
    CONSTRAINT fk_scim_users_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX IF NOT EXISTS idx_scim_users_user_name_key ON scim_users (user_name_key);
CREATE INDEX IF NOT EXISTS idx_scim_users_external_id ON scim_users (external_id);
CREATE UNIQUE INDEX IF NOT EXISTS idx_scim_users_resource_id ON scim_users (resource_id);

CREATE TABLE IF NOT EXISTS scim_groups (
    id bigserial PRIMARY KEY,
    resource_id varchar(36) NOT NULL,
    display_name varchar(255) NOT NULL,
    external_id varchar(255) NOT NULL DEFAULT '',
    created_at timestamptz,
    updated_at timestamptz
);
CREATE UNIQUE INDEX IF NOT EXISTS idx_scim_groups_resource_id ON scim_groups (resource_id);

CREATE TABLE IF NOT EXISTS scim_group_members (
    group_id bigint NOT NULL,
    user_id bigint NOT NULL,
    PRIMARY KEY (group_id, user_id),
    CONSTRAINT fk_scim_group_members_group FOREIGN KEY (group_id) REFERENCES scim_groups (id) ON DELETE CASCADE,
    CONSTRAINT fk_scim_group_members_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS idx_scim_group_members_user_id ON scim_group_members (user_id);

CREATE TABLE IF NOT EXISTS audit_events (
    id bigserial PRIMARY KEY,
    at timestamptz NOT NULL,
    kind varchar(64) NOT NULL,
    actor_id bigint,
    actor varchar(140) NOT NULL,
    subject_id bigint,
    ip varchar(64) NOT NULL DEFAULT '',
    user_agent varchar(160) NOT NULL DEFAULT '',
    detail varchar(500) NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS idx_audit_at ON audit_events (at);
CREATE INDEX IF NOT EXISTS idx_audit_actor_id ON audit_events (actor_id, id);
CREATE INDEX IF NOT EXISTS idx_audit_subject_id ON audit_events (subject_id, id);
CREATE INDEX IF NOT EXISTS idx_audit_kind_id ON audit_events (kind, id);

CREATE TABLE IF NOT EXISTS readiness_heartbeats (
    id bigint NOT NULL PRIMARY KEY,
    checked_at timestamptz NOT NULL
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

-- The SSO module's tables (sso.Models) as the auto-migrating versions
-- created them; IF NOT EXISTS lets a database those versions created adopt
-- this baseline. They reference the template's users, which the template's
-- migrations create first.

-- +goose Up
CREATE TABLE IF NOT EXISTS identities (
    id integer PRIMARY KEY AUTOINCREMENT,
    provider text NOT NULL,
    subject text NOT NULL,
    issuer text NOT NULL DEFAULT '',
    user_id integer NOT NULL,
    email text NOT NULL DEFAULT '',
    name text NOT NULL DEFAULT '',
    avatar_url text NOT NULL DEFAULT '',
    created_at datetime,
    last_login_at datetime,
    CONSTRAINT fk_identities_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS idx_identities_user_id ON identities (user_id);
CREATE UNIQUE INDEX IF NOT EXISTS idx_identities_provider_subject ON identities (provider, subject);

CREATE TABLE IF NOT EXISTS sso_logout_tokens (
    hash text,
    expires_at datetime NOT NULL,
    PRIMARY KEY (hash)
);
CREATE INDEX IF NOT EXISTS idx_sso_logout_tokens_expires_at ON sso_logout_tokens (expires_at);

CREATE TABLE IF NOT EXISTS saml_assertion_uses (
    key text,
    expires_at datetime NOT NULL,
    PRIMARY KEY (key)
);
CREATE INDEX IF NOT EXISTS idx_saml_assertion_uses_expires_at ON saml_assertion_uses (expires_at);

-- +goose Down
DROP TABLE IF EXISTS saml_assertion_uses;
DROP TABLE IF EXISTS sso_logout_tokens;
DROP TABLE IF EXISTS identities;

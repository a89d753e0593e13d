-- SAML sign-ins in progress (sso.SAMLRequest): the RelayState is the id, the
-- row holds the return path, the AuthnRequest ID and the hash of the
-- browser's binding cookie until the assertion consumer service takes it or
-- it expires. The columns are those gorm's AutoMigrate creates for the
-- struct, so a database it created adopts this version unchanged.

-- +goose Up
CREATE TABLE IF NOT EXISTS sso_saml_requests (
    id text,
    provider text NOT NULL,
    request_id text NOT NULL,
    return_path text NOT NULL DEFAULT '',
    link_user_id integer NOT NULL DEFAULT 0,
    browser_hash text NOT NULL,
    created_at datetime NOT NULL,
    expires_at datetime NOT NULL,
    PRIMARY KEY (id)
);
CREATE INDEX IF NOT EXISTS idx_sso_saml_requests_expires_at ON sso_saml_requests (expires_at);

-- +goose Down
DROP TABLE IF EXISTS sso_saml_requests;

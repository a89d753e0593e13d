-- SAML sign-ins in progress (sso.SAMLRequest): the RelayState is the id, the
-- row holds the return path, the AuthnRequest ID and the hash of the
-- browser's binding cookie until the assertion consumer service takes it or
-- it expires. The columns are those gorm's AutoMigrate creates for the
-- struct, so a database it created adopts this version unchanged.

-- +goose Up
CREATE TABLE IF NOT EXISTS sso_saml_requests (
    id varchar(64) NOT NULL PRIMARY KEY,
    provider varchar(100) NOT NULL,
    request_id varchar(100) NOT NULL,
    return_path varchar(512) NOT NULL DEFAULT '',
    link_user_id bigint NOT NULL DEFAULT 0,
    browser_hash varchar(64) NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS idx_sso_saml_requests_expires_at ON sso_saml_requests (expires_at);

-- +goose Down
DROP TABLE IF EXISTS sso_saml_requests;

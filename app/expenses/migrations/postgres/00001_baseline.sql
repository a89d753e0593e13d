-- The expenses demo's tables (models.ExpenseModels) and its text search
-- indexes, as the auto-migrating versions created them; IF NOT EXISTS lets
-- a database those versions created adopt this baseline. They reference the
-- template's employees, which the template's migrations create first.

-- +goose Up
CREATE TABLE IF NOT EXISTS categories (
    id bigserial PRIMARY KEY,
    name varchar(100) NOT NULL,
    active boolean NOT NULL DEFAULT true
);
CREATE UNIQUE INDEX IF NOT EXISTS idx_categories_name_lower ON categories (lower(name));

CREATE TABLE IF NOT EXISTS expenses (
    id bigserial PRIMARY KEY,
    employee_id bigint NOT NULL,
    category_id bigint NOT NULL,
    spent_on timestamptz NOT NULL,
    amount_minor bigint NOT NULL,
    currency varchar(3) NOT NULL,
    merchant varchar(200) NOT NULL,
    description varchar(2000) NOT NULL DEFAULT '',
    status varchar(20) NOT NULL,
    has_receipt boolean NOT NULL DEFAULT false,
    version bigint NOT NULL DEFAULT 1,
    created_at timestamptz,
    updated_at timestamptz,
    CONSTRAINT fk_expenses_employee FOREIGN KEY (employee_id) REFERENCES employees (user_id) ON DELETE RESTRICT,
    CONSTRAINT fk_expenses_category FOREIGN KEY (category_id) REFERENCES categories (id) ON DELETE RESTRICT
);
CREATE INDEX IF NOT EXISTS idx_expenses_category_id ON expenses (category_id);
CREATE INDEX IF NOT EXISTS idx_expenses_status_currency ON expenses (status, currency, employee_id, amount_minor);
CREATE INDEX IF NOT EXISTS idx_expenses_status_spent ON expenses (status, spent_on, employee_id, category_id, currency, amount_minor);
CREATE INDEX IF NOT EXISTS idx_expenses_employee_spent ON expenses (employee_id, spent_on, status, category_id, currency, amount_minor);
CREATE INDEX IF NOT EXISTS idx_expenses_status_merchant ON expenses (status, lower(merchant), id, employee_id);
CREATE INDEX IF NOT EXISTS idx_expenses_status_amount ON expenses (status, amount_minor, id, employee_id);
CREATE INDEX IF NOT EXISTS idx_expenses_spent_id ON expenses (spent_on, id, status, employee_id);
-- Replaced by idx_expenses_spent_id; databases of the auto-migrating
-- versions before it may still have it, costing every write.
DROP INDEX IF EXISTS idx_expenses_spent;

CREATE TABLE IF NOT EXISTS expense_events (
    id bigserial PRIMARY KEY,
    expense_id bigint NOT NULL,
    actor_id bigint NOT NULL,
    at timestamptz NOT NULL,
    action varchar(20) NOT NULL DEFAULT '',
    from_status varchar(20) NOT NULL DEFAULT '',
    to_status varchar(20) NOT NULL,
    comment varchar(2000) NOT NULL DEFAULT '',
    CONSTRAINT fk_expense_events_expense FOREIGN KEY (expense_id) REFERENCES expenses (id) ON DELETE CASCADE,
    CONSTRAINT fk_expense_events_actor FOREIGN KEY (actor_id) REFERENCES employees (user_id) ON DELETE RESTRICT
);
CREATE INDEX IF NOT EXISTS idx_expense_events_expense_id ON expense_events (expense_id);

CREATE TABLE IF NOT EXISTS receipts (
    expense_id bigint NOT NULL PRIMARY KEY,
    file_name varchar(255) NOT NULL,
    content_type varchar(100) NOT NULL,
    size bigint NOT NULL,
    data bytea NOT NULL,
    created_at timestamptz,
    CONSTRAINT fk_receipts_expense FOREIGN KEY (expense_id) REFERENCES expenses (id) ON DELETE CASCADE
);

CREATE TABLE IF NOT EXISTS expense_totals (
    employee_id bigint NOT NULL,
    month bigint NOT NULL,
    category_id bigint NOT NULL,
    status varchar(20) NOT NULL,
    currency varchar(3) NOT NULL,
    count bigint NOT NULL,
    sum_minor bigint NOT NULL,
    PRIMARY KEY (employee_id, month, category_id, status, currency)
);

CREATE TABLE IF NOT EXISTS company_expense_totals (
    month bigint NOT NULL,
    category_id bigint NOT NULL,
    status varchar(20) NOT NULL,
    currency varchar(3) NOT NULL,
    count bigint NOT NULL,
    sum_minor bigint NOT NULL,
    PRIMARY KEY (month, category_id, status, currency)
);

-- The text search indexes (see app/expenses/search.go): pg_trgm GIN
-- indexes on the very expressions the search compares. The extension goes
-- into public, not the first schema of the search_path, because it belongs
-- to the whole database. Where it cannot be created (a managed server that
-- does not offer it, a role that may not), search scans as before, so its
-- failure is a notice, not an error; the indexes name the operator class
-- with the schema the extension is in, which need not be on the path.
-- +goose StatementBegin
DO $$
DECLARE
    trgm_schema text;
BEGIN
    BEGIN
        CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public;
    EXCEPTION WHEN OTHERS THEN
        RAISE NOTICE 'pg_trgm is not available (%): text search scans', SQLERRM;
    END;
    SELECT quote_ident(n.nspname) INTO trgm_schema
    FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
    WHERE e.extname = 'pg_trgm';
    IF trgm_schema IS NULL THEN
        RETURN;
    END IF;
    EXECUTE format('CREATE INDEX IF NOT EXISTS idx_expenses_merchant_trgm ON expenses USING gin (lower(merchant) %s.gin_trgm_ops)', trgm_schema);
    EXECUTE format('CREATE INDEX IF NOT EXISTS idx_expenses_description_trgm ON expenses USING gin (lower(description) %s.gin_trgm_ops)', trgm_schema);
END
$$;
-- +goose StatementEnd

-- +goose Down
DROP TABLE IF EXISTS company_expense_totals;
DROP TABLE IF EXISTS expense_totals;
DROP TABLE IF EXISTS receipts;
DROP TABLE IF EXISTS expense_events;
DROP TABLE IF EXISTS expenses;
DROP TABLE IF EXISTS categories;

-- The expenses demo's tables (models.ExpenseModels) and its text search
-- index, as the auto-migrating versions created them; IF NOT EXISTS lets a
-- database those versions created adopt this baseline. They reference the
-- template's employees, which the template's migrations create first.

-- +goose Up
CREATE TABLE IF NOT EXISTS categories (
    id integer PRIMARY KEY AUTOINCREMENT,
    name text NOT NULL,
    active numeric NOT NULL DEFAULT true
);
CREATE UNIQUE INDEX IF NOT EXISTS idx_categories_name_lower ON categories (lower(name));

CREATE TABLE IF NOT EXISTS expenses (
    id integer PRIMARY KEY AUTOINCREMENT,
    employee_id integer NOT NULL,
    category_id integer NOT NULL,
    spent_on datetime NOT NULL,
    amount_minor integer NOT NULL,
    currency text NOT NULL,
    merchant text NOT NULL,
    description text NOT NULL DEFAULT '',
    status text NOT NULL,
    has_receipt numeric NOT NULL DEFAULT false,
    version integer NOT NULL DEFAULT 1,
    created_at datetime,
    updated_at datetime,
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
    id integer PRIMARY KEY AUTOINCREMENT,
    expense_id integer NOT NULL,
    actor_id integer NOT NULL,
    at datetime NOT NULL,
    action text NOT NULL DEFAULT '',
    from_status text NOT NULL DEFAULT '',
    to_status text NOT NULL,
    comment text NOT NULL DEFAULT '',
    CONSTRAINT fk_expense_events_expense FOREIGN KEY (expense_id) REFERENCES expenses (id) ON DELETE CASCADE,
    CONSTRAINT fk_expense_events_actor FOREIGN KEY (actor_id) REFERENCES employees (user_id) ON DELETE RESTRICT
);
CREATE INDEX IF NOT EXISTS idx_expense_events_expense_id ON expense_events (expense_id);

CREATE TABLE IF NOT EXISTS receipts (
    expense_id integer,
    file_name text NOT NULL,
    content_type text NOT NULL,
    size integer NOT NULL,
    data blob NOT NULL,
    created_at datetime,
    PRIMARY KEY (expense_id),
    CONSTRAINT fk_receipts_expense FOREIGN KEY (expense_id) REFERENCES expenses (id) ON DELETE CASCADE
);

CREATE TABLE IF NOT EXISTS expense_totals (
    employee_id integer,
    month integer,
    category_id integer,
    status text,
    currency text,
    count integer NOT NULL,
    sum_minor integer NOT NULL,
    PRIMARY KEY (employee_id, month, category_id, status, currency)
);

CREATE TABLE IF NOT EXISTS company_expense_totals (
    month integer,
    category_id integer,
    status text,
    currency text,
    count integer NOT NULL,
    sum_minor integer NOT NULL,
    PRIMARY KEY (month, category_id, status, currency)
);

-- The text search index (see app/expenses/search.go): an FTS4 table of
-- each expense's three-character windows, kept current by triggers that
-- call trigram_tokens, a function every connection of the app registers.
CREATE VIRTUAL TABLE IF NOT EXISTS expense_search USING fts4(grams);

-- +goose StatementBegin
CREATE TRIGGER IF NOT EXISTS expense_search_insert AFTER INSERT ON expenses BEGIN
    INSERT INTO expense_search (docid, grams) VALUES (new.id, trigram_tokens(new.merchant || char(10) || new.description));
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER IF NOT EXISTS expense_search_update AFTER UPDATE OF id, merchant, description ON expenses BEGIN
    DELETE FROM expense_search WHERE docid = old.id;
    INSERT INTO expense_search (docid, grams) VALUES (new.id, trigram_tokens(new.merchant || char(10) || new.description));
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER IF NOT EXISTS expense_search_delete AFTER DELETE ON expenses BEGIN
    DELETE FROM expense_search WHERE docid = old.id;
END;
-- +goose StatementEnd

-- Expenses written before the index existed (a database of a version
-- without it); nothing in a new database.
INSERT INTO expense_search (docid, grams)
SELECT expenses.id, trigram_tokens(expenses.merchant || char(10) || expenses.description)
FROM expenses
WHERE expenses.id NOT IN (SELECT docid FROM expense_search);

-- +goose Down
DROP TABLE IF EXISTS expense_search;
DROP TABLE IF EXISTS company_expense_totals;
DROP TABLE IF EXISTS expense_totals;
DROP TABLE IF EXISTS receipts;
DROP TABLE IF EXISTS expense_events;
DROP TABLE IF EXISTS expenses;
DROP TABLE IF EXISTS categories;

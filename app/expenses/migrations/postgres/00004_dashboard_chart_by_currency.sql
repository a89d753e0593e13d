-- The monthly chart reads one currency's cells and a total per month and
-- currency (app/expenses/dashboard.go, MonthlyChart):
--
--   - idx_dashboard_month_totals_currency orders the chart's cells by
--     currency before month and holds their figures, so that a chart reads
--     its currency's cells alone, from the index;
--   - dashboard_currency_totals (models.DashboardCurrencyTotal) adds up each
--     month's cells per currency, for the chart's choice of currencies.
--
-- The table is as gorm's AutoMigrate creates it on PostgreSQL. It starts
-- empty: the start-up step "dashboard totals" (checkDashboardTotals) finds
-- it differs from the expenses and rebuilds the rollup. Safe during a
-- rolling upgrade: older versions ignore both and keep writing: the
-- currency totals then miss their writes (the chart may offer a currency
-- whose claims have gone, or leave one out) until a new instance starts
-- after the last old one stopped, whose check rebuilds them. So restart one
-- new instance once the old ones are gone (README "Running several
-- instances").

-- +goose Up
CREATE INDEX IF NOT EXISTS idx_dashboard_month_totals_currency ON dashboard_month_totals (scope, owner_id, currency, month, category_id, count, sum_minor);
CREATE TABLE IF NOT EXISTS dashboard_currency_totals (
    scope varchar(10) NOT NULL,
    owner_id bigint NOT NULL,
    month bigint NOT NULL,
    currency varchar(3) NOT NULL,
    count bigint NOT NULL,
    sum_minor bigint NOT NULL,
    PRIMARY KEY (scope, owner_id, month, currency)
);

-- +goose Down
DROP TABLE IF EXISTS dashboard_currency_totals;
DROP INDEX IF EXISTS idx_dashboard_month_totals_currency;

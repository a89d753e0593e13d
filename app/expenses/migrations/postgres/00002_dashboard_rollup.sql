-- The dashboard rollup (models.DashboardStatusTotal, DashboardMonthTotal and
-- DashboardTeamMember; app/expenses/dashboardtotals.go): a row per figure a
-- dashboard shows, per person, team and company. The tables are as gorm's
-- AutoMigrate creates them on PostgreSQL. They start empty: the start-up
-- step "dashboard totals" (checkDashboardTotals) fills them from the
-- expenses.

-- +goose Up
CREATE TABLE IF NOT EXISTS dashboard_status_totals (
    scope varchar(10) NOT NULL,
    owner_id bigint NOT NULL,
    status varchar(20) NOT NULL,
    currency varchar(3) NOT NULL,
    count bigint NOT NULL,
    sum_minor bigint NOT NULL,
    PRIMARY KEY (scope, owner_id, status, currency)
);
CREATE TABLE IF NOT EXISTS dashboard_month_totals (
    scope varchar(10) NOT NULL,
    owner_id bigint NOT NULL,
    month bigint NOT NULL,
    category_id bigint NOT NULL,
    currency varchar(3) NOT NULL,
    count bigint NOT NULL,
    sum_minor bigint NOT NULL,
    PRIMARY KEY (scope, owner_id, month, category_id, currency)
);
CREATE TABLE IF NOT EXISTS dashboard_team_members (
    employee_id bigint NOT NULL,
    manager_id bigint NOT NULL,
    PRIMARY KEY (employee_id)
);
CREATE INDEX IF NOT EXISTS idx_dashboard_team_members_manager_id ON dashboard_team_members (manager_id);

-- +goose Down
DROP TABLE IF EXISTS dashboard_team_members;
DROP TABLE IF EXISTS dashboard_month_totals;
DROP TABLE IF EXISTS dashboard_status_totals;

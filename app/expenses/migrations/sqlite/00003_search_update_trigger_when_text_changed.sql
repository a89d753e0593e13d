-- The text index's update trigger rewrites an expense's entry only when its
-- merchant or description changed. gorm's Save names every column in its
-- UPDATE, so without the WHEN clause every status change (submit, approve,
-- reimburse) deleted and re-inserted the expense's trigrams inside the write
-- transaction. Replacing a trigger is safe during a rolling upgrade: older
-- versions do not know it exists.

-- +goose Up
DROP TRIGGER IF EXISTS expense_search_update;
-- +goose StatementBegin
CREATE TRIGGER expense_search_update AFTER UPDATE OF id, merchant, description ON expenses
WHEN old.id IS NOT new.id OR old.merchant IS NOT new.merchant OR old.description IS NOT new.description
BEGIN
    DELETE FROM expense_search WHERE docid = old.id;
    INSERT INTO expense_search (docid, grams) VALUES (new.id, trigram_tokens(new.merchant || char(10) || new.description));
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER IF EXISTS expense_search_update;
-- +goose StatementBegin
CREATE TRIGGER expense_search_update AFTER UPDATE OF id, merchant, description ON expenses BEGIN
    DELETE FROM expense_search WHERE docid = old.id;
    INSERT INTO expense_search (docid, grams) VALUES (new.id, trigram_tokens(new.merchant || char(10) || new.description));
END;
-- +goose StatementEnd

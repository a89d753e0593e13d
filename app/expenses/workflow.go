package expenses

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/company-expenses/company-expenses/app/expenses/policy"
	"github.com/company-expenses/company-expenses/models"
)

// The workflow: draft → submitted → approved | rejected → reimbursed, and
// rejected → submitted again after correction. Each method below is one
// arrow. Each takes the version of the expense the actor saw (the edit form
// and every button carry it in a hidden field), so that an action based on
// an outdated page fails with a ConflictError instead of overwriting
// someone else's change.

// Create saves a new draft of the actor's, and submits it at once when
// submit is true (the form's "Save and submit" button). The draft and its
// history are written in one transaction: invalid input (FieldErrors)
// writes nothing.
func (s *Service) Create(ctx context.Context, actor *models.Employee, d Draft, submit bool) (*models.Expense, error) {
	if dec := policy.Decide(actor, policy.CreateExpense, nil); !dec.Allowed {
		return nil, notAllowed(policy.CreateExpense, dec.Reason)
	}
	if submit {
		if dec := policy.Decide(actor, policy.SubmitExpense, policy.Unsaved(actor)); !dec.Allowed {
			return nil, notAllowed(policy.SubmitExpense, dec.Reason)
		}
	}
	var id uint
	err := s.write(ctx, func(tx *gorm.DB, t totals) error {
		f, fe, err := s.validate(tx, d, nil)
		if err != nil {
			return err
		}
		if fe != nil {
			return fe
		}
		now := s.now()
		e := models.Expense{
			EmployeeID: actor.UserID, CategoryID: f.CategoryID, SpentOn: f.SpentOn,
			AmountMinor: f.AmountMinor, Currency: f.Currency, Merchant: f.Merchant,
			Description: f.Description, Status: models.StatusDraft, Version: 1,
			HasReceipt: f.Receipt != nil, CreatedAt: now, UpdatedAt: now,
		}
		if err := tx.Omit(clause.Associations).Create(&e).Error; err != nil {
			return fmt.Errorf("create expense: %w", err)
		}
		id = e.ID
		t.add(&e, 1)
		ev := models.ExpenseEvent{ExpenseID: e.ID, ActorID: actor.UserID, At: now,
			Action: models.EventCreated, ToStatus: models.StatusDraft}
		if err := tx.Omit(clause.Associations).Create(&ev).Error; err != nil {
			return fmt.Errorf("record creation of expense %d: %w", e.ID, err)
		}
		if f.Receipt != nil {
			if err := saveReceipt(tx, e.ID, f.Receipt, now); err != nil {
				return err
			}
		}
		if submit {
			return s.change(tx, t, actor, &e, map[string]any{"status": models.StatusSubmitted},
				models.ExpenseEvent{Action: models.EventSubmitted, ToStatus: models.StatusSubmitted})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return loadExpense(s.db.WithContext(ctx), id)
}

// Update changes the actor's own draft or rejected expense, and submits it
// in the same transaction when submit is true (the edit form's "Save and
// submit" button): either the changes and the submission are both written,
// with their history entries, or nothing is. The history entry of the edit
// says which fields changed; a form sent back unchanged changes nothing and
// records nothing (but is still submitted when asked). A new receipt, if
// sent, replaces the old.
func (s *Service) Update(ctx context.Context, actor *models.Employee, id uint, version int, d Draft, submit bool) (*models.Expense, error) {
	err := s.write(ctx, func(tx *gorm.DB, t totals) error {
		e, err := s.loadForAction(tx, actor, id, version, policy.EditExpense)
		if err != nil {
			return err
		}
		if submit {
			if dec := policy.Decide(actor, policy.SubmitExpense, e); !dec.Allowed {
				return notAllowed(policy.SubmitExpense, dec.Reason)
			}
		}
		f, fe, err := s.validate(tx, d, e)
		if err != nil {
			return err
		}
		if fe != nil {
			return fe
		}
		changes := map[string]any{}
		var changed []string
		set := func(column, label string, differs bool, value any) {
			if differs {
				changes[column] = value
				changed = append(changed, label)
			}
		}
		set("spent_on", "date", !f.SpentOn.Equal(e.SpentOn), f.SpentOn)
		set("category_id", "category", f.CategoryID != e.CategoryID, f.CategoryID)
		set("amount_minor", "amount", f.AmountMinor != e.AmountMinor || f.Currency != e.Currency, f.AmountMinor)
		if f.Currency != e.Currency {
			changes["currency"] = f.Currency
		}
		set("merchant", "merchant", f.Merchant != e.Merchant, f.Merchant)
		set("description", "description", f.Description != e.Description, f.Description)
		if f.Receipt != nil {
			if err := saveReceipt(tx, e.ID, f.Receipt, s.now()); err != nil {
				return err
			}
			set("has_receipt", "receipt", true, true)
		}
		if len(changes) > 0 {
			err := s.change(tx, t, actor, e, changes, models.ExpenseEvent{
				Action: models.EventEdited, Comment: "Changed " + strings.Join(changed, ", ") + ".",
			})
			if err != nil {
				return err
			}
			// change moves e to its new version and status only; the
			// submission below must count the edited amount, date and
			// category out of the rollup, not the ones before the edit.
			if err := applyChanges(e, changes); err != nil {
				return err
			}
		}
		if !submit {
			return nil
		}
		return s.change(tx, t, actor, e, map[string]any{"status": models.StatusSubmitted},
			models.ExpenseEvent{Action: models.EventSubmitted, ToStatus: models.StatusSubmitted})
	})
	if err != nil {
		return nil, err
	}
	return loadExpense(s.db.WithContext(ctx), id)
}

// Delete removes the actor's own draft or rejected expense. Its history and
// receipt go with it (ON DELETE CASCADE): a deleted claim was never paid, so
// there is nothing left to audit.
func (s *Service) Delete(ctx context.Context, actor *models.Employee, id uint, version int) error {
	return s.write(ctx, func(tx *gorm.DB, t totals) error {
		e, err := s.loadForAction(tx, actor, id, version, policy.DeleteExpense)
		if err != nil {
			return err
		}
		res := tx.Where("id = ? AND version = ? AND status = ?", e.ID, e.Version, e.Status).Delete(&models.Expense{})
		if res.Error != nil {
			return fmt.Errorf("delete expense %d: %w", id, res.Error)
		}
		if res.RowsAffected == 0 {
			return conflict(tx, id)
		}
		t.add(e, -1)
		return nil
	})
}

// Submit sends the actor's draft or rejected expense to their manager.
func (s *Service) Submit(ctx context.Context, actor *models.Employee, id uint, version int) (*models.Expense, error) {
	return s.transition(ctx, actor, id, version, policy.SubmitExpense, models.EventSubmitted, models.StatusSubmitted, "", false)
}

// Approve accepts a submitted expense of one of the actor's direct reports.
// The comment is optional.
func (s *Service) Approve(ctx context.Context, actor *models.Employee, id uint, version int, comment string) (*models.Expense, error) {
	return s.transition(ctx, actor, id, version, policy.ApproveExpense, models.EventApproved, models.StatusApproved, comment, false)
}

// Reject sends a submitted expense of one of the actor's direct reports
// back to its owner. The comment is required: the owner must learn what to
// correct.
func (s *Service) Reject(ctx context.Context, actor *models.Employee, id uint, version int, comment string) (*models.Expense, error) {
	return s.transition(ctx, actor, id, version, policy.RejectExpense, models.EventRejected, models.StatusRejected, comment, true)
}

// Reimburse records that finance paid an approved expense.
func (s *Service) Reimburse(ctx context.Context, actor *models.Employee, id uint, version int) (*models.Expense, error) {
	return s.transition(ctx, actor, id, version, policy.ReimburseExpense, models.EventReimbursed, models.StatusReimbursed, "", false)
}

func (s *Service) transition(ctx context.Context, actor *models.Employee, id uint, version int,
	action policy.Action, event models.EventAction, to models.Status, comment string, commentRequired bool) (*models.Expense, error) {
	comment = strings.TrimSpace(comment)
	err := s.write(ctx, func(tx *gorm.DB, t totals) error {
		e, err := s.loadForAction(tx, actor, id, version, action)
		if err != nil {
			return err
		}
		if msg := checkComment(comment, commentRequired, e); msg != "" {
			return FieldErrors{"comment": msg}
		}
		return s.change(tx, t, actor, e, map[string]any{"status": to},
			models.ExpenseEvent{Action: event, ToStatus: to, Comment: comment})
	})
	if err != nil {
		return nil, err
	}
	return loadExpense(s.db.WithContext(ctx), id)
}

func checkComment(comment string, required bool, e *models.Expense) string {
	if required && comment == "" {
		return fmt.Sprintf("Say why, so that %s knows what to correct.", e.Employee.DisplayName())
	}
	if msg := checkText(comment, "comment", MaxCommentLen, true); msg != "" {
		return msg
	}
	return ""
}

// MaxBatch is the most expenses ReimburseMany takes at once.
const MaxBatch = 500

// Result is the outcome for one expense of a batch: the expense as it is
// now, or the error (a user-caused one) that refused it.
type Result struct {
	ID      uint
	Expense *models.Expense
	Err     error
}

// ReimburseMany reimburses several approved expenses, as after one bank
// transfer run. It is best effort per expense, in one transaction: an
// expense the actor may not reimburse, or that a colleague reimbursed a
// moment earlier, is reported in its Result and does not hold up the
// others, because each reimbursement stands on its own and finance would
// rather pay 19 of 20 than none. An unexpected database error rolls the
// whole batch back and is returned as the error.
//
// No versions are needed here: an approved expense can change in only one
// way, by being reimbursed, and the status guard of the UPDATE catches
// that.
func (s *Service) ReimburseMany(ctx context.Context, actor *models.Employee, ids []uint) ([]Result, error) {
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	if len(ids) > MaxBatch {
		return nil, FieldErrors{"ids": fmt.Sprintf("Reimburse at most %d expenses at once.", MaxBatch)}
	}
	results := make([]Result, 0, len(ids))
	err := s.write(ctx, func(tx *gorm.DB, t totals) error {
		for _, id := range ids {
			r := Result{ID: id}
			e, err := loadExpense(tx, id)
			if err == nil && e.Status == models.StatusReimbursed && policy.Can(actor, policy.ViewExpense, e) {
				// Paid a moment ago by a colleague: say by whom, as the
				// single Reimburse would.
				err = conflict(tx, id)
			}
			if err == nil {
				err = authorize(tx, actor, e, e.Version, policy.ReimburseExpense)
			}
			if err == nil {
				err = s.change(tx, t, actor, e, map[string]any{"status": models.StatusReimbursed},
					models.ExpenseEvent{Action: models.EventReimbursed, ToStatus: models.StatusReimbursed})
			}
			if err != nil {
				if _, userCaused := UserMessage(err); !userCaused {
					return err
				}
				r.Err = err
			} else {
				r.Expense = e
			}
			results = append(results, r)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reimburse %d expenses: %w", len(ids), err)
	}
	return results, nil
}

// AttachReceipt stores (or replaces) the receipt of the actor's own draft or
// rejected expense. The file is checked by CheckReceipt.
func (s *Service) AttachReceipt(ctx context.Context, actor *models.Employee, id uint, version int, up Upload) (*models.Expense, error) {
	err := s.write(ctx, func(tx *gorm.DB, t totals) error {
		e, err := s.loadForAction(tx, actor, id, version, policy.AttachReceipt)
		if err != nil {
			return err
		}
		ct, err := CheckReceipt(up.Name, up.Data)
		if err != nil {
			return err
		}
		r := &models.Receipt{FileName: ReceiptFileName(up.Name), ContentType: ct, Size: int64(len(up.Data)), Data: up.Data}
		if err := saveReceipt(tx, id, r, s.now()); err != nil {
			return err
		}
		return s.change(tx, t, actor, e, map[string]any{"has_receipt": true},
			models.ExpenseEvent{Action: models.EventReceiptAttached, Comment: r.FileName})
	})
	if err != nil {
		return nil, err
	}
	return loadExpense(s.db.WithContext(ctx), id)
}

// Receipt returns the receipt of an expense the actor may view, or
// ErrNotFound (also when there is none). Serve it with the stored
// ContentType, "X-Content-Type-Options: nosniff" and a Content-Disposition
// naming FileName.
func (s *Service) Receipt(ctx context.Context, actor *models.Employee, expenseID uint) (*models.Receipt, error) {
	return s.loadReceipt(ctx, actor, expenseID)
}

// ReceiptMeta describes a stored receipt without its bytes.
type ReceiptMeta struct {
	FileName    string
	ContentType string
	Size        int64
}

// ReceiptInfo describes the receipt of an expense the actor may view,
// without loading its bytes (up to MaxReceiptBytes), for pages that only
// name or link it. Like Receipt, it returns ErrNotFound when the actor may
// not view the expense or there is no receipt.
func (s *Service) ReceiptInfo(ctx context.Context, actor *models.Employee, expenseID uint) (*ReceiptMeta, error) {
	r, err := s.loadReceipt(ctx, actor, expenseID, "expense_id", "file_name", "content_type", "size")
	if err != nil {
		return nil, err
	}
	return &ReceiptMeta{FileName: r.FileName, ContentType: r.ContentType, Size: r.Size}, nil
}

// loadReceipt reads the receipt of an expense the actor may view: only
// columns when some are named, the whole row otherwise.
func (s *Service) loadReceipt(ctx context.Context, actor *models.Employee, expenseID uint, columns ...string) (*models.Receipt, error) {
	db := s.db.WithContext(ctx)
	e, err := loadExpense(db, expenseID)
	if err != nil {
		return nil, err
	}
	if !policy.Can(actor, policy.ViewReceipt, e) || !e.HasReceipt {
		return nil, ErrNotFound
	}
	q := db.Where("expense_id = ?", expenseID)
	if len(columns) > 0 {
		q = q.Select(columns)
	}
	var r models.Receipt
	if err := q.Take(&r).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("load receipt of expense %d: %w", expenseID, err)
	}
	return &r, nil
}

// saveReceipt replaces the expense's receipt with r. Delete-then-insert
// rather than an upsert, because both databases do it the same way.
func saveReceipt(tx *gorm.DB, expenseID uint, r *models.Receipt, now time.Time) error {
	if err := tx.Where("expense_id = ?", expenseID).Delete(&models.Receipt{}).Error; err != nil {
		return fmt.Errorf("replace receipt of expense %d: %w", expenseID, err)
	}
	r.ExpenseID, r.CreatedAt = expenseID, now
	if err := tx.Omit(clause.Associations).Create(r).Error; err != nil {
		return fmt.Errorf("store receipt of expense %d: %w", expenseID, err)
	}
	return nil
}

package expenses

import (
	"errors"
	"fmt"
	"time"

	"github.com/company-expenses/company-expenses/app/expenses/policy"
	"github.com/company-expenses/company-expenses/app/form"
	"github.com/company-expenses/company-expenses/models"
)

// Errors a user can cause are values of the types below, whose Error text is
// a sentence for that user. Handlers show them (UserMessage does the sorting)
// and treat every other error as a fault to log and answer with a calm 500.

// ErrNotFound means the expense does not exist or the actor may not see it.
// The two are deliberately one error: answering 403 for someone else's
// expense would confirm that the id exists, so handlers answer 404 for both.
var ErrNotFound = errors.New("expense not found")

// notFoundMessage is what a user reads for ErrNotFound.
const notFoundMessage = "This expense does not exist, or you may not see it."

// FieldErrors maps a form field to what is wrong with it: the app's one
// such map (app/form), returned as the error itself. The keys are the
// field names of the forms: spent_on, category_id, amount, currency,
// merchant, description, receipt, comment, name.
type FieldErrors = form.Errors

// NotAllowedError means the policy refused the action. Reason says why, in
// the policy's words.
type NotAllowedError struct {
	Action policy.Action
	Reason string
}

func (e *NotAllowedError) Error() string { return e.Reason }

// ConflictError means someone else changed the expense between the moment
// the actor saw it and the moment they acted, so the action was not taken.
// It describes the latest change; At is in UTC, and handlers that know the
// user's time zone may format By, Action and At themselves.
type ConflictError struct {
	// Action is the latest thing that happened to the expense, and Status
	// the status it is in now.
	Action models.EventAction
	Status models.Status
	By     string
	At     time.Time
}

func (e *ConflictError) Error() string {
	if e.By == "" {
		return "Someone else changed this expense in the meantime. Nothing was changed; please reload to see the latest version."
	}
	when := e.At.UTC().Format("2 Jan 2006 at 15:04 UTC")
	switch e.Action {
	case models.EventSubmitted, models.EventApproved, models.EventRejected, models.EventReimbursed:
		return fmt.Sprintf("Already %s by %s on %s. Nothing was changed.", e.Action, e.By, when)
	}
	return fmt.Sprintf("Changed by %s on %s in the meantime. Nothing was changed; please reload to see the latest version.", e.By, when)
}

// UserMessage returns the message to show for an error the user caused, and
// false for any other error, which the caller should log and answer with a
// 500 page.
func UserMessage(err error) (string, bool) {
	var (
		fe FieldErrors
		na *NotAllowedError
		ce *ConflictError
	)
	switch {
	case err == nil:
		return "", false
	case errors.Is(err, ErrNotFound):
		return notFoundMessage, true
	case errors.As(err, &fe):
		return fe.Error(), true
	case errors.As(err, &na):
		return na.Error(), true
	case errors.As(err, &ce):
		return ce.Error(), true
	}
	return "", false
}

func notAllowed(action policy.Action, reason string) error {
	return &NotAllowedError{Action: action, Reason: reason}
}

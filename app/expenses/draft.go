package expenses

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/models"
)

// Limits on what a person may type. They match the column sizes in
// models.Expense, so the database never truncates or refuses what
// validation let through.
const (
	MaxMerchantLen    = 200
	MaxDescriptionLen = 2000
	MaxCommentLen     = 2000
	// MaxAgeYears is how old an expense may be: older claims are past any
	// reasonable reimbursement deadline and usually a mistyped year.
	MaxAgeYears = 2
	// DateLayout is the layout of dates in forms (<input type="date">) and
	// in CSV files.
	DateLayout = "2006-01-02"
)

// Draft is an expense as typed into the form: the raw strings, so that a
// form with errors can be shown again exactly as the person left it.
type Draft struct {
	SpentOn     string // DateLayout
	CategoryID  string
	Amount      string // "1,234.56"
	Currency    string // "EUR"
	Merchant    string
	Description string
	// Receipt is an optional file sent with the form.
	Receipt *Upload
}

// DraftOf returns the form values of an existing expense, for the edit form.
func DraftOf(e *models.Expense) Draft {
	return Draft{
		SpentOn:     e.SpentOn.UTC().Format(DateLayout),
		CategoryID:  strconv.FormatUint(uint64(e.CategoryID), 10),
		Amount:      PlainAmount(e.AmountMinor, e.Currency),
		Currency:    e.Currency,
		Merchant:    e.Merchant,
		Description: e.Description,
	}
}

// Fields are a Draft's values once valid.
type Fields struct {
	SpentOn     time.Time // midnight UTC
	CategoryID  uint
	AmountMinor int64
	Currency    string
	Merchant    string
	Description string
	// Receipt is nil when no file was sent.
	Receipt *models.Receipt
}

// Validate checks a draft as Create (current == nil) or Update (current is
// the expense being edited) would, so that a form can show every problem at
// once. The error is FieldErrors when the input is wrong, and another error
// when the categories could not be read. The date must be given, at most
// one day ahead (people east of UTC live in tomorrow) and at most
// MaxAgeYears old; the category must exist and be active, except that an
// expense may keep a category deactivated since it was chosen.
func (s *Service) Validate(ctx context.Context, d Draft, current *models.Expense) (Fields, error) {
	f, fe, err := s.validate(s.db.WithContext(ctx), d, current)
	if err != nil {
		return f, err
	}
	if fe != nil {
		return f, fe
	}
	return f, nil
}

func (s *Service) validate(db *gorm.DB, d Draft, current *models.Expense) (Fields, FieldErrors, error) {
	var f Fields
	fe := FieldErrors{}

	today := s.now().UTC().Truncate(24 * time.Hour)
	if raw := strings.TrimSpace(d.SpentOn); raw == "" {
		fe["spent_on"] = "Enter the date of the expense."
	} else if len(raw) > len(DateLayout) {
		fe["spent_on"] = "Enter the date as YYYY-MM-DD."
	} else if day, err := time.ParseInLocation(DateLayout, raw, time.UTC); err != nil {
		fe["spent_on"] = "Enter the date as YYYY-MM-DD."
	} else if day.After(today.AddDate(0, 0, 1)) {
		fe["spent_on"] = "The date cannot be in the future."
	} else if day.Before(today.AddDate(-MaxAgeYears, 0, 0)) {
		fe["spent_on"] = fmt.Sprintf("Expenses older than %d years cannot be claimed.", MaxAgeYears)
	} else {
		f.SpentOn = day
	}

	f.Currency = strings.ToUpper(strings.TrimSpace(d.Currency))
	if _, ok := LookupCurrency(f.Currency); !ok {
		fe["currency"] = "Choose one of the supported currencies."
	} else if amount, err := ParseAmount(d.Amount, f.Currency); err != nil {
		var afe FieldErrors
		if errors.As(err, &afe) {
			for k, v := range afe {
				fe[k] = v
			}
		} else {
			fe["amount"] = "Enter the amount as a number, for example 1,234.56."
		}
	} else {
		f.AmountMinor = amount
	}

	if msg := checkText(d.Merchant, "merchant", MaxMerchantLen, false); msg != "" {
		fe["merchant"] = msg
	} else if f.Merchant = strings.TrimSpace(d.Merchant); f.Merchant == "" {
		fe["merchant"] = "Enter the merchant: the shop, airline or restaurant you paid."
	}
	if msg := checkText(d.Description, "description", MaxDescriptionLen, true); msg != "" {
		fe["description"] = msg
	} else {
		f.Description = strings.TrimSpace(d.Description)
	}

	if msg, id, err := checkCategory(db, d.CategoryID, current); err != nil {
		return f, fe, err
	} else if msg != "" {
		fe["category_id"] = msg
	} else {
		f.CategoryID = id
	}

	if d.Receipt != nil {
		ct, err := CheckReceipt(d.Receipt.Name, d.Receipt.Data)
		if err != nil {
			fe["receipt"] = err.Error()
		} else {
			f.Receipt = &models.Receipt{
				FileName: ReceiptFileName(d.Receipt.Name), ContentType: ct,
				Size: int64(len(d.Receipt.Data)), Data: d.Receipt.Data,
			}
		}
	}
	if len(fe) > 0 {
		return f, fe, nil
	}
	return f, nil, nil
}

// checkText refuses over-long text and text that is not text: invalid UTF-8
// and control characters (PostgreSQL even refuses NUL bytes outright).
// Multi-line text may hold line breaks and tabs.
func checkText(s, what string, maxRunes int, multiLine bool) string {
	if !utf8.ValidString(s) {
		return fmt.Sprintf("The %s contains characters that are not text.", what)
	}
	if n := utf8.RuneCountInString(strings.TrimSpace(s)); n > maxRunes {
		return fmt.Sprintf("The %s can be at most %d characters long (this one has %d).", what, maxRunes, n)
	}
	for _, r := range s {
		if unicode.IsControl(r) && !(multiLine && (r == '\n' || r == '\r' || r == '\t')) {
			return fmt.Sprintf("The %s contains control characters; please retype it.", what)
		}
	}
	return ""
}

// checkCategory returns a message for a bad category choice, or the id.
func checkCategory(db *gorm.DB, raw string, current *models.Expense) (string, uint, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "Choose a category.", 0, nil
	}
	id, err := strconv.ParseUint(raw, 10, 32)
	if err != nil || id == 0 {
		return "Choose one of the categories.", 0, nil
	}
	var c models.Category
	err = db.Where("id = ?", id).Take(&c).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return "Choose one of the categories.", 0, nil
	}
	if err != nil {
		return "", 0, fmt.Errorf("look up category %d: %w", id, err)
	}
	if !c.Active && (current == nil || current.CategoryID != c.ID) {
		return fmt.Sprintf("The category “%s” is no longer in use; please choose another.", c.Name), 0, nil
	}
	return "", c.ID, nil
}

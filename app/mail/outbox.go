package mail

import (
	"context"
	"errors"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/models"
)

// Outbox reads the outbox for the administrators' page and the development
// mail viewer.
type Outbox struct{ db *gorm.DB }

// NewOutbox reads the outbox of db.
func NewOutbox(db *gorm.DB) *Outbox { return &Outbox{db: db} }

// ErrNotFound is returned for a message that is not there.
var ErrNotFound = errors.New("mail not found")

// Unsent lists the mail not delivered yet, failed first, newest first
// within each, at most limit rows.
func (o *Outbox) Unsent(ctx context.Context, limit int) ([]models.OutboxMessage, error) {
	var rows []models.OutboxMessage
	err := o.db.WithContext(ctx).Omit("text_body", "html_body").
		Where("status IN ?", []string{models.OutboxFailed, models.OutboxPending}).
		Order("CASE WHEN status = 'failed' THEN 0 ELSE 1 END, created_at DESC, id DESC").
		Limit(limit).Find(&rows).Error
	return rows, err
}

// Kept lists mail the development transport delivered, newest first.
func (o *Outbox) Kept(ctx context.Context, limit int) ([]models.OutboxMessage, error) {
	var rows []models.OutboxMessage
	err := o.db.WithContext(ctx).Omit("text_body", "html_body").
		Where("status = ? AND transport = ?", models.OutboxSent, Dev{}.Name()).
		Order("sent_at DESC, id DESC").Limit(limit).Find(&rows).Error
	return rows, err
}

// KeptMessage is one mail the development transport delivered.
func (o *Outbox) KeptMessage(ctx context.Context, id uint) (models.OutboxMessage, error) {
	var m models.OutboxMessage
	err := o.db.WithContext(ctx).
		Where("id = ? AND status = ? AND transport = ?", id, models.OutboxSent, Dev{}.Name()).
		Take(&m).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return m, ErrNotFound
	}
	return m, err
}

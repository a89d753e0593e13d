package audit

import (
	"context"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"
)

// Filter narrows the log as the admin page does.
type Filter struct {
	// PersonID keeps the events about this person or by them; 0 keeps all.
	PersonID uint
	// Kind keeps one kind; "" keeps all.
	Kind Kind
}

// Row is an entry with the names of the people it mentions, as they are
// now (the log stores their ids; people are never deleted, only
// deactivated).
type Row struct {
	Entry
	ActorEmail   string
	ActorName    string
	SubjectEmail string
	SubjectName  string
}

// Cursor says which page of the log to read. Pages go newest first and
// are found by id (keyset pagination), so page 1,000 costs what page 1
// does, at a million events as at ten. Both zero is the newest page.
type Cursor struct {
	// Before reads the page of the events just older than this id.
	Before uint
	// After reads the page of the events just newer than this id.
	After uint
}

// Page is one page of the log and the cursors of its neighbours (0 where
// there is none).
type Page struct {
	Rows  []Row
	Older uint // Cursor.Before of the next older page
	Newer uint // Cursor.After of the next newer page
}

// List reads one page of at most limit events matching f.
func List(ctx context.Context, db *gorm.DB, f Filter, at Cursor, limit int) (Page, error) {
	var p Page
	q := query(ctx, db, f).Limit(limit + 1)
	if at.After != 0 {
		q = q.Where("audit_events.id > ?", at.After).Order("audit_events.id ASC")
	} else {
		if at.Before != 0 {
			q = q.Where("audit_events.id < ?", at.Before)
		}
		q = q.Order("audit_events.id DESC")
	}
	if err := q.Scan(&p.Rows).Error; err != nil {
		return Page{}, fmt.Errorf("audit: list: %w", err)
	}
	more := len(p.Rows) > limit
	if more {
		p.Rows = p.Rows[:limit]
	}
	if at.After != 0 {
		slices.Reverse(p.Rows)
	}
	if len(p.Rows) == 0 {
		return p, nil
	}
	first, last := p.Rows[0].ID, p.Rows[len(p.Rows)-1].ID
	switch {
	case at.After != 0:
		// Reading newer events: the cursor itself was an older one.
		p.Older = last
		if more {
			p.Newer = first
		}
	default:
		if more {
			p.Older = last
		}
		if at.Before != 0 {
			p.Newer = first
		}
	}
	return p, nil
}

// exportBatch is how many events Each reads at once.
const exportBatch = 1000

// Each calls fn with every event matching f, newest first, reading them in
// batches by id so that exporting a million events holds a thousand in
// memory at a time. It stops at fn's first error.
func Each(ctx context.Context, db *gorm.DB, f Filter, fn func(Row) error) error {
	var before uint
	for {
		var rows []Row
		q := query(ctx, db, f).Order("audit_events.id DESC").Limit(exportBatch)
		if before != 0 {
			q = q.Where("audit_events.id < ?", before)
		}
		if err := q.Scan(&rows).Error; err != nil {
			return fmt.Errorf("audit: export: %w", err)
		}
		for _, r := range rows {
			if err := fn(r); err != nil {
				return err
			}
		}
		if len(rows) < exportBatch {
			return nil
		}
		before = rows[len(rows)-1].ID
	}
}

// query selects the events matching f with the people's names. The
// users and employees tables are the template's (models.User,
// models.Employee), named here so that this package imports nothing.
func query(ctx context.Context, db *gorm.DB, f Filter) *gorm.DB {
	q := db.WithContext(ctx).Table("audit_events").
		Select("audit_events.*, au.email AS actor_email, ae.full_name AS actor_name, su.email AS subject_email, se.full_name AS subject_name").
		Joins("LEFT JOIN users au ON au.id = audit_events.actor_id").
		Joins("LEFT JOIN employees ae ON ae.user_id = audit_events.actor_id").
		Joins("LEFT JOIN users su ON su.id = audit_events.subject_id").
		Joins("LEFT JOIN employees se ON se.user_id = audit_events.subject_id")
	if f.PersonID != 0 {
		q = q.Where("(audit_events.subject_id = ? OR audit_events.actor_id = ?)", f.PersonID, f.PersonID)
	}
	if f.Kind != "" {
		q = q.Where("audit_events.kind = ?", f.Kind)
	}
	return q
}

// PruneBatch is how many events Prune deletes per statement: small enough
// that each delete holds the write lock (SQLite) or its row locks
// (PostgreSQL) for milliseconds, not for the whole clean-up.
const PruneBatch = 1000

// Prune deletes the events older than before, batch at a time, until
// none is left or ctx ends, and returns how many it deleted. Every
// instance may run it at any time: two at once delete each batch once
// between them (the second finds the rows gone), so doubling the work is
// never harmful.
func Prune(ctx context.Context, db *gorm.DB, before time.Time, batch int) (int64, error) {
	if batch <= 0 {
		batch = PruneBatch
	}
	var total int64
	for {
		if err := ctx.Err(); err != nil {
			return total, err
		}
		res := db.WithContext(ctx).Exec(
			"DELETE FROM audit_events WHERE id IN (SELECT id FROM audit_events WHERE at < ? ORDER BY id LIMIT ?)",
			before.UTC(), batch)
		if res.Error != nil {
			return total, fmt.Errorf("audit: prune: %w", res.Error)
		}
		total += res.RowsAffected
		if res.RowsAffected < int64(batch) {
			return total, nil
		}
	}
}

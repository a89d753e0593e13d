package auth_test

import (
	"testing"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/models"
)

// newUser inserts a bare account for sessions to belong to.
func newUser(t *testing.T, db *gorm.DB, email string) uint {
	t.Helper()
	u := models.User{Email: email, Active: true}
	if err := db.Create(&u).Error; err != nil {
		t.Fatalf("create user %s: %v", email, err)
	}
	return u.ID
}

func count(t *testing.T, db *gorm.DB, query string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.Raw(query, args...).Row().Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

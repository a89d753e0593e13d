package provisioning_test

import (
	"context"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/database/dbtest"
	"github.com/company-expenses/company-expenses/app/provisioning"
	"github.com/company-expenses/company-expenses/app/sso"
	"github.com/company-expenses/company-expenses/models"
)

func firstLogin(t *testing.T, db *gorm.DB, p sso.Profile) uint {
	t.Helper()
	var id uint
	err := db.Transaction(func(tx *gorm.DB) error {
		var err error
		id, err = (&provisioning.Hooks{}).OnFirstLogin(context.Background(), tx, p)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestOnFirstLoginStoresAnEmployeeWithIsLocalUserFalse(t *testing.T) {
	t.Parallel()
	db := dbtest.SQLite(t)
	id := firstLogin(t, db, sso.Profile{Provider: "openid-connect", Subject: "s1", Email: "jo@example.com", Name: "Jo Bloggs", EmailVerified: true})

	var row struct {
		IsLocalUser  int64
		FullName     string
		PasswordHash string
		Role         string
	}
	db.Raw(`SELECT CASE WHEN e.is_local_user THEN 1 ELSE 0 END AS is_local_user, e.full_name, u.password_hash, r.role FROM employees e
		JOIN users u ON u.id = e.user_id JOIN user_roles r ON r.user_id = u.id WHERE u.id = ?`, id).Scan(&row)
	if row.IsLocalUser != 0 || row.FullName != "Jo Bloggs" || row.PasswordHash != "" || row.Role != "employee" {
		t.Errorf("stored %+v, want is_local_user 0, the provider's name, no password, role employee", row)
	}
}

func TestOnFirstLoginWithoutANameUsesTheMailbox(t *testing.T) {
	t.Parallel()
	db := dbtest.SQLite(t)
	id := firstLogin(t, db, sso.Profile{Subject: "s1", Email: "no.name@example.com", EmailVerified: true})
	var name string
	db.Raw("SELECT full_name FROM employees WHERE user_id = ?", id).Scan(&name)
	if name != "no.name" {
		t.Errorf("full name %q, want the mailbox", name)
	}
}

func TestOnReturningLoginFollowsTheProviderForSSOAccounts(t *testing.T) {
	t.Parallel()
	db := dbtest.SQLite(t)
	id := firstLogin(t, db, sso.Profile{Subject: "s1", Email: "jo@example.com", Name: "Jo Bloggs", EmailVerified: true})
	var notice string
	err := db.Transaction(func(tx *gorm.DB) (err error) {
		notice, err = (&provisioning.Hooks{}).OnReturningLogin(context.Background(), tx, id,
			sso.Profile{Subject: "s1", Email: "jo.new@example.com", Name: "Jo New", AvatarURL: "https://img.example/jo.png", EmailVerified: true})
		return err
	})
	if err != nil || notice != "" {
		t.Fatalf("OnReturningLogin: %q, %v", notice, err)
	}
	var got struct{ Email, FullName, AvatarURL string }
	db.Raw("SELECT u.email, e.full_name, e.avatar_url FROM users u JOIN employees e ON e.user_id = u.id WHERE u.id = ?", id).Scan(&got)
	if got.Email != "jo.new@example.com" || got.FullName != "Jo New" || got.AvatarURL != "https://img.example/jo.png" {
		t.Errorf("after refresh: %+v", got)
	}
}

func TestOnReturningLoginKeepsTheEmailWhenSomeoneElseHasIt(t *testing.T) {
	t.Parallel()
	db := dbtest.SQLite(t)
	if err := models.CreateEmployee(db, models.NewLocalEmployee("taken@example.com", "Someone Else")); err != nil {
		t.Fatal(err)
	}
	id := firstLogin(t, db, sso.Profile{Subject: "s1", Email: "jo@example.com", Name: "Jo Bloggs", EmailVerified: true})
	var notice string
	err := db.Transaction(func(tx *gorm.DB) (err error) {
		notice, err = (&provisioning.Hooks{}).OnReturningLogin(context.Background(), tx, id, sso.Profile{Subject: "s1", Email: "taken@example.com", Name: "Jo Bloggs", EmailVerified: true})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(notice, "taken@example.com") || !strings.Contains(notice, "jo@example.com") {
		t.Errorf("notice %q should name both addresses", notice)
	}
	var email string
	db.Raw("SELECT email FROM users WHERE id = ?", id).Scan(&email)
	if email != "jo@example.com" {
		t.Errorf("e-mail changed to %q", email)
	}
}

func TestOnReturningLoginLeavesLocalAccountsNameAndEmailAlone(t *testing.T) {
	t.Parallel()
	db := dbtest.SQLite(t)
	e := models.NewLocalEmployee("liam@example.com", "Liam Chen")
	if err := models.CreateEmployee(db, e); err != nil {
		t.Fatal(err)
	}
	err := db.Transaction(func(tx *gorm.DB) error {
		_, err := (&provisioning.Hooks{}).OnReturningLogin(context.Background(), tx, e.UserID,
			sso.Profile{Subject: "s1", Email: "l.chen@corp.example", Name: "L. Chen", AvatarURL: "https://img.example/l.png"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var got struct{ Email, FullName, AvatarURL string }
	db.Raw("SELECT u.email, e.full_name, e.avatar_url FROM users u JOIN employees e ON e.user_id = u.id WHERE u.id = ?", e.UserID).Scan(&got)
	if got.Email != "liam@example.com" || got.FullName != "Liam Chen" || got.AvatarURL != "https://img.example/l.png" {
		t.Errorf("after refresh: %+v, want name and e-mail kept, picture taken", got)
	}
}

func TestOnReturningLoginIgnoresAnEmailTheProviderDoesNotVouchFor(t *testing.T) {
	t.Parallel()
	db := dbtest.SQLite(t)
	id := firstLogin(t, db, sso.Profile{Subject: "s1", Email: "jo@example.com", Name: "Jo Bloggs", EmailVerified: true})
	err := db.Transaction(func(tx *gorm.DB) error {
		_, err := (&provisioning.Hooks{}).OnReturningLogin(context.Background(), tx, id,
			sso.Profile{Subject: "s1", Email: "boss@example.com", Name: "Jo Bloggs", EmailVerified: false})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var email string
	db.Raw("SELECT email FROM users WHERE id = ?", id).Scan(&email)
	if email != "jo@example.com" {
		t.Errorf("e-mail changed to the unverified %q", email)
	}
}

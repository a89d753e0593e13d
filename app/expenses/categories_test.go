package expenses_test

import (
	"errors"
	"testing"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/expenses"
	"github.com/company-expenses/company-expenses/app/expenses/expensestest"
	"github.com/company-expenses/company-expenses/models"
)

func TestCreateCategoryRefusesADuplicateInAnyCase(t *testing.T) {
	t.Parallel()
	expensestest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		e := newEnv(t, db)
		_, err := e.svc.CreateCategory(e.ctx, e.c.Admin, "  TRAVEL ")
		var fe expenses.FieldErrors
		if !errors.As(err, &fe) || fe["name"] != "A category called “TRAVEL” already exists." {
			t.Errorf("got %v", err)
		}
		// Even past the friendly check, the unique index on lower(name) holds.
		err = db.Create(&models.Category{Name: "tRaVeL", Active: true}).Error
		if !errors.Is(err, gorm.ErrDuplicatedKey) {
			t.Errorf("the database accepted a duplicate: %v", err)
		}
		c, err := e.svc.CreateCategory(e.ctx, e.c.Admin, "  Client   gifts ")
		if err != nil || c.Name != "Client gifts" || !c.Active {
			t.Errorf("created %+v, %v", c, err)
		}
	})
}

func TestOnlyAdministratorsManageCategories(t *testing.T) {
	t.Parallel()
	e := sqliteEnv(t)
	var na *expenses.NotAllowedError
	for _, who := range []*models.Employee{e.c.Owner, e.c.Manager, e.c.Finance} {
		_, err1 := e.svc.CreateCategory(e.ctx, who, "Gifts")
		_, err2 := e.svc.RenameCategory(e.ctx, who, e.c.Travel.ID, "Trips")
		_, err3 := e.svc.SetCategoryActive(e.ctx, who, e.c.Travel.ID, false)
		if !errors.As(err1, &na) || !errors.As(err2, &na) || !errors.As(err3, &na) {
			t.Errorf("%s: %v, %v, %v", who.FullName, err1, err2, err3)
		}
	}
}

func TestRenameAndDeactivateCategories(t *testing.T) {
	t.Parallel()
	e := sqliteEnv(t)
	if c, err := e.svc.RenameCategory(e.ctx, e.c.Admin, e.c.Travel.ID, "travel"); err != nil || c.Name != "travel" {
		t.Errorf("renaming to another case of itself: %+v, %v", c, err)
	}
	var fe expenses.FieldErrors
	if _, err := e.svc.RenameCategory(e.ctx, e.c.Admin, e.c.Travel.ID, "MEALS"); !errors.As(err, &fe) {
		t.Errorf("renaming onto another category: %v", err)
	}
	if _, err := e.svc.RenameCategory(e.ctx, e.c.Admin, 9999, "Nothing"); !errors.As(err, &fe) {
		t.Errorf("renaming a missing category: %v", err)
	}
	if _, err := e.svc.SetCategoryActive(e.ctx, e.c.Admin, e.c.Meals.ID, false); err != nil {
		t.Fatal(err)
	}
	active, _ := e.svc.ListCategories(e.ctx, true)
	all, _ := e.svc.ListCategories(e.ctx, false)
	if len(active) != 1 || active[0].Name != "travel" || len(all) != 3 || all[0].Name != "Meals" {
		t.Errorf("active %+v, all %+v", active, all)
	}
	if c, err := e.svc.SetCategoryActive(e.ctx, e.c.Admin, e.c.Telephone.ID, true); err != nil || !c.Active {
		t.Errorf("reactivating: %+v, %v", c, err)
	}
}

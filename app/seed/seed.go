// Package seed fills an empty database, in development, with a demo company:
// the template's own few people (Template), or the roster of a module that
// seeds its whole company (the expenses demo), and then the modules' data
// (module.Seed). To change the template's people, change Template below.
package seed

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/auth"
	"github.com/company-expenses/company-expenses/app/database"
	"github.com/company-expenses/company-expenses/models"
)

// DemoPassword is the password of every seeded account. It is public (README
// and the sign-in page show it), which is why seeding runs only in
// development.
const DemoPassword = "expenses-demo"

// Person is one seeded employee.
type Person struct {
	Email      string
	Name       string
	Department string
	Manager    string // e-mail of the manager, "" for none
	Roles      []models.Role
}

// Roster is a company to seed: its departments and its people, managers
// before the people who report to them.
type Roster struct {
	Departments []string
	People      []Person
	// SignIn are the accounts the development sign-in page lists, with
	// what each is for, so that the page offers exactly the company that
	// was seeded.
	SignIn []Account
}

// Account is one demo account as the development sign-in page lists it.
type Account struct {
	Email string
	Role  string // what the account is for: "employee", "administrator", …
}

// Template is the template's own small company: the demo accounts
// employee@example.com and admin@example.com of README, and the people the
// development identity provider's identities (identities.go) need. A module
// with roles of its own seeds its whole company instead (module.Seed; the
// expenses demo adds its managers and finance people).
func Template() Roster {
	return Roster{
		Departments: []string{"Engineering", "Operations"},
		People: []Person{
			{"admin@example.com", "Adam Brooks", "Operations", "", []models.Role{models.RoleEmployee, models.RoleAdmin}},
			{"employee@example.com", "Emily Carter", "Engineering", "", []models.Role{models.RoleEmployee}},
			{"liam.chen@example.com", "Liam Chen", "Engineering", "", []models.Role{models.RoleEmployee}},
			{"priya.patel@example.com", "Priya Patel", "Engineering", "", []models.Role{models.RoleEmployee}},
		},
		SignIn: []Account{{"employee@example.com", "employee"}, {"admin@example.com", "administrator"}},
	}
}

// Company creates the departments and people of r into an empty database
// and returns the employees it created. It does nothing and returns nil when the
// database already holds users, so restarts never duplicate the demo data.
func Company(ctx context.Context, db *gorm.DB, r Roster) ([]models.Employee, error) {
	empty, err := database.IsEmpty(ctx, db)
	if err != nil || !empty {
		return nil, err
	}
	// One hash for all: the password is the same and public, and hashing
	// once per person would slow every test that seeds.
	hash, err := auth.HashPassword(DemoPassword)
	if err != nil {
		return nil, err
	}
	var out []models.Employee
	err = db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		depts := map[string]uint{}
		for _, name := range r.Departments {
			d := models.Department{Name: name}
			if err := tx.Create(&d).Error; err != nil {
				return fmt.Errorf("create department %s: %w", name, err)
			}
			depts[name] = d.ID
		}
		ids := map[string]uint{}
		for _, p := range r.People {
			e := models.NewLocalEmployee(p.Email, p.Name, p.Roles...)
			e.User.PasswordHash = hash
			dep := depts[p.Department]
			e.DepartmentID = &dep
			if p.Manager != "" {
				m, ok := ids[p.Manager]
				if !ok {
					return fmt.Errorf("seed: manager %s of %s must come first", p.Manager, p.Email)
				}
				e.ManagerID = &m
			}
			if err := models.CreateEmployee(tx, e); err != nil {
				return fmt.Errorf("create %s: %w", p.Email, err)
			}
			ids[p.Email] = e.UserID
			out = append(out, *e)
		}
		return nil
	})
	if database.IsUniqueViolation(err) {
		// Another instance seeded at the same moment.
		return nil, nil
	}
	return out, err
}

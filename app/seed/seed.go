// Package seed fills an empty database with the demo company: people in
// three departments with their managers, the four demo accounts of README,
// and (through app/expenses) a year of expenses. To change the demo company,
// change the tables below.
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

// Departments of the demo company.
func Departments() []string {
	return []string{"Engineering", "Sales", "Finance & Operations"}
}

// People of the demo company, managers before the people who report to them.
// The first four e-mails are the demo accounts of README.
func People() []Person {
	return []Person{
		{"helen.novak@example.com", "Helen Novak", "Finance & Operations", "", []models.Role{models.RoleEmployee, models.RoleManager}},
		{"manager@example.com", "Marcus Reed", "Engineering", "helen.novak@example.com", []models.Role{models.RoleEmployee, models.RoleManager}},
		{"employee@example.com", "Emily Carter", "Engineering", "manager@example.com", []models.Role{models.RoleEmployee}},
		{"finance@example.com", "Fiona Walsh", "Finance & Operations", "helen.novak@example.com", []models.Role{models.RoleEmployee, models.RoleFinance}},
		{"admin@example.com", "Adam Brooks", "Finance & Operations", "helen.novak@example.com", []models.Role{models.RoleEmployee, models.RoleAdmin}},
		{"sofia.martinez@example.com", "Sofia Martinez", "Sales", "helen.novak@example.com", []models.Role{models.RoleEmployee, models.RoleManager}},
		{"liam.chen@example.com", "Liam Chen", "Engineering", "manager@example.com", []models.Role{models.RoleEmployee}},
		{"priya.patel@example.com", "Priya Patel", "Engineering", "manager@example.com", []models.Role{models.RoleEmployee}},
		{"noah.kim@example.com", "Noah Kim", "Engineering", "manager@example.com", []models.Role{models.RoleEmployee}},
		{"olivia.johnson@example.com", "Olivia Johnson", "Sales", "sofia.martinez@example.com", []models.Role{models.RoleEmployee}},
		{"ethan.wright@example.com", "Ethan Wright", "Sales", "sofia.martinez@example.com", []models.Role{models.RoleEmployee}},
		{"grace.lee@example.com", "Grace Lee", "Sales", "sofia.martinez@example.com", []models.Role{models.RoleEmployee}},
		{"daniel.okafor@example.com", "Daniel Okafor", "Finance & Operations", "finance@example.com", []models.Role{models.RoleEmployee, models.RoleFinance}},
	}
}

// Company creates the departments and people into an empty database and
// returns the employees it created. It does nothing and returns nil when the
// database already holds users, so restarts never duplicate the demo data.
func Company(ctx context.Context, db *gorm.DB) ([]models.Employee, error) {
	empty, err := database.IsEmpty(ctx, db)
	if err != nil || !empty {
		return nil, err
	}
	// One hash for all: the password is the same and public, and hashing
	// thirteen times would slow every test that seeds.
	hash, err := auth.HashPassword(DemoPassword)
	if err != nil {
		return nil, err
	}
	var out []models.Employee
	err = db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		depts := map[string]uint{}
		for _, name := range Departments() {
			d := models.Department{Name: name}
			if err := tx.Create(&d).Error; err != nil {
				return fmt.Errorf("create department %s: %w", name, err)
			}
			depts[name] = d.ID
		}
		ids := map[string]uint{}
		for _, p := range People() {
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

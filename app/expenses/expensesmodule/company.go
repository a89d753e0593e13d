package expensesmodule

import (
	"github.com/company-expenses/company-expenses/app/seed"
	"github.com/company-expenses/company-expenses/models"
)

// Company is the demo company the expenses demo seeds instead of the
// template's few people: thirteen people in three departments with their
// managers, the four demo accounts of README (employee, manager, finance,
// admin), and everyone the development identity provider's identities
// name. To change the demo company, change the tables below.
func Company() seed.Roster {
	return seed.Roster{Departments: Departments(), People: People(), SignIn: []seed.Account{
		{Email: "employee@example.com", Role: "employee"},
		{Email: "manager@example.com", Role: "manager of the employee"},
		{Email: "finance@example.com", Role: "finance"},
		{Email: "admin@example.com", Role: "administrator"},
	}}
}

// Departments of the demo company.
func Departments() []string {
	return []string{"Engineering", "Sales", "Finance & Operations"}
}

// People of the demo company, managers before the people who report to them.
// The first four e-mails are the demo accounts of README.
func People() []seed.Person {
	return []seed.Person{
		{Email: "helen.novak@example.com", Name: "Helen Novak", Department: "Finance & Operations", Manager: "", Roles: []models.Role{models.RoleEmployee, models.RoleManager}},
		{Email: "manager@example.com", Name: "Marcus Reed", Department: "Engineering", Manager: "helen.novak@example.com", Roles: []models.Role{models.RoleEmployee, models.RoleManager}},
		{Email: "employee@example.com", Name: "Emily Carter", Department: "Engineering", Manager: "manager@example.com", Roles: []models.Role{models.RoleEmployee}},
		{Email: "finance@example.com", Name: "Fiona Walsh", Department: "Finance & Operations", Manager: "helen.novak@example.com", Roles: []models.Role{models.RoleEmployee, models.RoleFinance}},
		{Email: "admin@example.com", Name: "Adam Brooks", Department: "Finance & Operations", Manager: "helen.novak@example.com", Roles: []models.Role{models.RoleEmployee, models.RoleAdmin}},
		{Email: "sofia.martinez@example.com", Name: "Sofia Martinez", Department: "Sales", Manager: "helen.novak@example.com", Roles: []models.Role{models.RoleEmployee, models.RoleManager}},
		{Email: "liam.chen@example.com", Name: "Liam Chen", Department: "Engineering", Manager: "manager@example.com", Roles: []models.Role{models.RoleEmployee}},
		{Email: "priya.patel@example.com", Name: "Priya Patel", Department: "Engineering", Manager: "manager@example.com", Roles: []models.Role{models.RoleEmployee}},
		{Email: "noah.kim@example.com", Name: "Noah Kim", Department: "Engineering", Manager: "manager@example.com", Roles: []models.Role{models.RoleEmployee}},
		{Email: "olivia.johnson@example.com", Name: "Olivia Johnson", Department: "Sales", Manager: "sofia.martinez@example.com", Roles: []models.Role{models.RoleEmployee}},
		{Email: "ethan.wright@example.com", Name: "Ethan Wright", Department: "Sales", Manager: "sofia.martinez@example.com", Roles: []models.Role{models.RoleEmployee}},
		{Email: "grace.lee@example.com", Name: "Grace Lee", Department: "Sales", Manager: "sofia.martinez@example.com", Roles: []models.Role{models.RoleEmployee}},
		{Email: "daniel.okafor@example.com", Name: "Daniel Okafor", Department: "Finance & Operations", Manager: "finance@example.com", Roles: []models.Role{models.RoleEmployee, models.RoleFinance}},
	}
}

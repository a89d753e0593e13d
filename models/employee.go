package models

import (
	"strings"
	"unicode"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Employee is the person behind a User: the Go counterpart of the Mendix tutorial's
// Expenses.Employee, which extends System.User.
//
// Mendix implements "extends" as a second table whose rows share the id of the
// System.User row, and so do we: employees.user_id is users.id, and Employee.User
// holds the generalisation. (Go embedding would read nicer, but gorm flattens
// an embedded struct into the same table.) The users table stays small and
// usable on its own by code that must not know the expenses domain, such as
// the SSO package, and each package owns the fields it writes.
type Employee struct {
	// UserID is both the primary key and the reference to users.id: the two
	// rows share their key, as a specialisation does.
	UserID uint `gorm:"primaryKey;autoIncrement:false"`
	User   User `gorm:"constraint:OnDelete:CASCADE"`

	FullName string `gorm:"size:200;not null"`
	// IsLocalUser is true for every account created inside the app (seed data,
	// the admin screen) and false for accounts provisioned by single sign-on.
	// Mendix tutorial, step 7: a Boolean attribute with default true.
	//
	// The column default is true, as in the Mendix tutorial. Beware of gorm here: it
	// leaves a zero-valued field out of an INSERT when the column has a
	// default (and with a plain `default:true` tag it even rewrites false to
	// true), so a plain Create with IsLocalUser=false would store true. The
	// default is therefore written as an SQL expression, which gorm does not
	// parse, and CreateEmployee writes false explicitly. Always create employees
	// through CreateEmployee.
	IsLocalUser  bool `gorm:"not null;default:(true)"`
	DepartmentID *uint
	Department   *Department
	ManagerID    *uint     `gorm:"index"`
	Manager      *Employee `gorm:"foreignKey:ManagerID;references:UserID;constraint:OnDelete:SET NULL"`
	AvatarURL    string    `gorm:"size:1000;not null;default:''"`
	// JobTitle is what the identity provider's directory says the person
	// does (SSO_JOB_TITLE_CLAIM); empty for people it says nothing about.
	JobTitle string `gorm:"size:200;not null;default:''"`
}

// Department groups employees.
type Department struct {
	ID   uint   `gorm:"primaryKey"`
	Name string `gorm:"size:100;not null;uniqueIndex"`
}

// NewLocalEmployee returns an employee with a local account, as the admin
// screen and the demo seed create them.
func NewLocalEmployee(email, fullName string, roles ...Role) *Employee {
	e := &Employee{
		User:        User{Email: NormalizeEmail(email), Active: true},
		FullName:    strings.TrimSpace(fullName),
		IsLocalUser: true,
	}
	if len(roles) == 0 {
		roles = []Role{RoleEmployee}
	}
	e.User.SetRoles(roles)
	return e
}

// CreateEmployee inserts the user row, its roles and the employee row in the
// given transaction, making sure that IsLocalUser=false is stored as false
// rather than replaced by the column default.
func CreateEmployee(tx *gorm.DB, e *Employee) error {
	return tx.Transaction(func(tx *gorm.DB) error {
		e.User.Email = NormalizeEmail(e.User.Email)
		roles := e.User.Roles
		e.User.Roles = nil
		if err := tx.Create(&e.User).Error; err != nil {
			return err
		}
		e.UserID = e.User.ID
		for i := range roles {
			roles[i].UserID = e.User.ID
		}
		e.User.Roles = roles
		if len(roles) > 0 {
			if err := tx.Create(&roles).Error; err != nil {
				return err
			}
		}
		want := e.IsLocalUser
		if err := tx.Omit(clause.Associations).Create(e).Error; err != nil {
			return err
		}
		if !want {
			// gorm omitted the zero value and the column default said true.
			e.IsLocalUser = false
			return tx.Model(e).UpdateColumn("is_local_user", false).Error
		}
		return nil
	})
}

// Initials returns up to two capital letters for an avatar placeholder.
func Initials(name string) string {
	var out []rune
	for _, f := range strings.Fields(name) {
		r := []rune(f)
		if len(r) > 0 && unicode.IsLetter(r[0]) {
			out = append(out, unicode.ToUpper(r[0]))
		}
	}
	switch {
	case len(out) == 0:
		return "?"
	case len(out) == 1:
		return string(out)
	}
	return string([]rune{out[0], out[len(out)-1]})
}

// DisplayName is the name screens show: the full name, or the e-mail when the
// name is empty.
func (e *Employee) DisplayName() string {
	if e.FullName != "" {
		return e.FullName
	}
	return e.User.Email
}

package expenses

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/expenses/policy"
	"github.com/company-expenses/company-expenses/models"
)

// MaxCategoryNameLen matches the column size of models.Category.Name.
const MaxCategoryNameLen = 100

// ListCategories returns the categories by name; only the active ones when
// activeOnly is set (for the expense form; the admin page shows all).
func (s *Service) ListCategories(ctx context.Context, activeOnly bool) ([]models.Category, error) {
	q := s.db.WithContext(ctx).Order("name")
	if activeOnly {
		q = q.Where("active = ?", true)
	}
	var cs []models.Category
	if err := q.Find(&cs).Error; err != nil {
		return nil, fmt.Errorf("list categories: %w", err)
	}
	return cs, nil
}

// CreateCategory adds an active category. Names are unique regardless of
// case; a duplicate is a FieldErrors on "name", also when another
// administrator added the same name a moment earlier (the unique index on
// lower(name) catches that race).
func (s *Service) CreateCategory(ctx context.Context, actor *models.Employee, name string) (*models.Category, error) {
	if d := policy.Decide(actor, policy.ManageCategories, nil); !d.Allowed {
		return nil, notAllowed(policy.ManageCategories, d.Reason)
	}
	name, err := s.checkCategoryName(ctx, name, 0)
	if err != nil {
		return nil, err
	}
	c := &models.Category{Name: name, Active: true}
	if err := s.db.WithContext(ctx).Create(c).Error; err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return nil, duplicateCategory(name)
		}
		return nil, fmt.Errorf("create category %q: %w", name, err)
	}
	return c, nil
}

// RenameCategory renames a category. Expenses keep it: they refer to it by id.
func (s *Service) RenameCategory(ctx context.Context, actor *models.Employee, id uint, name string) (*models.Category, error) {
	if d := policy.Decide(actor, policy.ManageCategories, nil); !d.Allowed {
		return nil, notAllowed(policy.ManageCategories, d.Reason)
	}
	name, err := s.checkCategoryName(ctx, name, id)
	if err != nil {
		return nil, err
	}
	res := s.db.WithContext(ctx).Model(&models.Category{}).Where("id = ?", id).Update("name", name)
	if errors.Is(res.Error, gorm.ErrDuplicatedKey) {
		return nil, duplicateCategory(name)
	}
	if res.Error != nil {
		return nil, fmt.Errorf("rename category %d: %w", id, res.Error)
	}
	return s.category(ctx, id)
}

// SetCategoryActive activates or deactivates a category. A deactivated
// category is no longer offered for new expenses; existing expenses keep it.
func (s *Service) SetCategoryActive(ctx context.Context, actor *models.Employee, id uint, active bool) (*models.Category, error) {
	if d := policy.Decide(actor, policy.ManageCategories, nil); !d.Allowed {
		return nil, notAllowed(policy.ManageCategories, d.Reason)
	}
	// Update with a column name writes false too; a struct update would skip it.
	res := s.db.WithContext(ctx).Model(&models.Category{}).Where("id = ?", id).Update("active", active)
	if res.Error != nil {
		return nil, fmt.Errorf("set category %d active=%v: %w", id, active, res.Error)
	}
	return s.category(ctx, id)
}

func (s *Service) category(ctx context.Context, id uint) (*models.Category, error) {
	var c models.Category
	err := s.db.WithContext(ctx).Where("id = ?", id).Take(&c).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, FieldErrors{"name": "This category does not exist (any more)."}
	}
	if err != nil {
		return nil, fmt.Errorf("load category %d: %w", id, err)
	}
	return &c, nil
}

// checkCategoryName trims and checks a category name, and looks for another
// category (not id) with the same name in any case, to give a clear message
// before the unique index would refuse.
func (s *Service) checkCategoryName(ctx context.Context, name string, id uint) (string, error) {
	name = strings.Join(strings.Fields(name), " ")
	if name == "" {
		return "", FieldErrors{"name": "Enter a name for the category."}
	}
	if msg := checkText(name, "name", MaxCategoryNameLen, false); msg != "" {
		return "", FieldErrors{"name": msg}
	}
	var n int64
	err := s.db.WithContext(ctx).Model(&models.Category{}).
		Where("LOWER(name) = LOWER(?) AND id <> ?", name, id).Count(&n).Error
	if err != nil {
		return "", fmt.Errorf("look for category %q: %w", name, err)
	}
	if n > 0 {
		return "", duplicateCategory(name)
	}
	return name, nil
}

func duplicateCategory(name string) error {
	return FieldErrors{"name": fmt.Sprintf("A category called “%s” already exists.", name)}
}

package pages

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/company-expenses/company-expenses/app/expenses"
	"github.com/company-expenses/company-expenses/app/expenses/expensepaths"
	"github.com/company-expenses/company-expenses/app/textcheck"
	"github.com/company-expenses/company-expenses/layouts"
	"github.com/company-expenses/company-expenses/models"
	expenseviews "github.com/company-expenses/company-expenses/views/expenses"
)

func (a *Handlers) adminCategories(c echo.Context) error {
	return a.renderCategories(c, http.StatusOK, expenseviews.CategoriesPage{}, nil)
}

// renderCategories renders the categories page; patch, when given, changes
// a row before rendering (to show a failed rename in place). It answers 404
// when patch was meant for a category that does not exist.
func (a *Handlers) renderCategories(c echo.Context, status int, page expenseviews.CategoriesPage, patch func(*expenseviews.CategoryRow) bool) error {
	ctx := c.Request().Context()
	cats, err := a.expenses.ListCategories(ctx, false)
	if err != nil {
		return err
	}
	uses, err := a.expenses.CategoryUses(ctx, a.viewer(c))
	if err != nil {
		return a.domainError(c, err)
	}
	patched := false
	for _, cat := range cats {
		r := expenseviews.CategoryRow{ID: cat.ID, Name: cat.Name, Active: cat.Active, Uses: uses[cat.ID]}
		if patch != nil && patch(&r) {
			patched = true
		}
		page.Rows = append(page.Rows, r)
	}
	if patch != nil && !patched {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	return a.render(c, status, expenseviews.Categories(a.page(c, "Categories"), page))
}

func (a *Handlers) adminCategoryCreate(c echo.Context) error {
	name := c.FormValue("name")
	// The app's rule for free text (app/textcheck) first, then the
	// service's own checks.
	var cat *models.Category
	var err error
	if clean, problem := textcheck.Clean(name, false); problem != "" {
		err = expenses.FieldErrors{"name": problem}
	} else {
		cat, err = a.expenses.CreateCategory(c.Request().Context(), a.viewer(c), clean)
	}
	var fe expenses.FieldErrors
	if errors.As(err, &fe) {
		return a.renderCategories(c, http.StatusUnprocessableEntity,
			expenseviews.CategoriesPage{NewName: name, NewError: fe["name"]}, nil)
	}
	if err != nil {
		return a.domainError(c, err)
	}
	a.flash(c, layouts.FlashSuccess, fmt.Sprintf("Added the category “%s”.", cat.Name))
	return c.Redirect(http.StatusSeeOther, expensepaths.AdminCategories)
}

func (a *Handlers) adminCategoryRename(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	name := c.FormValue("name")
	var cat *models.Category
	if clean, problem := textcheck.Clean(name, false); problem != "" {
		err = expenses.FieldErrors{"name": problem}
	} else {
		cat, err = a.expenses.RenameCategory(c.Request().Context(), a.viewer(c), id, clean)
	}
	var fe expenses.FieldErrors
	if errors.As(err, &fe) {
		return a.renderCategories(c, http.StatusUnprocessableEntity, expenseviews.CategoriesPage{},
			func(r *expenseviews.CategoryRow) bool {
				if r.ID != id {
					return false
				}
				r.Typed, r.Error = name, fe["name"]
				return true
			})
	}
	if err != nil {
		return a.domainError(c, err)
	}
	a.flash(c, layouts.FlashSuccess, fmt.Sprintf("Renamed the category to “%s”. Its expenses keep it.", cat.Name))
	return c.Redirect(http.StatusSeeOther, expensepaths.AdminCategories)
}

func (a *Handlers) adminCategorySetActive(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	active := c.FormValue("active") == "true"
	cat, err := a.expenses.SetCategoryActive(c.Request().Context(), a.viewer(c), id, active)
	var fe expenses.FieldErrors
	if errors.As(err, &fe) {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	if err != nil {
		return a.domainError(c, err)
	}
	msg := fmt.Sprintf("Reactivated “%s”: it can be chosen for new expenses again.", cat.Name)
	if !active {
		msg = fmt.Sprintf("Deactivated “%s”: new expenses cannot choose it; existing ones keep it.", cat.Name)
	}
	a.flash(c, layouts.FlashSuccess, msg)
	return c.Redirect(http.StatusSeeOther, expensepaths.AdminCategories)
}

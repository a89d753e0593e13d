package expensepaths_test

import (
	"strings"
	"testing"

	"github.com/company-expenses/company-expenses/app/expenses/expensepaths"
)

func TestExpenseURLBuildersUseTheRoutePatterns(t *testing.T) {
	t.Parallel()
	tests := []struct{ got, want string }{
		{expensepaths.Expense(42), "/expenses/42"},
		{expensepaths.ExpenseAction(42, "submit"), "/expenses/42/submit"},
		{strings.Replace(expensepaths.ExpensePattern, ":id", "42", 1), expensepaths.Expense(42)},
		{strings.Replace(expensepaths.ExpenseSubmitPattern, ":id", "42", 1), expensepaths.ExpenseAction(42, expensepaths.ActionSubmit)},
		{strings.Replace(expensepaths.AdminCategoryActivePattern, ":id", "3", 1), expensepaths.AdminCategoryActive(3)},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

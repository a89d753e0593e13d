package policy_test

import (
	"fmt"

	"github.com/company-expenses/company-expenses/app/expenses/policy"
	"github.com/company-expenses/company-expenses/models"
)

// A template shows the Approve button exactly when the server would accept
// the click, by asking the same function the service asks. In templ:
//
//	if policy.Can(me, policy.ApproveExpense, &expense) {
//		<button name="action" value="approve">Approve</button>
//	}
func ExampleCan() {
	manager := person(2, nil, true, models.RoleEmployee, models.RoleManager)
	erin := person(1, ptr(2), true, models.RoleEmployee)
	expense := &models.Expense{ID: 7, EmployeeID: erin.UserID, Employee: *erin, Status: models.StatusSubmitted}

	fmt.Println(policy.Can(manager, policy.ApproveExpense, expense))
	fmt.Println(policy.Can(erin, policy.ApproveExpense, expense))
	fmt.Println(policy.Decide(erin, policy.ApproveExpense, expense).Reason)
	// Output:
	// true
	// false
	// You cannot approve or reject your own expense.
}

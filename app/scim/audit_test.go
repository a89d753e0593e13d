package scim_test

import (
	"net/http"
	"testing"

	"github.com/company-expenses/company-expenses/app/devidp"
)

// What a SCIM client changes is in the audit log, named by its token: the
// person provisioned, then deactivated.
func TestSCIMProvisioningAndDeactivationAreInTheAuditLogByTheToken(t *testing.T) {
	t.Parallel()
	srv := newServer(t, nil)
	c := scimClient(t, srv)
	email := "ria.roe@example.com"
	id, userID := provision(t, srv, c, "Ria Roe", email, devidp.SubjectForEmail(email))
	c.do(http.MethodPatch, "/Users/"+id, `{"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
		"Operations": [{"op": "Replace", "path": "active", "value": "False"}]}`).must(t, http.StatusOK)
	for _, kind := range []string{"scim.user_provisioned", "scim.user_deactivated"} {
		if n := count(t, srv, "SELECT COUNT(*) FROM audit_events WHERE kind = ? AND subject_id = ? AND actor LIKE 'scim:%'", kind, userID); n != 1 {
			t.Errorf("%d %s events about Ria by a SCIM token, want 1", n, kind)
		}
	}
}

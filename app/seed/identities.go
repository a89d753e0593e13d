package seed

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/devidp"
	"github.com/company-expenses/company-expenses/app/sso"
	"github.com/company-expenses/company-expenses/models"
)

// DevIdentity is a person the development identity provider offers on its
// picker. Linked people are seeded employees whose account is already
// connected to the development provider, as if they had connected it from
// their profile. Groups, Department, JobTitle and Manager (an e-mail) are
// what the provider's directory says of them (the claims groups,
// department, job_title and manager_email).
type DevIdentity struct {
	Name       string
	Email      string
	Linked     bool
	Groups     []string
	Department string
	JobTitle   string
	Manager    string
}

// DevIdentities are the development identity provider's demo people. Each
// shows one path through single sign-on:
//
//   - Liam and Priya are seeded employees with a connected identity: they
//     sign straight in as themselves. The directory agrees with the seed
//     (Engineering, naming no manager, so the one the app has stays; in no group that
//     README's SSO_ROLE_MAP names), so mapping roles changes nothing for them.
//   - Jordan Rivera is nobody here yet: signing in shows first-login
//     provisioning create an SSO account (IsLocalUser = false), with the
//     directory's department, job title and manager.
//   - Nora Finch is new and in Finance-Team: with
//     SSO_ROLE_MAP=finance=Finance-Team she lands with the finance menu.
//     Her manager, Ravi Shah, is unknown here until he signs in, so she
//     shows under "Needs a manager" until her next sign-in after his.
//   - Ravi Shah is new and in People-Leads (manager=People-Leads).
//   - Emily Carter has a local account with a password but no connected
//     identity: signing in shows that SSO never links an existing account
//     silently.
func DevIdentities() []DevIdentity {
	return []DevIdentity{
		{Name: "Liam Chen", Email: "liam.chen@example.com", Linked: true, Groups: []string{"Engineering"},
			Department: "Engineering", JobTitle: "Software engineer"},
		{Name: "Priya Patel", Email: "priya.patel@example.com", Linked: true, Groups: []string{"Engineering"},
			Department: "Engineering", JobTitle: "Site reliability engineer"},
		{Name: "Jordan Rivera", Email: "jordan.rivera@example.com", Groups: []string{"Sales"},
			Department: "Sales", JobTitle: "Account executive", Manager: "sofia.martinez@example.com"},
		{Name: "Nora Finch", Email: "nora.finch@example.com", Groups: []string{"Finance-Team"},
			Department: "Finance & Operations", JobTitle: "Accounts payable specialist", Manager: "ravi.shah@example.com"},
		{Name: "Ravi Shah", Email: "ravi.shah@example.com", Groups: []string{"People-Leads", "Finance-Team"},
			Department: "Finance & Operations", JobTitle: "Head of accounting"},
		{Name: "Emily Carter", Email: "employee@example.com", Groups: []string{"Engineering"},
			Department: "Engineering", JobTitle: "Software engineer"},
	}
}

// DevIdPIdentities returns DevIdentities as the development identity
// provider takes them. Their subjects are derived from the e-mail with
// devidp.SubjectForEmail, the same way the provider derives them.
func DevIdPIdentities() []devidp.Identity {
	out := make([]devidp.Identity, len(DevIdentities()))
	for i, d := range DevIdentities() {
		out[i] = devidp.Identity{Subject: devidp.SubjectForEmail(d.Email), Name: d.Name, Email: d.Email,
			Groups: d.Groups, Department: d.Department, JobTitle: d.JobTitle, ManagerEmail: d.Manager}
	}
	return out
}

// LinkDevIdentities connects the linked DevIdentities to the seeded
// employees with their e-mail, under the SSO provider name provider
// ("openid-connect") and the development identity provider's issuer
// (BASE_URL + "/dev-idp"). Run it right after Company seeded an empty
// database.
//
// The issuer is recorded because subjects are unique per issuer only: if
// SSO_OIDC_ISSUER later points the "openid-connect" provider at a real
// issuer, its people are not signed in as these demo accounts, even if it
// hands out the same "dev-…" subjects.
func LinkDevIdentities(ctx context.Context, db *gorm.DB, provider, issuer string) error {
	now := time.Now().UTC()
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for _, d := range DevIdentities() {
			if !d.Linked {
				continue
			}
			var u models.User
			if err := tx.Where("email = ?", models.NormalizeEmail(d.Email)).Take(&u).Error; err != nil {
				return fmt.Errorf("seed: identity of %s: %w", d.Email, err)
			}
			id := sso.Identity{
				Provider: provider, Subject: devidp.SubjectForEmail(d.Email), Issuer: issuer, UserID: u.ID,
				Email: u.Email, Name: d.Name, CreatedAt: now, LastLoginAt: now,
			}
			if err := tx.Create(&id).Error; err != nil {
				return fmt.Errorf("seed: identity of %s: %w", d.Email, err)
			}
		}
		return nil
	})
}

// FollowDevIssuer re-links identities of the development identity provider
// whose issuer is that provider at another address: after PORT or BASE_URL
// changed on an existing development database, the seeded linked people
// would otherwise be refused as "linked with another identity provider".
// The development provider derives subjects from e-mail addresses
// (devidp.SubjectForEmail), so an identity it issued at the old address is
// the same person at the new one. Identities of every other issuer are left
// alone. The app calls it at start only while it serves that provider,
// which production refuses.
func FollowDevIssuer(ctx context.Context, db *gorm.DB, provider, issuer string) (moved int64, err error) {
	res := db.WithContext(ctx).Model(&sso.Identity{}).
		Where("provider = ? AND issuer <> ? AND issuer LIKE ?", provider, issuer, "%"+devIssuerSuffix).
		Update("issuer", issuer)
	return res.RowsAffected, res.Error
}

// devIssuerSuffix ends every development identity provider's issuer
// (BASE_URL + "/dev-idp").
const devIssuerSuffix = "/dev-idp"

// IsDevIssuer reports whether issuer is a development identity provider's,
// at whatever address: the identities FollowDevIssuer moves.
func IsDevIssuer(issuer string) bool { return strings.HasSuffix(issuer, devIssuerSuffix) }

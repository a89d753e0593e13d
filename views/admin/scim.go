package admin

// SCIMSection is the settings page's section on SCIM provisioning: the base
// URL to register at the identity provider, and the bearer tokens.
type SCIMSection struct {
	// BaseURL is BASE_URL + /scim/v2.
	BaseURL string
	// StaticToken says that SCIM_TOKEN is set.
	StaticToken bool
	// HardDelete says that SCIM_HARD_DELETE is on.
	HardDelete bool
	// RoleMap is SSO_ROLE_MAP as set, "" when unset.
	RoleMap string
	Tokens  []SCIMTokenRow
	// NewToken is the token just created, shown once; NewTokenName its name.
	NewToken     string
	NewTokenName string
	// Name is the name field as typed, NameError the message beside it.
	Name      string
	NameError string
}

// SCIMTokenRow is one bearer token.
type SCIMTokenRow struct {
	ID        uint
	Name      string
	CreatedAt string
	CreatedBy string
	LastUsed  string
	Revoked   string
}

package config_test

import (
	"strings"
	"testing"

	"github.com/company-expenses/company-expenses/app/config"
)

func TestSingleSignOutIsOnForTheDevelopmentProviderOnlyUnlessSSOOIDCEndSessionSaysSo(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		value           string
		real, devIdPToo bool
	}{
		{"", false, true},
		{"on", true, true},
		{"off", false, false},
	} {
		cfg, err := config.Load(func(k string) string {
			if k == "SSO_OIDC_END_SESSION" {
				return tc.value
			}
			return ""
		})
		if err != nil {
			t.Fatalf("SSO_OIDC_END_SESSION=%q: %v", tc.value, err)
		}
		if cfg.SSO.OIDCEndSession != tc.real || cfg.SSO.DevIdPEndSession != tc.devIdPToo {
			t.Errorf("SSO_OIDC_END_SESSION=%q: real issuer %v, development provider %v; want %v, %v",
				tc.value, cfg.SSO.OIDCEndSession, cfg.SSO.DevIdPEndSession, tc.real, tc.devIdPToo)
		}
	}
	_, err := config.Load(func(k string) string {
		if k == "SSO_OIDC_END_SESSION" {
			return "sometimes"
		}
		return ""
	})
	if err == nil || !strings.Contains(err.Error(), "SSO_OIDC_END_SESSION") {
		t.Errorf("SSO_OIDC_END_SESSION=sometimes: %v, want an error naming the variable", err)
	}
}

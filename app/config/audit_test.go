package config_test

import (
	"strings"
	"testing"
	"time"
)

func TestAuditRetentionDefaultsToOneYearAcceptsZeroForeverAndRefusesNonsense(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]time.Duration{"": 8760 * time.Hour, "0": 0, "720h": 720 * time.Hour, "2h30m": 150 * time.Minute} {
		c, err := load(t, map[string]string{"AUDIT_RETENTION": in})
		if err != nil {
			t.Errorf("AUDIT_RETENTION=%q: %v", in, err)
			continue
		}
		if c.AuditRetention != want {
			t.Errorf("AUDIT_RETENTION=%q gives %v, want %v", in, c.AuditRetention, want)
		}
	}
	for _, in := range []string{"a year", "-1h", "30m", "365"} {
		_, err := load(t, map[string]string{"AUDIT_RETENTION": in})
		if err == nil || !strings.Contains(err.Error(), "AUDIT_RETENTION") {
			t.Errorf("AUDIT_RETENTION=%q: error %v, want one naming the variable", in, err)
		}
	}
}

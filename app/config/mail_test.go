package config_test

import (
	"strings"
	"testing"

	"github.com/company-expenses/company-expenses/app/config"
	"github.com/company-expenses/company-expenses/app/mail/smtpurl"
)

func TestSMTPURLFormsPickTLSAndRefuseCleartextPasswordsToRemoteHosts(t *testing.T) {
	t.Parallel()
	for raw, want := range map[string]smtpurl.Settings{
		"smtp://user:pa%40ss@mail.example.com:587": {Host: "mail.example.com", Port: 587, Username: "user", Password: "pa@ss"},
		"smtp://mail.example.com":                  {Host: "mail.example.com", Port: 587},
		"smtps://user:pw@mail.example.com":         {Host: "mail.example.com", Port: 465, Username: "user", Password: "pw", ImplicitTLS: true},
		"smtp://127.0.0.1:1025":                    {Host: "127.0.0.1", Port: 1025, NoTLS: true},
		"smtp://localhost:1025":                    {Host: "localhost", Port: 1025, NoTLS: true},
		"smtp://relay.internal:25?tls=off":         {Host: "relay.internal", Port: 25, NoTLS: true},
	} {
		got, err := smtpurl.Parse(raw)
		if err != nil || got != want {
			t.Errorf("Parse(%q) = %+v, %v; want %+v", raw, got, err, want)
		}
	}
	for _, raw := range []string{
		"mail.example.com:587", "http://mail.example.com", "smtp://", "smtp://host:99999",
		"smtp://user:pw@relay.internal:25?tls=off", "smtps://host?tls=off", "smtp://host?tls=maybe",
	} {
		if _, err := smtpurl.Parse(raw); err == nil || !strings.Contains(err.Error(), "SMTP_URL") {
			t.Errorf("Parse(%q) = %v, want an error naming SMTP_URL", raw, err)
		}
	}
}

func TestProductionRefusesSMTPURLWithoutMailFrom(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		"APP_ENV": "production", "BASE_URL": "https://expenses.example.com",
		"SESSION_SECRET": strings.Repeat("s", 40), "SMTP_URL": "smtps://u:p@mail.example.com",
	}
	_, err := config.Load(func(k string) string { return env[k] })
	if err == nil || !strings.Contains(err.Error(), "MAIL_FROM must be set in production") {
		t.Fatalf("Load = %v, want MAIL_FROM refused", err)
	}
	env["MAIL_FROM"] = "Expenses <expenses@example.com>"
	c, err := config.Load(func(k string) string { return env[k] })
	if err != nil || c.MailFrom != env["MAIL_FROM"] || c.SMTPURL != env["SMTP_URL"] {
		t.Fatalf("Load = %+v, %v", c, err)
	}
}

func TestBadSMTPURLAndMailFromAreReportedWithTheOtherProblems(t *testing.T) {
	t.Parallel()
	env := map[string]string{"SMTP_URL": "mail.example.com", "MAIL_FROM": "not an address", "LOGIN_MODE": "nope"}
	_, err := config.Load(func(k string) string { return env[k] })
	for _, want := range []string{"SMTP_URL must", "MAIL_FROM must", "LOGIN_MODE must"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Load = %v, want %q among the problems", err, want)
		}
	}
}

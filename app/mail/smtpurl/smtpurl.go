// Package smtpurl reads SMTP_URL. It is apart from package mail so that the
// configuration can check the setting at start-up without importing the
// outbox and its database.
package smtpurl

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
)

// Settings is an SMTP_URL taken apart.
type Settings struct {
	Host               string
	Port               int
	Username, Password string
	ImplicitTLS        bool // smtps://
	NoTLS              bool // a loopback host without TLS, or ?tls=off
}

// Parse checks and takes apart an SMTP_URL (see mail.NewSMTP). Its errors
// name the variable, for the configuration's list of problems.
func Parse(rawURL string) (Settings, error) {
	var s Settings
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" || u.Hostname() == "" {
		return s, errors.New("SMTP_URL must look like smtp://user:password@host:587 or smtps://user:password@host:465")
	}
	s.Host = u.Hostname()
	if u.User != nil {
		s.Username = u.User.Username()
		s.Password, _ = u.User.Password()
	}
	tlsOff := false
	switch v := u.Query().Get("tls"); v {
	case "", "on":
	case "off":
		tlsOff = true
	default:
		return s, fmt.Errorf("SMTP_URL: tls must be on or off, not %q", v)
	}
	defPort := 587
	switch u.Scheme {
	case "smtp":
		// A local mail catcher (Mailpit, MailHog) speaks plain SMTP; a real
		// server elsewhere must offer STARTTLS unless tls=off says otherwise.
		s.NoTLS = tlsOff || isLoopback(s.Host)
	case "smtps":
		if tlsOff {
			return s, errors.New("SMTP_URL: smtps:// always uses TLS; use smtp://…?tls=off for a server without TLS")
		}
		s.ImplicitTLS, defPort = true, 465
	default:
		return s, fmt.Errorf("SMTP_URL must start with smtp:// (STARTTLS) or smtps:// (TLS), not %q", u.Scheme+"://")
	}
	s.Port = defPort
	if p := u.Port(); p != "" {
		if s.Port, err = strconv.Atoi(p); err != nil || s.Port < 1 || s.Port > 65535 {
			return s, fmt.Errorf("SMTP_URL: %q is not a port", p)
		}
	}
	if s.NoTLS && s.Username != "" && !isLoopback(s.Host) {
		return s, errors.New("SMTP_URL: tls=off would send the password in clear text; use STARTTLS or smtps://")
	}
	return s, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

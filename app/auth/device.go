package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strings"
)

// DeviceCookies makes and checks device cookies: after a successful
// sign-in the browser gets a long-lived cookie naming a random device id,
// signed together with the account's e-mail. Attempts that carry a valid
// one for the account they try count against that device's own allowance
// (Limits.PerDevice), so that a guesser without one, however many
// addresses they use, never locks the owner's own browsers out.
type DeviceCookies struct{ key []byte }

// NewDeviceCookies returns device cookies signed with a key derived from
// secret (the session secret), so that the key used here signs nothing
// else.
func NewDeviceCookies(secret string) *DeviceCookies {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("company-expenses device cookie v1"))
	return &DeviceCookies{key: m.Sum(nil)}
}

var b64url = base64.RawURLEncoding

// New returns the value of a new device cookie for the account email
// (normalised, models.NormalizeEmail).
func (d *DeviceCookies) New(email string) string {
	id := rand.Text() // 128 random bits
	return id + "." + b64url.EncodeToString(d.sign(id, email))
}

// Device returns the device id of cookie value when it is a valid device
// cookie for email, or "" when it is not (absent, forged, or another
// account's).
func (d *DeviceCookies) Device(value, email string) string {
	id, sig, ok := strings.Cut(value, ".")
	if !ok || id == "" || len(id) > 32 {
		return ""
	}
	got, err := b64url.DecodeString(sig)
	if err != nil || !hmac.Equal(got, d.sign(id, email)) {
		return ""
	}
	return id
}

func (d *DeviceCookies) sign(id, email string) []byte {
	m := hmac.New(sha256.New, d.key)
	m.Write([]byte(id + "\n" + email))
	return m.Sum(nil)
}

package auth_test

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/company-expenses/company-expenses/app/auth"
)

func TestHashPasswordVerifiesOnlyTheSamePassword(t *testing.T) {
	t.Parallel()
	hash, err := auth.HashPassword("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if !auth.VerifyPassword(hash, "correct horse battery staple") {
		t.Error("the password does not verify against its own hash")
	}
	for _, wrong := range []string{"", "correct horse battery stapl", "Correct horse battery staple", "correct horse battery staple "} {
		if auth.VerifyPassword(hash, wrong) {
			t.Errorf("VerifyPassword accepts %q", wrong)
		}
	}
}

func TestHashPasswordSaltsEveryHash(t *testing.T) {
	t.Parallel()
	a, err := auth.HashPassword("same password")
	if err != nil {
		t.Fatal(err)
	}
	b, err := auth.HashPassword("same password")
	if err != nil {
		t.Fatal(err)
	}
	if a == b {
		t.Errorf("two hashes of the same password are equal: %s", a)
	}
	if !auth.VerifyPassword(a, "same password") || !auth.VerifyPassword(b, "same password") {
		t.Error("a salted hash no longer verifies")
	}
}

// The parameters are those of the OWASP Password Storage Cheat Sheet for
// Argon2id, and they travel with the hash.
func TestHashPasswordUsesOWASPArgon2idParameters(t *testing.T) {
	t.Parallel()
	hash, err := auth.HashPassword("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(hash, "$")
	if len(parts) != 6 {
		t.Fatalf("hash %q has %d $-separated parts, want 6", hash, len(parts))
	}
	if got := strings.Join(parts[1:4], "$"); got != "argon2id$v=19$m=19456,t=2,p=1" {
		t.Errorf("hash header = %q, want argon2id$v=19$m=19456,t=2,p=1", got)
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil || len(salt) != 16 {
		t.Errorf("salt %q: %d bytes, %v; want 16 bytes of unpadded base64", parts[4], len(salt), err)
	}
	key, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil || len(key) != 32 {
		t.Errorf("key %q: %d bytes, %v; want 32 bytes of unpadded base64", parts[5], len(key), err)
	}
}

// An SSO-only account has an empty hash, and no password may open it.
func TestVerifyPasswordRefusesEmptyHash(t *testing.T) {
	t.Parallel()
	for _, pw := range []string{"", "anything"} {
		if auth.VerifyPassword("", pw) {
			t.Errorf("VerifyPassword(\"\", %q) = true", pw)
		}
	}
}

func TestVerifyPasswordRefusesMalformedHashes(t *testing.T) {
	t.Parallel()
	const good = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$zpHNBQpNubjqhYMAsbOq3XaB61Ft0PLEfu69mHwh8No"
	tests := []struct{ name, hash string }{
		{"plain text", "correct horse battery staple"},
		{"bcrypt", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"},
		{"argon2i instead of argon2id", strings.Replace(good, "argon2id", "argon2i", 1)},
		{"other argon2 version", strings.Replace(good, "v=19", "v=16", 1)},
		{"garbled parameters", strings.Replace(good, "m=19456,t=2,p=1", "m=lots", 1)},
		{"salt that is not base64", strings.Replace(good, "c29tZXNhbHRzb21lc2FsdA", "!!!", 1)},
		{"key that is not base64", strings.Replace(good, "zpHNBQpNubjqhYMAsbOq3XaB61Ft0PLEfu69mHwh8No", "!!!", 1)},
		{"missing key", strings.TrimSuffix(good, "$zpHNBQpNubjqhYMAsbOq3XaB61Ft0PLEfu69mHwh8No")},
		{"extra part", good + "$extra"},
	}
	for _, tt := range tests {
		if auth.VerifyPassword(tt.hash, "correct horse battery staple") {
			t.Errorf("%s: VerifyPassword(%q) = true", tt.name, tt.hash)
		}
	}
}

// BUG: verify passes the parameters and key length read from the stored
// hash straight to argon2.IDKey, which panics for t=0 or p=0 and on an empty
// key. A malformed hash should make VerifyPassword return false.
func TestVerifyPasswordRefusesHashesWithImpossibleParameters(t *testing.T) {
	t.Parallel()
	for _, hash := range []string{
		"$argon2id$v=19$m=19456,t=0,p=1$c29tZXNhbHRzb21lc2FsdA$zpHNBQpNubjqhYMAsbOq3XaB61Ft0PLEfu69mHwh8No",
		"$argon2id$v=19$m=19456,t=2,p=0$c29tZXNhbHRzb21lc2FsdA$zpHNBQpNubjqhYMAsbOq3XaB61Ft0PLEfu69mHwh8No",
		"$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$",
	} {
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("VerifyPassword(%q) panics: %v", hash, r)
				}
			}()
			if auth.VerifyPassword(hash, "anything") {
				t.Errorf("VerifyPassword(%q) = true", hash)
			}
		}()
	}
}

func TestCheckNewPasswordEnforcesLengthBounds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		password string
		ok       bool
		mention  string
	}{
		{"empty", "", false, "Choose a password"},
		{"one short of the minimum", strings.Repeat("a", auth.MinPasswordLength-1), false, "at least 10"},
		{"exactly the minimum", "kq8vTz3mWx", true, ""},
		// Length is counted in characters, not bytes: ten é are 20 bytes.
		{"nine two-byte characters", strings.Repeat("é", auth.MinPasswordLength-1), false, "at least 10"},
		{"ten two-byte characters", strings.Repeat("é", auth.MinPasswordLength), true, ""},
		{"exactly the maximum", strings.Repeat("kq8vTz3mWx", 26)[:auth.MaxPasswordLength], true, ""},
		{"one over the maximum", strings.Repeat("a", auth.MaxPasswordLength+1), false, "at most 256"},
	}
	for _, tt := range tests {
		msg := auth.CheckNewPassword(tt.password)
		if tt.ok && msg != "" {
			t.Errorf("%s: refused with %q", tt.name, msg)
		}
		if !tt.ok && !strings.Contains(msg, tt.mention) {
			t.Errorf("%s: message %q, want one containing %q", tt.name, msg, tt.mention)
		}
	}
}

// NIST SP 800-63B: no composition rules, but a blocklist of passwords that
// are guessed first, and nothing that is only spaces.
func TestCheckNewPasswordRefusesCommonAndWhitespaceOnlyPasswords(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, password, mention string
	}{
		{"digits in a row", "1234567890", "too common"},
		{"common word and digits", "password123", "too common"},
		{"common password in capitals", "PASSWORD123", "too common"},
		{"keyboard row", "qwertyuiop", "too common"},
		{"ten spaces", strings.Repeat(" ", 10), "spaces"},
		{"tabs and spaces", " \t \t \t \t \t\n", "spaces"},
	} {
		if msg := auth.CheckNewPassword(tt.password); !strings.Contains(msg, tt.mention) {
			t.Errorf("%s: CheckNewPassword(%q) = %q, want a message containing %q", tt.name, tt.password, msg, tt.mention)
		}
	}
	// No composition rules: a long passphrase of lower-case words passes.
	if msg := auth.CheckNewPassword("correct horse battery staple"); msg != "" {
		t.Errorf("a passphrase is refused: %q", msg)
	}
}

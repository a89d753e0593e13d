// Package auth holds local authentication: password hashing, server-side
// sessions and login throttling. It knows users, not employees.
package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"

	"github.com/company-expenses/company-expenses/app/auth/commonpasswords"
)

// Argon2id parameters from the OWASP Password Storage Cheat Sheet
// (m=19 MiB, t=2, p=1). Raising them later is safe: the parameters are stored
// with every hash.
const (
	argonMemory  = 19 * 1024
	argonTime    = 2
	argonThreads = 1
	argonKeyLen  = 32
	argonSaltLen = 16
)

// MinPasswordLength and MaxPasswordLength bound new passwords. The upper bound
// stops a megabyte "password" from costing a megabyte of hashing.
const (
	MinPasswordLength = 10
	MaxPasswordLength = 256
)

// HashPassword returns an encoded Argon2id hash of password.
func HashPassword(password string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, argonMemory, argonTime, argonThreads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// dummyHash is verified against when the e-mail is unknown, so that a wrong
// e-mail takes as long as a wrong password and does not reveal which
// accounts exist.
const dummyHash = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$zpHNBQpNubjqhYMAsbOq3XaB61Ft0PLEfu69mHwh8No"

// VerifyPassword reports whether password matches the encoded hash. An empty
// hash (an SSO-only account) never matches, but still costs one hash so that
// timing does not tell such accounts apart.
func VerifyPassword(encoded, password string) bool {
	if encoded == "" {
		BurnPasswordCheck(password)
		return false
	}
	ok, err := verify(encoded, password)
	return err == nil && ok
}

// BurnPasswordCheck spends the time of one password check. Call it when the
// account is unknown.
func BurnPasswordCheck(password string) { _, _ = verify(dummyHash, password) }

func verify(encoded, password string) (bool, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errors.New("not an argon2id hash")
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, errors.New("unsupported argon2 version")
	}
	var m uint32
	var t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false, err
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false, err
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil {
		return false, err
	}
	// The parameters come from the database; refuse values that would make
	// argon2 panic or burn unbounded memory rather than trusting them.
	if t < 1 || t > 10 || p < 1 || m < 8*uint32(p) || m > 1<<20 || len(salt) < 8 || len(want) < 16 || len(want) > 64 {
		return false, errors.New("argon2id parameters out of range")
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// CheckNewPassword returns a message for the person when password is not
// acceptable as a new password, or "" when it is. It follows NIST SP
// 800-63B: a minimum length, no composition rules (they make passwords
// harder to remember, not to guess), and a refusal of the passwords that
// attackers try first.
func CheckNewPassword(password string) string {
	switch n := len([]rune(password)); {
	case n == 0:
		return "Choose a password."
	case strings.TrimSpace(password) == "":
		return "A password cannot be only spaces."
	case n < MinPasswordLength:
		return fmt.Sprintf("Use at least %d characters.", MinPasswordLength)
	case n > MaxPasswordLength:
		return fmt.Sprintf("Use at most %d characters.", MaxPasswordLength)
	case commonpasswords.Contains(password):
		return "This password is too common; choose another."
	}
	return ""
}

package twofactor

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"time"
)

// PendingFor is how long the code step waits after a right password.
const PendingFor = 5 * time.Minute

// Pending signs the cookie that carries a password sign-in from the right
// password to the code: the person's id and a deadline, signed with a key
// derived from the session secret. It proves only that the password was
// right a moment ago; no session exists until the code is right too.
type Pending struct{ key []byte }

// NewPending returns a signer keyed from secret (SESSION_SECRET), with a
// key that signs nothing else.
func NewPending(secret string) *Pending {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("company-expenses second factor pending v1"))
	return &Pending{key: m.Sum(nil)}
}

var b64 = base64.RawURLEncoding

// New returns the cookie value for userID, valid until until.
func (p *Pending) New(userID uint, until time.Time) string {
	body := strconv.FormatUint(uint64(userID), 10) + "." + strconv.FormatInt(until.Unix(), 10)
	return body + "." + b64.EncodeToString(p.sign(body))
}

// Check returns the user id of a valid, unexpired value.
func (p *Pending) Check(value string, now time.Time) (uint, bool) {
	i := strings.LastIndexByte(value, '.')
	if i < 0 {
		return 0, false
	}
	body, sig := value[:i], value[i+1:]
	got, err := b64.DecodeString(sig)
	if err != nil || !hmac.Equal(got, p.sign(body)) {
		return 0, false
	}
	idText, untilText, ok := strings.Cut(body, ".")
	if !ok {
		return 0, false
	}
	id, err1 := strconv.ParseUint(idText, 10, 32)
	until, err2 := strconv.ParseInt(untilText, 10, 64)
	if err1 != nil || err2 != nil || id == 0 || now.Unix() > until {
		return 0, false
	}
	return uint(id), true
}

func (p *Pending) sign(body string) []byte {
	m := hmac.New(sha256.New, p.key)
	m.Write([]byte(body))
	return m.Sum(nil)
}

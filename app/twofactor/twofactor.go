// Package twofactor is the second factor of local accounts: an
// authenticator app (TOTP, RFC 6238: six digits, 30-second steps, SHA-1, as
// every authenticator app reads them) and ten single-use recovery codes.
//
// Only password sign-ins ask for it. People who sign in through SSO are left
// to their identity provider, which has its own (and usually stronger)
// second factors.
//
// The flow: Begin stores a new secret as an enrolment in progress and
// returns what the setup page shows (QR code, key); Confirm turns it on once
// the person typed a code from the app, and returns the recovery codes,
// shown once; Verify checks a code at sign-in. A code is accepted once: the
// step it belongs to is remembered, so a code read over a shoulder or from
// a log is useless a second later.
package twofactor

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/boombuler/barcode/qr"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/audit"
	"github.com/company-expenses/company-expenses/models"
)

// RecoveryCodeCount is how many recovery codes a person gets at a time.
const RecoveryCodeCount = 10

const period = 30 // seconds per step, what authenticator apps assume

// ErrWrongCode is returned for a code that is not valid now, was used
// already, or is not one of the person's recovery codes.
var ErrWrongCode = errors.New("twofactor: wrong code")

// ErrNotEnrolling is returned by Confirm when no setup is in progress.
var ErrNotEnrolling = errors.New("twofactor: no setup in progress")

// Service keeps second factors in the database.
type Service struct {
	db *gorm.DB
	// issuer names the app in authenticator apps ("Company Expenses").
	issuer string
	now    func() time.Time
}

// NewService returns a service on db; issuer is the name authenticator
// apps show next to the code.
func NewService(db *gorm.DB, issuer string) *Service {
	return &Service{db: db, issuer: issuer, now: time.Now}
}

// WithClock returns a copy of s that reads the time from now (tests).
func (s *Service) WithClock(now func() time.Time) *Service {
	c := *s
	c.now = now
	return &c
}

// Status is what the profile shows of a person's second factor.
type Status struct {
	Enabled bool
	// RecoveryCodesLeft counts the unused recovery codes.
	RecoveryCodesLeft int
}

// Status reports whether userID has a confirmed authenticator app.
func (s *Service) Status(ctx context.Context, userID uint) (Status, error) {
	var st Status
	var n int64
	err := s.db.WithContext(ctx).Model(&models.TOTPCredential{}).
		Where("user_id = ? AND confirmed_at IS NOT NULL", userID).Count(&n).Error
	if err != nil || n == 0 {
		return st, err
	}
	st.Enabled = true
	err = s.db.WithContext(ctx).Model(&models.RecoveryCode{}).
		Where("user_id = ? AND used_at IS NULL", userID).Count(&n).Error
	st.RecoveryCodesLeft = int(n)
	return st, err
}

// Enabled reports whether a password sign-in of userID needs a code.
func (s *Service) Enabled(ctx context.Context, userID uint) (bool, error) {
	st, err := s.Status(ctx, userID)
	return st.Enabled, err
}

// Enrolment is what the setup page shows.
type Enrolment struct {
	// Key is the secret in the groups of four that people type by hand.
	Key string
	// URI is the otpauth:// URI the QR code holds.
	URI string
	// QR is the QR code's modules, row by row (true is dark).
	QR [][]bool
}

// Begin starts (or restarts) setting up an authenticator app for userID,
// named account (the e-mail address) in the app. It refuses while one is
// enabled: replacing it means turning it off first, which asks for the
// password, so a borrowed session cannot swap it quietly.
func (s *Service) Begin(ctx context.Context, userID uint, account string) (Enrolment, error) {
	if on, err := s.Enabled(ctx, userID); err != nil || on {
		if err == nil {
			err = errors.New("twofactor: already enabled; turn it off first")
		}
		return Enrolment{}, err
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: s.issuer, AccountName: account, Period: period, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return Enrolment{}, err
	}
	cred := models.TOTPCredential{UserID: userID, Secret: key.Secret(), CreatedAt: s.now().UTC()}
	if err := s.db.WithContext(ctx).Save(&cred).Error; err != nil {
		return Enrolment{}, err
	}
	return enrolment(key)
}

// Pending returns the setup in progress for userID again (the setup page
// after a wrong code), or ErrNotEnrolling.
func (s *Service) Pending(ctx context.Context, userID uint, account string) (Enrolment, error) {
	var cred models.TOTPCredential
	err := s.db.WithContext(ctx).Where("user_id = ? AND confirmed_at IS NULL", userID).Take(&cred).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Enrolment{}, ErrNotEnrolling
	}
	if err != nil {
		return Enrolment{}, err
	}
	key, err := otp.NewKeyFromURL(keyURI(s.issuer, account, cred.Secret))
	if err != nil {
		return Enrolment{}, err
	}
	return enrolment(key)
}

// keyURI is the otpauth:// URI of a stored secret, as totp.Generate wrote
// it at Begin (Google Authenticator's Key URI Format).
func keyURI(issuer, account, secret string) string {
	v := url.Values{}
	v.Set("secret", secret)
	v.Set("issuer", issuer)
	v.Set("period", "30")
	v.Set("digits", "6")
	v.Set("algorithm", "SHA1")
	u := url.URL{Scheme: "otpauth", Host: "totp", Path: "/" + issuer + ":" + account, RawQuery: v.Encode()}
	return u.String()
}

func enrolment(key *otp.Key) (Enrolment, error) {
	code, err := qr.Encode(key.URL(), qr.M, qr.Auto)
	if err != nil {
		return Enrolment{}, fmt.Errorf("twofactor: QR code: %w", err)
	}
	b := code.Bounds()
	rows := make([][]bool, b.Dy())
	for y := range rows {
		rows[y] = make([]bool, b.Dx())
		for x := range rows[y] {
			r, _, _, _ := code.At(b.Min.X+x, b.Min.Y+y).RGBA()
			rows[y][x] = r == 0
		}
	}
	return Enrolment{Key: groups(key.Secret()), URI: key.URL(), QR: rows}, nil
}

// groups writes a base32 secret in groups of four for typing.
func groups(secret string) string {
	var b strings.Builder
	for i, r := range secret {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Confirm turns the setup in progress on when code is valid for it, and
// returns the new recovery codes (shown once).
func (s *Service) Confirm(ctx context.Context, userID uint, code string) ([]string, error) {
	var codes []string
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var cred models.TOTPCredential
		err := tx.Where("user_id = ? AND confirmed_at IS NULL", userID).Take(&cred).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return ErrNotEnrolling
		}
		if err != nil {
			return err
		}
		step, ok := s.match(cred.Secret, code)
		if !ok {
			return ErrWrongCode
		}
		now := s.now().UTC()
		if err := tx.Model(&models.TOTPCredential{}).Where("user_id = ?", userID).
			Updates(map[string]any{"confirmed_at": now, "last_step": step}).Error; err != nil {
			return err
		}
		if codes, err = replaceRecoveryCodes(tx, userID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{Kind: audit.TwoFactorEnabled, Actor: audit.ByUser(userID), SubjectID: userID})
	})
	return codes, err
}

// Verify checks a sign-in's code: six digits from the authenticator app,
// or one of the recovery codes, which is then used up. Each app code is
// accepted once. It returns ErrWrongCode for anything else.
func (s *Service) Verify(ctx context.Context, userID uint, code string) error {
	code = strings.TrimSpace(code)
	if isRecoveryCode(code) {
		return s.useRecoveryCode(ctx, userID, code)
	}
	var cred models.TOTPCredential
	err := s.db.WithContext(ctx).Where("user_id = ? AND confirmed_at IS NOT NULL", userID).Take(&cred).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return ErrWrongCode
	}
	if err != nil {
		return err
	}
	step, ok := s.match(cred.Secret, code)
	if !ok {
		return ErrWrongCode
	}
	// Conditional on the last step, so that two sign-ins racing with one
	// code cannot both win.
	res := s.db.WithContext(ctx).Model(&models.TOTPCredential{}).
		Where("user_id = ? AND last_step < ?", userID, step).Update("last_step", step)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return ErrWrongCode // this code (or a later one) was used already
	}
	return nil
}

// match finds the step whose code is code, allowing one step either side
// for a slow typist and a clock a little off.
func (s *Service) match(secret, code string) (int64, bool) {
	code = strings.ReplaceAll(strings.TrimSpace(code), " ", "")
	if len(code) != 6 {
		return 0, false
	}
	now := s.now()
	for _, d := range []int64{0, -1, 1} {
		t := now.Add(time.Duration(d*period) * time.Second)
		want, err := totp.GenerateCodeCustom(secret, t, totp.ValidateOpts{Period: period, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		if err == nil && want == code {
			return t.Unix() / period, true
		}
	}
	return 0, false
}

// NewRecoveryCodes replaces userID's recovery codes with fresh ones.
func (s *Service) NewRecoveryCodes(ctx context.Context, userID uint) ([]string, error) {
	var codes []string
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		if codes, err = replaceRecoveryCodes(tx, userID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{Kind: audit.RecoveryCodesRenewed, Actor: audit.ByUser(userID), SubjectID: userID})
	})
	return codes, err
}

// Disable removes userID's authenticator app and recovery codes.
func (s *Service) Disable(ctx context.Context, userID uint) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("user_id = ?", userID).Delete(&models.RecoveryCode{}).Error; err != nil {
			return err
		}
		if err := tx.Where("user_id = ?", userID).Delete(&models.TOTPCredential{}).Error; err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{Kind: audit.TwoFactorDisabled, Actor: audit.ByUser(userID), SubjectID: userID})
	})
}

func replaceRecoveryCodes(tx *gorm.DB, userID uint) ([]string, error) {
	if err := tx.Where("user_id = ?", userID).Delete(&models.RecoveryCode{}).Error; err != nil {
		return nil, err
	}
	codes := make([]string, RecoveryCodeCount)
	rows := make([]models.RecoveryCode, RecoveryCodeCount)
	for i := range codes {
		codes[i] = newRecoveryCode()
		rows[i] = models.RecoveryCode{UserID: userID, Hash: hashCode(codes[i])}
	}
	return codes, tx.Create(&rows).Error
}

func (s *Service) useRecoveryCode(ctx context.Context, userID uint, code string) error {
	res := s.db.WithContext(ctx).Model(&models.RecoveryCode{}).
		Where("user_id = ? AND hash = ? AND used_at IS NULL", userID, hashCode(code)).
		Update("used_at", s.now().UTC())
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return ErrWrongCode
	}
	return nil
}

// Recovery codes are ten characters of an alphabet without look-alikes,
// written as two groups of five ("k7m2p-x9q4r"): 50 bits each.
const recoveryAlphabet = "23456789abcdefghjkmnpqrstuvwxyz"

func newRecoveryCode() string {
	b := make([]byte, 10)
	out := make([]byte, 0, 11)
	for i := range b {
		b[i] = recoveryAlphabet[randIndex(len(recoveryAlphabet))]
		if i == 5 {
			out = append(out, '-')
		}
		out = append(out, b[i])
	}
	return string(out)
}

func randIndex(n int) int {
	// Rejection sampling keeps every character equally likely.
	var buf [1]byte
	limit := 256 - 256%n
	for {
		if _, err := rand.Read(buf[:]); err != nil {
			panic(err) // crypto/rand does not fail on supported systems
		}
		if int(buf[0]) < limit {
			return int(buf[0]) % n
		}
	}
}

func isRecoveryCode(code string) bool {
	code = normalizeRecovery(code)
	return len(code) == 11 && code[5] == '-'
}

func normalizeRecovery(code string) string {
	code = strings.ToLower(strings.TrimSpace(code))
	if len(code) == 10 && !strings.Contains(code, "-") {
		code = code[:5] + "-" + code[5:]
	}
	return code
}

func hashCode(code string) string {
	sum := sha256.Sum256([]byte(normalizeRecovery(code)))
	return hex.EncodeToString(sum[:])
}

package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/company-expenses/company-expenses/layouts"
)

// Flash messages travel in a short-lived cookie from the request that sets
// them to the next page shown. They carry no secrets, and templ escapes them
// on output; the cookie is signed with SESSION_SECRET all the same, so that
// nobody who can set a cookie for our host (a sibling subdomain, say) can
// make the app show their text as its own.
const flashCookie = "flash"

// signFlash returns payload.signature, both base64url.
func (a *Application) signFlash(payload []byte) string {
	mac := hmac.New(sha256.New, []byte("flash:"+a.cfg.SessionSecret))
	mac.Write(payload)
	enc := base64.RawURLEncoding
	return enc.EncodeToString(payload) + "." + enc.EncodeToString(mac.Sum(nil))
}

// openFlash checks a signed value and returns its payload, or nil.
func (a *Application) openFlash(value string) []byte {
	p, sig, ok := strings.Cut(value, ".")
	enc := base64.RawURLEncoding
	payload, err1 := enc.DecodeString(p)
	got, err2 := enc.DecodeString(sig)
	if !ok || err1 != nil || err2 != nil || len(payload) > 3000 {
		return nil
	}
	mac := hmac.New(sha256.New, []byte("flash:"+a.cfg.SessionSecret))
	mac.Write(payload)
	if !hmac.Equal(got, mac.Sum(nil)) {
		return nil
	}
	return payload
}

func (a *Application) flash(c echo.Context, kind layouts.FlashKind, msg string) {
	fs := append(a.peekFlashes(c), layouts.Flash{Kind: kind, Message: msg})
	b, _ := json.Marshal(fs)
	c.SetCookie(a.flashCookie(a.signFlash(b), 60))
	c.Set(flashCookie, fs)
}

func (a *Application) peekFlashes(c echo.Context) []layouts.Flash {
	if fs, ok := c.Get(flashCookie).([]layouts.Flash); ok {
		return fs
	}
	ck, err := c.Cookie(flashCookie)
	if err != nil {
		return nil
	}
	b := a.openFlash(ck.Value)
	if b == nil {
		return nil
	}
	var fs []layouts.Flash
	if json.Unmarshal(b, &fs) != nil {
		return nil
	}
	return fs
}

func (a *Application) takeFlashes(c echo.Context) []layouts.Flash {
	fs := a.peekFlashes(c)
	if len(fs) > 0 {
		c.SetCookie(a.flashCookie("", -1))
		c.Set(flashCookie, []layouts.Flash(nil))
	}
	return fs
}

// flashCookie is the flash cookie with value, setting or (maxAge -1)
// clearing it. Both carry the same attributes: a browser may refuse to
// overwrite a Secure cookie with a non-Secure one, and every cookie of the
// app is Secure in production and SameSite=Lax.
func (a *Application) flashCookie(value string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name: flashCookie, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: a.cfg.IsProduction(),
	}
}

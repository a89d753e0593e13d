package web

import (
	"encoding/base64"
	"encoding/json"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/company-expenses/company-expenses/layouts"
)

// Flash messages travel in a short-lived cookie from the request that sets
// them to the next page shown. They carry no secrets, and templ escapes them
// on output.
const flashCookie = "flash"

func (a *Application) flash(c echo.Context, kind layouts.FlashKind, msg string) {
	fs := append(a.peekFlashes(c), layouts.Flash{Kind: kind, Message: msg})
	b, _ := json.Marshal(fs)
	c.SetCookie(&http.Cookie{
		Name: flashCookie, Value: base64.RawURLEncoding.EncodeToString(b), Path: "/",
		MaxAge: 60, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: a.cfg.IsProduction(),
	})
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
	b, err := base64.RawURLEncoding.DecodeString(ck.Value)
	if err != nil || len(b) > 3000 {
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
		c.SetCookie(&http.Cookie{Name: flashCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true})
		c.Set(flashCookie, []layouts.Flash(nil))
	}
	return fs
}

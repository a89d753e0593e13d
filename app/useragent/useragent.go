// Package useragent names the browser and system of a User-Agent header in
// plain words ("Chrome on macOS"), for the sessions a person sees on their
// profile. It knows the common browsers and systems only, on purpose: it is
// a label for people, never a basis for decisions, and anything it does not
// recognise is said to be unknown rather than guessed.
package useragent

import "strings"

// Describe returns "<browser> on <system>" for a User-Agent header, with
// "Unknown browser" or "an unknown system" for the parts it does not
// recognise, and "Unknown device" when it recognises neither.
func Describe(ua string) string {
	b, s := browser(ua), system(ua)
	switch {
	case b == "" && s == "":
		return "Unknown device"
	case b == "":
		return "Unknown browser on " + s
	case s == "":
		return b + " on an unknown system"
	}
	return b + " on " + s
}

// browser checks the tokens in an order that undoes the User-Agent
// history: Edge and Opera say "Chrome", Chrome says "Safari", and every
// browser on iOS is Safari's engine with its own token (CriOS, FxiOS, EdgiOS).
func browser(ua string) string {
	has := func(tok string) bool { return strings.Contains(ua, tok) }
	switch {
	case has("Edg/") || has("EdgA/") || has("EdgiOS/"):
		return "Edge"
	case has("OPR/") || has("OPiOS/"):
		return "Opera"
	case has("SamsungBrowser/"):
		return "Samsung Internet"
	case has("Firefox/") || has("FxiOS/"):
		return "Firefox"
	case has("CriOS/") || (has("Chrome/") && !has("Chromium/")):
		if has("HeadlessChrome/") {
			return "Headless Chrome"
		}
		return "Chrome"
	case has("Chromium/"):
		return "Chromium"
	case has("Safari/") && has("Version/"):
		return "Safari"
	case strings.HasPrefix(ua, "curl/"):
		return "curl"
	}
	return ""
}

func system(ua string) string {
	has := func(tok string) bool { return strings.Contains(ua, tok) }
	switch {
	case has("iPhone"):
		return "iPhone"
	case has("iPad"):
		return "iPad"
	case has("Android"):
		return "Android"
	case has("CrOS"):
		return "ChromeOS"
	case has("Windows"):
		return "Windows"
	case has("Macintosh") || has("Mac OS X"):
		return "macOS"
	case has("Linux"):
		return "Linux"
	}
	return ""
}

// Package commonpasswords knows the passwords people choose most often, so
// that new passwords can be checked against them as NIST SP 800-63B asks.
// The list and its licence are in this folder (see README.md).
package commonpasswords

import (
	_ "embed"
	"strings"
	"sync"
)

//go:embed passwords.txt
var list string

// set is built on first use, not at start-up: most requests never need it.
// It is never changed after it is built.
var set = sync.OnceValue(func() map[string]struct{} {
	m := make(map[string]struct{}, 50000)
	for _, line := range strings.Split(list, "\n") {
		if pw := strings.TrimRight(line, "\r"); pw != "" {
			m[strings.ToLower(pw)] = struct{}{}
		}
	}
	return m
})

// Contains reports whether password is on the list, ignoring case:
// "PASSWORD123" is as easy to guess as "password123".
func Contains(password string) bool {
	_, ok := set()[strings.ToLower(password)]
	return ok
}

// Len is the number of distinct passwords on the list (compared without
// case).
func Len() int { return len(set()) }

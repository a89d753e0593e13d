package config

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
)

// WithDotEnv returns a getenv that answers from the real environment first
// and then from the KEY=VALUE lines of the file at path (usually ".env"),
// so a developer keeps local settings in a git-ignored file instead of
// exporting them in every shell. The file is read only in development: when
// the real environment says APP_ENV=production it is ignored, because a
// stray .env on a server must never change production's settings. A missing
// file is not an error. loaded reports whether the file was used.
//
// The format is the common subset every .env tool reads: one KEY=VALUE per
// line, blank lines and lines starting with # ignored, an optional "export "
// prefix, and values optionally in single or double quotes (no escapes, no
// variable expansion).
func WithDotEnv(path string, getenv func(string) string) (_ func(string) string, loaded bool, err error) {
	if Environment(strings.ToLower(strings.TrimSpace(getenv("APP_ENV")))) == Production {
		return getenv, false, nil
	}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return getenv, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	values, err := parseDotEnv(path, f)
	if err != nil {
		return nil, false, err
	}
	if Environment(strings.ToLower(values["APP_ENV"])) == Production {
		return nil, false, fmt.Errorf("%s sets APP_ENV=production: set production settings in the real environment, not in a .env file", path)
	}
	return func(key string) string {
		if v := getenv(key); v != "" {
			return v
		}
		return values[key]
	}, true, nil
}

func parseDotEnv(path string, f *os.File) (map[string]string, error) {
	values := map[string]string{}
	s := bufio.NewScanner(f)
	for n := 1; s.Scan(); n++ {
		line := strings.TrimSpace(s.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.TrimPrefix(line, "export ")
		key, value, ok := strings.Cut(line, "=")
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		if !ok || key == "" || strings.ContainsAny(key, " \t\"'") {
			return nil, fmt.Errorf("%s line %d: want KEY=VALUE, got %q", path, n, line)
		}
		if len(value) >= 2 && (value[0] == '"' || value[0] == '\'') && value[len(value)-1] == value[0] {
			value = value[1 : len(value)-1]
		}
		values[key] = value
	}
	return values, s.Err()
}

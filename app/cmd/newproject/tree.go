package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// findTemplateRoot walks up from start to the go.mod of the template.
func findTemplateRoot(start string) (string, error) {
	dir, err := filepath.Abs(start)
	if err != nil {
		return "", err
	}
	for {
		data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil {
			if m := modulePath(data); m != oldModule {
				return "", fmt.Errorf("%s declares module %q, not the template's %s: run newproject from a clone of the template",
					filepath.Join(dir, "go.mod"), m, oldModule)
			}
			return dir, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above %s: run newproject from a clone of the template", start)
		}
		dir = parent
	}
}

// modulePath is the path on go.mod's module line.
func modulePath(gomod []byte) string {
	sc := bufio.NewScanner(bytes.NewReader(gomod))
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) >= 2 && f[0] == "module" {
			return strings.Trim(f[1], `"`)
		}
	}
	return ""
}

// checkDir refuses a DIR that is inside the source tree (the copy would
// copy itself, and the new module would nest in the template's) or that
// already holds something.
func checkDir(src, dir string) error {
	if dir == "" {
		return errors.New("DIR is required")
	}
	realSrc, err := realPath(src)
	if err != nil {
		return err
	}
	realDir, err := realPath(dir)
	if err != nil {
		return err
	}
	if rel, err := filepath.Rel(realSrc, realDir); err == nil && (rel == "." || rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))) {
		return fmt.Errorf("DIR %s is inside the template at %s: choose a folder outside it, e.g. ../%s", dir, realSrc, filepath.Base(dir))
	}
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return err
	case !fi.IsDir():
		return fmt.Errorf("DIR %s is a file, not a folder", dir)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	if len(entries) > 0 {
		return fmt.Errorf("DIR %s is not empty: choose a new or empty folder", dir)
	}
	return nil
}

// realPath is p made absolute with symbolic links resolved, for the part of
// it that exists, so that a DIR reached through a link is still seen inside
// the source.
func realPath(p string) (string, error) {
	p, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	rest := ""
	for {
		real, err := filepath.EvalSymlinks(p)
		if err == nil {
			return filepath.Join(real, rest), nil
		}
		parent := filepath.Dir(p)
		if parent == p {
			return filepath.Join(p, rest), nil
		}
		rest = filepath.Join(filepath.Base(p), rest)
		p = parent
	}
}

// readTree reads the files a new project starts from: those git tracks or
// would track (not ignored) when src is a git checkout, else a walk that
// honours .gitignore. Never .git or data/ (the development database).
func readTree(src string) ([]file, error) {
	paths, err := gitPaths(src)
	if err != nil {
		if paths, err = walkPaths(src); err != nil {
			return nil, err
		}
	}
	var files []file
	for _, p := range paths {
		if neverCopied(p) {
			continue
		}
		full := filepath.Join(src, filepath.FromSlash(p))
		fi, err := os.Lstat(full)
		if errors.Is(err, fs.ErrNotExist) {
			continue // tracked but deleted in the working tree
		}
		if err != nil {
			return nil, err
		}
		f := file{Path: p, Mode: fi.Mode()}
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			if f.Link, err = os.Readlink(full); err != nil {
				return nil, err
			}
		case fi.Mode().IsRegular():
			if f.Data, err = os.ReadFile(full); err != nil {
				return nil, err
			}
		default:
			continue // a submodule's folder, a socket: nothing to copy
		}
		files = append(files, f)
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	return files, nil
}

func neverCopied(p string) bool {
	for _, elem := range strings.Split(p, "/") {
		if elem == ".git" {
			return true
		}
	}
	return p == "data" || strings.HasPrefix(p, "data/")
}

// gitPaths lists the tracked and the untracked-but-not-ignored files when
// src is the top of a git working tree. Anything else (no git, a plain
// copy, a folder inside some other repository) is an error, and the caller
// walks instead.
func gitPaths(src string) ([]string, error) {
	top, err := exec.Command("git", "-C", src, "rev-parse", "--show-toplevel").Output()
	if err != nil {
		return nil, err
	}
	realTop, err1 := filepath.EvalSymlinks(strings.TrimSpace(string(top)))
	realSrc, err2 := filepath.EvalSymlinks(src)
	if err1 != nil || err2 != nil || realTop != realSrc {
		return nil, errors.New("not the top of a git working tree")
	}
	out, err := exec.Command("git", "-C", src, "ls-files", "-z", "--cached", "--others", "--exclude-standard").Output()
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var paths []string
	for _, p := range strings.Split(string(out), "\x00") {
		if p != "" && !seen[p] { // an unmerged file is listed once per stage
			seen[p] = true
			paths = append(paths, p)
		}
	}
	return paths, nil
}

// walkPaths lists src's files, leaving out .git, data/ and what the root
// .gitignore ignores.
func walkPaths(src string) ([]string, error) {
	var ignore []ignorePattern
	if data, err := os.ReadFile(filepath.Join(src, ".gitignore")); err == nil {
		ignore = parseIgnore(data)
	}
	var paths []string
	err := filepath.WalkDir(src, func(full string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if full == src {
			return nil
		}
		rel, err := filepath.Rel(src, full)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if neverCopied(rel) || ignored(ignore, rel, d.IsDir()) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.IsDir() {
			paths = append(paths, rel)
		}
		return nil
	})
	return paths, err
}

// An ignorePattern is one .gitignore line. Only the forms the template uses
// are understood: globs matched against the base name, or against the whole
// path when anchored ("/data/") or containing a '/', and a trailing '/' for
// folders only. Negations ("!") are skipped: ignoring less is the safe side,
// since the result is listed and can be checked.
type ignorePattern struct {
	glob              string
	anchored, dirOnly bool
}

func parseIgnore(data []byte) []ignorePattern {
	var ps []ignorePattern
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimRight(line, " \r")
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "!") {
			continue
		}
		p := ignorePattern{dirOnly: strings.HasSuffix(line, "/")}
		line = strings.TrimSuffix(line, "/")
		p.anchored = strings.Contains(line, "/")
		p.glob = strings.TrimPrefix(line, "/")
		ps = append(ps, p)
	}
	return ps
}

func ignored(ps []ignorePattern, rel string, isDir bool) bool {
	for _, p := range ps {
		if p.dirOnly && !isDir {
			continue
		}
		name := path.Base(rel)
		if p.anchored {
			name = rel
		}
		if ok, _ := path.Match(p.glob, name); ok {
			return true
		}
	}
	return false
}

// writeTree writes files under dir, which checkDir found missing or empty.
// If a write fails, what was written is removed again.
func writeTree(dir string, files []file) (err error) {
	_, statErr := os.Stat(dir)
	created := errors.Is(statErr, fs.ErrNotExist)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	defer func() {
		if err == nil {
			return
		}
		if created {
			_ = os.RemoveAll(dir)
			return
		}
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			_ = os.RemoveAll(filepath.Join(dir, e.Name()))
		}
	}()
	for _, f := range files {
		full := filepath.Join(dir, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return err
		}
		if f.Link != "" {
			if err := os.Symlink(f.Link, full); err != nil {
				return err
			}
			continue
		}
		if err := os.WriteFile(full, f.Data, f.Mode.Perm()); err != nil {
			return err
		}
	}
	return nil
}

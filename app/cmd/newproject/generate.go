package main

import (
	"bytes"
	"errors"
	"fmt"
	"go/format"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A rule is one rewrite: Old becomes New (after its placeholders are filled)
// in the files that Files names.
type rule struct {
	// Files is a space-separated list of "*" (every text file), exact
	// slash-separated paths, "dir/" prefixes, or base-name globs ("*.go").
	Files string
	Old   string
	New   string
	Match matchKind
	// Why is shown when the rule matches nothing, so a maintainer knows
	// what it was for.
	Why string
}

// matchKind says where an occurrence of Old counts.
type matchKind int

const (
	// textMatch: anywhere. It is the zero value, so a rule that sets no
	// Match gets it.
	textMatch matchKind = iota
	// pathMatch: not inside a longer path or name (no path character
	// directly before or after).
	pathMatch
	// lineMatch: only as a whole line.
	lineMatch
)

// manifest lists what -without-demo leaves out.
type manifest struct {
	Ready bool
	// Paths are slash-separated files, or folders ending in "/".
	Paths  []string
	Wiring wiring
}

// wiring names the lines that plug the demo in; each must occur exactly
// once (as a whole line, spaces around it ignored) in File.
type wiring struct {
	File  string
	Lines []string
}

type options struct {
	Src, Dir     string
	Module, Name string
	WithoutDemo  bool
	Rules        []rule
	Demo         manifest
	// Skip are files, or folders ending in "/", never copied.
	Skip []string
}

type result struct {
	Dir, Module, Name string
	Files             int
	// Unmatched are the rules that changed nothing.
	Unmatched []rule
}

// names are the values the rules' placeholders stand for.
type names struct {
	Module, Name, Slug, Binary string
}

func (n names) replacer() *strings.Replacer {
	possessive := n.Name + "'s"
	if strings.HasSuffix(n.Name, "s") {
		possessive = n.Name + "'"
	}
	return strings.NewReplacer(
		"{module}", n.Module, "{name}", n.Name, "{goName}", strconv.Quote(n.Name),
		"{possessive}", possessive, "{slug}", n.Slug, "{binary}", n.Binary,
	)
}

// file is one file of the tree, held in memory: the whole project is
// prepared before anything is written, so a refusal leaves no half project.
type file struct {
	Path string // slash-separated, relative to the tree's root
	Mode os.FileMode
	Data []byte
	Link string // the target, for a symbolic link
}

// generate copies opts.Src into opts.Dir with the rules applied.
func generate(opts options) (result, error) {
	n, err := checkNames(opts.Module, opts.Name)
	if err != nil {
		return result{}, err
	}
	if opts.WithoutDemo && !opts.Demo.Ready {
		return result{}, errors.New(errDemoNotSeparable)
	}
	src, err := filepath.Abs(opts.Src)
	if err != nil {
		return result{}, err
	}
	if err := checkDir(src, opts.Dir); err != nil {
		return result{}, err
	}
	files, err := readTree(src)
	if err != nil {
		return result{}, err
	}
	files = slices.DeleteFunc(files, func(f file) bool { return inPaths(f.Path, opts.Skip) })
	if opts.WithoutDemo {
		if files, err = dropDemo(files, opts.Demo); err != nil {
			return result{}, err
		}
	}
	used := make([]bool, len(opts.Rules))
	for i := range files {
		f := &files[i]
		if f.Link != "" || !isText(f.Data) {
			continue
		}
		kept, err := dropMarked(f.Data, tagTemplateOnly)
		if err != nil {
			return result{}, fmt.Errorf("%s: %w", f.Path, err)
		}
		out, changed := rewrite(f.Path, kept, opts.Rules, n, used)
		// gofmt what changed: the new path may sort differently among the
		// imports, and dropping the demo's wiring may leave a gap.
		dropped := opts.WithoutDemo && f.Path == opts.Demo.Wiring.File
		if (changed || dropped) && strings.HasSuffix(f.Path, ".go") {
			if out, err = format.Source(out); err != nil {
				return result{}, fmt.Errorf("%s does not parse after rewriting: %w", f.Path, err)
			}
		}
		f.Data = out
	}
	if err := writeTree(opts.Dir, files); err != nil {
		return result{}, err
	}
	res := result{Dir: opts.Dir, Module: n.Module, Name: n.Name, Files: len(files)}
	for i, u := range used {
		if !u {
			res.Unmatched = append(res.Unmatched, opts.Rules[i])
		}
	}
	return res, nil
}

// rewrite applies the rules that apply to path, and marks in used those
// that changed something.
func rewrite(path string, data []byte, rules []rule, n names, used []bool) ([]byte, bool) {
	r := n.replacer()
	changed := false
	for i, rl := range rules {
		if !appliesTo(rl.Files, path) {
			continue
		}
		out, k := replace(data, []byte(rl.Old), []byte(r.Replace(rl.New)), rl.Match)
		if k > 0 {
			data, used[i], changed = out, true, true
		}
	}
	return data, changed
}

// appliesTo reports whether the rule's Files list names p.
func appliesTo(list, p string) bool {
	for _, pat := range strings.Fields(list) {
		switch {
		case pat == "*" || pat == p:
			return true
		case strings.HasSuffix(pat, "/") && strings.HasPrefix(p, pat):
			return true
		case !strings.Contains(pat, "/"):
			if ok, _ := path.Match(pat, path.Base(p)); ok {
				return true
			}
		}
	}
	return false
}

// replace replaces the occurrences of old that count under kind, and says
// how many it replaced.
func replace(data, old, new []byte, kind matchKind) ([]byte, int) {
	var out bytes.Buffer
	count, rest := 0, data
	for {
		i := bytes.Index(rest, old)
		if i < 0 {
			break
		}
		end := i + len(old)
		// before and after look at the whole file, not just rest, so a match
		// at the start of rest still sees the byte in front of it.
		at := len(data) - len(rest) + i
		if counts(data, at, at+len(old), kind) {
			out.Write(rest[:i])
			out.Write(new)
			count++
		} else {
			out.Write(rest[:end])
		}
		rest = rest[end:]
	}
	if count == 0 {
		return data, 0
	}
	out.Write(rest)
	return out.Bytes(), count
}

func counts(data []byte, start, end int, kind matchKind) bool {
	switch kind {
	case textMatch:
		return true
	case pathMatch:
		return (start == 0 || !isPathByte(data[start-1])) && (end == len(data) || !isPathByte(data[end]))
	case lineMatch:
		before := start == 0 || data[start-1] == '\n'
		after := end == len(data) || data[end] == '\n' || (data[end] == '\r' && end+1 < len(data) && data[end+1] == '\n')
		return before && after
	}
	return true
}

// isPathByte reports whether b may continue a module path element, so that
// a match followed by it is part of a longer name. "/" is not one: the
// template's packages are the module path followed by "/…".
func isPathByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' ||
		b == '-' || b == '.' || b == '_' || b == '~'
}

// isText reports whether data looks like text: valid UTF-8 without NUL.
// Images and other binaries are copied untouched.
func isText(data []byte) bool {
	return utf8.Valid(data) && bytes.IndexByte(data, 0) < 0
}

// checkNames validates the new module path and name and derives the rest.
func checkNames(module, name string) (names, error) {
	module = strings.TrimSpace(module)
	name = strings.TrimSpace(name)
	if err := checkModulePath(module); err != nil {
		return names{}, err
	}
	if name == "" {
		return names{}, errors.New(`-name is required, e.g. -name "Acme Travel"`)
	}
	if utf8.RuneCountInString(name) > 100 {
		return names{}, errors.New("-name is longer than 100 characters")
	}
	for _, r := range name {
		if unicode.IsControl(r) {
			return names{}, errors.New("-name must not contain control characters (tabs, newlines)")
		}
	}
	n := names{Module: module, Name: name, Binary: binaryName(module)}
	n.Slug = slug(name)
	if n.Slug == "" {
		// A name in a non-Latin script: the binary name is still a fine label.
		n.Slug = slug(n.Binary)
	}
	return n, nil
}

// checkModulePath refuses what `go build` would refuse in go.mod, with a
// message saying why. It is a subset of golang.org/x/mod/module.CheckPath,
// kept here so the command adds no dependency to the template.
func checkModulePath(p string) error {
	if p == "" {
		return errors.New("-module is required, e.g. -module example.com/acme")
	}
	if p == oldModule {
		return fmt.Errorf("-module is the template's own module path %s; choose yours, e.g. example.com/acme", oldModule)
	}
	if strings.HasPrefix(p, "-") {
		return fmt.Errorf("-module %q must not start with '-'", p)
	}
	for _, elem := range strings.Split(p, "/") {
		if elem == "" {
			return fmt.Errorf("-module %q has an empty path element (a leading, trailing or double '/')", p)
		}
		if elem[0] == '.' || elem[len(elem)-1] == '.' {
			return fmt.Errorf("-module %q: element %q must not start or end with '.'", p, elem)
		}
		for i := 0; i < len(elem); i++ {
			if !isPathByte(elem[i]) {
				return fmt.Errorf("-module %q: %q is not allowed in a module path (letters, digits and - . _ ~ only)", p, elem[i])
			}
		}
	}
	return nil
}

// binaryName is the name `go build` gives the main package at the module
// root: the last path element, or the one before a major version suffix
// (v2 and up, as cmd/go's DefaultExecName has it).
func binaryName(module string) string {
	elems := strings.Split(module, "/")
	last := elems[len(elems)-1]
	major := len(last) >= 2 && last[0] == 'v' && last[1] != '0' && last != "v1" &&
		strings.Trim(last[1:], "0123456789") == ""
	if len(elems) > 1 && major {
		last = elems[len(elems)-2]
	}
	return last
}

// slug turns a name into lower-case ASCII words joined by '-'.
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
			continue
		}
		dash = true
	}
	return b.String()
}

// dropDemo removes the demo's files and its wiring lines.
func dropDemo(files []file, m manifest) ([]file, error) {
	if len(m.Wiring.Lines) == 0 || m.Wiring.File == "" {
		return nil, errors.New("the demo manifest names no wiring call to drop")
	}
	kept := files[:0:0]
	found := false
	for _, f := range files {
		if inPaths(f.Path, m.Paths) {
			continue
		}
		if f.Path == m.Wiring.File {
			data, err := dropLines(f.Data, m.Wiring.Lines)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", f.Path, err)
			}
			f.Data, found = data, true
		}
		if isText(f.Data) {
			data, err := dropMarked(f.Data, tagDemoOnly)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", f.Path, err)
			}
			f.Data = data
		}
		kept = append(kept, f)
	}
	if !found {
		return nil, fmt.Errorf("the demo's wiring file %s is not in the template", m.Wiring.File)
	}
	return kept, nil
}

// inPaths reports whether p is one of paths or inside one ending in "/".
func inPaths(p string, paths []string) bool {
	for _, d := range paths {
		if p == d || strings.HasSuffix(d, "/") && strings.HasPrefix(p, d) {
			return true
		}
	}
	return false
}

// dropLines removes each of lines from data; each must be there exactly
// once, or the manifest no longer describes the code.
func dropLines(data []byte, lines []string) ([]byte, error) {
	have := strings.SplitAfter(string(data), "\n")
	for _, want := range lines {
		at := -1
		for i, l := range have {
			if strings.TrimSpace(l) == strings.TrimSpace(want) {
				if at >= 0 {
					return nil, fmt.Errorf("the wiring line %q occurs more than once", want)
				}
				at = i
			}
		}
		if at < 0 {
			return nil, fmt.Errorf("the wiring line %q is not there", want)
		}
		have = append(have[:at], have[at+1:]...)
	}
	return []byte(strings.Join(have, "")), nil
}

// Text that holds only in this template (README's section on this
// command) or only with the demo (README's sections on it, .ci/run's steps
// for its browser tests) is marked in the file's own comment syntax, e.g.
// "<!-- demo-only:start -->" … "<!-- demo-only:end -->" in Markdown or
// "# demo-only:start" in a shell script, and a single line by
// "demo-only:line" anywhere on it. Every new project drops the
// template-only text; -without-demo also drops the demo-only text. Text
// that stays keeps its markers: they are comments.
const (
	tagTemplateOnly = "template-only"
	tagDemoOnly     = "demo-only"
)

// dropMarked removes the lines and blocks marked with tag from data. An
// unclosed block, or an end without a start, is an error: it would
// otherwise drop the rest of the file, or keep text meant to go.
func dropMarked(data []byte, tag string) ([]byte, error) {
	if !bytes.Contains(data, []byte(tag+":")) {
		return data, nil
	}
	start, end, line := tag+":start", tag+":end", tag+":line"
	var out []string
	in := 0 // the line number (1-based) of the open block's start, or 0
	for i, l := range strings.SplitAfter(string(data), "\n") {
		switch {
		case strings.Contains(l, start):
			if in != 0 {
				return nil, fmt.Errorf("line %d: %s inside the block opened at line %d", i+1, start, in)
			}
			in = i + 1
		case strings.Contains(l, end):
			if in == 0 {
				return nil, fmt.Errorf("line %d: %s without a %s", i+1, end, start)
			}
			in = 0
		case in != 0 || strings.Contains(l, line):
		default:
			out = append(out, l)
		}
	}
	if in != 0 {
		return nil, fmt.Errorf("line %d: %s is never closed by %s", in, start, end)
	}
	return []byte(strings.Join(out, "")), nil
}

// shellQuote quotes s for a POSIX shell when it needs it, so the printed
// next steps can be pasted.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=+:@,") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

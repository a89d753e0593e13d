package scim

import (
	"bytes"
	"encoding/json"
	"strings"
)

// doc is a SCIM resource as JSON, with every attribute name lower-cased at
// every level (attribute names are case-insensitive, RFC 7643 §2.1).
type doc = map[string]any

// enterpriseKey is the enterprise extension's key in a doc.
var enterpriseKey = strings.ToLower(SchemaEnterprise)

// maxOperations bounds the operations of one PATCH, and so (with the body
// limit) the writes one request can cause.
const maxOperations = 100

// decodeDoc reads a JSON object and lower-cases its attribute names.
func decodeDoc(body []byte) (doc, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, badRequest("invalidSyntax", "The request body is not valid JSON: %v.", err)
	}
	m, ok := lowerKeys(v).(doc)
	if !ok {
		return nil, badRequest("invalidSyntax", "The request body must be a JSON object.")
	}
	return m, nil
}

// lowerKeys lower-cases the keys of every object in v.
func lowerKeys(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(doc, len(v))
		for k, x := range v {
			out[strings.ToLower(k)] = lowerKeys(x)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = lowerKeys(x)
		}
		return out
	}
	return v
}

// str reads a string attribute; numbers are written out (some clients send
// ids as numbers).
func str(v any) string {
	switch v := v.(type) {
	case string:
		return strings.TrimSpace(v)
	case json.Number:
		return v.String()
	}
	return ""
}

// boolean reads a boolean attribute: JSON true and false, and the strings
// "True" and "False" in any case, which Entra ID sends in PATCH values.
func boolean(v any) (value, ok bool) {
	switch v := v.(type) {
	case bool:
		return v, true
	case string:
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "true":
			return true, true
		case "false":
			return false, true
		}
	}
	return false, false
}

// patchOp is one operation of a PatchOp request (RFC 7644 §3.5.2).
type patchOp struct {
	Op    string
	Path  string
	Value any
}

// readPatch reads a PatchOp body. Operation names are matched without
// regard to case: Entra ID sends "Add", "Replace" and "Remove".
func readPatch(body []byte) ([]patchOp, error) {
	d, err := decodeDoc(body)
	if err != nil {
		return nil, err
	}
	raw, ok := d["operations"].([]any)
	if !ok || len(raw) == 0 {
		return nil, badRequest("invalidSyntax", "A PATCH needs an Operations list (schema %s).", SchemaPatchOp)
	}
	if len(raw) > maxOperations {
		return nil, badRequest("tooMany", "A PATCH may carry at most %d operations.", maxOperations)
	}
	ops := make([]patchOp, 0, len(raw))
	for i, r := range raw {
		m, ok := r.(doc)
		if !ok {
			return nil, badRequest("invalidSyntax", "Operation %d is not an object.", i+1)
		}
		op := patchOp{Op: strings.ToLower(str(m["op"])), Path: str(m["path"]), Value: m["value"]}
		switch op.Op {
		case "add", "replace", "remove":
		default:
			return nil, badRequest("invalidSyntax", "Operation %d: op must be add, replace or remove, not %q.", i+1, str(m["op"]))
		}
		if op.Op != "remove" && op.Value == nil {
			return nil, badRequest("invalidValue", "Operation %d (%s) needs a value.", i+1, op.Op)
		}
		if op.Op == "remove" && op.Path == "" {
			return nil, badRequest("noTarget", "Operation %d: remove needs a path.", i+1)
		}
		ops = append(ops, op)
	}
	return ops, nil
}

// path is a parsed PATCH path: attr[filterAttr eq "filterValue"].sub, inside
// the enterprise extension when ext is set.
type path struct {
	ext         bool
	attr        string
	filterAttr  string
	filterValue string
	sub         string
}

// parsePath reads a PATCH path (RFC 7644 §3.5.2) of the forms this app's
// clients send: "active", "name.familyName", `emails[type eq "work"].value`,
// `members[value eq "id"]`, and those prefixed with a schema URN
// ("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager").
func parsePath(p string) (path, error) {
	var out path
	rest := strings.TrimSpace(p)
	lower := strings.ToLower(rest)
	switch {
	case strings.HasPrefix(lower, enterpriseKey+":"):
		out.ext = true
		rest = rest[len(enterpriseKey)+1:]
	case strings.HasPrefix(lower, strings.ToLower(SchemaUser)+":"):
		rest = rest[len(SchemaUser)+1:]
	case strings.HasPrefix(lower, strings.ToLower(SchemaGroup)+":"):
		rest = rest[len(SchemaGroup)+1:]
	case strings.HasPrefix(lower, "urn:"):
		return out, badRequest("invalidPath", "The path %q names a schema this service does not know.", p)
	}
	if open := strings.IndexByte(rest, '['); open >= 0 {
		end := strings.LastIndexByte(rest, ']')
		if end < open {
			return out, badRequest("invalidPath", "The path %q has an unclosed filter.", p)
		}
		f, err := parseEq(rest[open+1 : end])
		if err != nil {
			return out, badRequest("invalidPath", "The path %q: %s", p, err.(*Error).Detail)
		}
		out.filterAttr, out.filterValue = f.attr, f.value
		after := rest[end+1:]
		rest = rest[:open]
		if after != "" {
			if after[0] != '.' || len(after) == 1 {
				return out, badRequest("invalidPath", "The path %q: expected .subAttribute after the filter.", p)
			}
			out.sub = strings.ToLower(after[1:])
		}
	} else if attr, sub, ok := strings.Cut(rest, "."); ok {
		rest, out.sub = attr, strings.ToLower(sub)
	}
	out.attr = strings.ToLower(strings.TrimSpace(rest))
	if out.attr == "" {
		return out, badRequest("invalidPath", "The path %q names no attribute.", p)
	}
	return out, nil
}

// apply applies op to d.
func apply(d doc, op patchOp) error {
	if op.Path == "" {
		// No path: the value is an object whose keys are attributes, or
		// paths ("name.givenName", an extension URN with its attribute),
		// as Entra ID and Okta send them.
		m, ok := lowerKeys(op.Value).(doc)
		if !ok {
			return badRequest("invalidValue", "An %s without a path needs an object as its value.", op.Op)
		}
		for k, v := range m {
			if k == enterpriseKey {
				ext, _ := v.(doc)
				for ek, ev := range ext {
					if err := apply(d, patchOp{Op: op.Op, Path: SchemaEnterprise + ":" + ek, Value: ev}); err != nil {
						return err
					}
				}
				continue
			}
			if err := apply(d, patchOp{Op: op.Op, Path: k, Value: v}); err != nil {
				return err
			}
		}
		return nil
	}
	p, err := parsePath(op.Path)
	if err != nil {
		return err
	}
	target := d
	if p.ext {
		ext, _ := d[enterpriseKey].(doc)
		if ext == nil {
			ext = doc{}
			d[enterpriseKey] = ext
		}
		target = ext
	}
	value := lowerKeys(op.Value)
	switch {
	case p.filterAttr != "":
		return applyFiltered(target, p, op.Op, value)
	case p.sub != "":
		parent, _ := target[p.attr].(doc)
		if parent == nil {
			if op.Op == "remove" {
				return nil
			}
			parent = doc{}
			target[p.attr] = parent
		}
		if op.Op == "remove" {
			delete(parent, p.sub)
		} else {
			parent[p.sub] = value
		}
	case op.Op == "remove":
		delete(target, p.attr)
	case op.Op == "add":
		// Adding to a multi-valued attribute appends (RFC 7644 §3.5.2.1).
		if have, ok := target[p.attr].([]any); ok {
			if more, ok := value.([]any); ok {
				target[p.attr] = append(have, more...)
				return nil
			}
		}
		if m, ok := value.(doc); ok {
			if have, ok := target[p.attr].(doc); ok {
				for k, v := range m {
					have[k] = v
				}
				return nil
			}
		}
		target[p.attr] = value
	default:
		target[p.attr] = value
	}
	return nil
}

// applyFiltered applies an operation whose path selects values of a
// multi-valued attribute: `emails[type eq "work"].value`.
func applyFiltered(target doc, p path, op string, value any) error {
	list, _ := target[p.attr].([]any)
	matches := func(v any) bool {
		m, ok := v.(doc)
		return ok && strings.EqualFold(str(m[p.filterAttr]), p.filterValue)
	}
	if op == "remove" {
		var kept []any
		for _, v := range list {
			switch {
			case !matches(v):
				kept = append(kept, v)
			case p.sub != "":
				delete(v.(doc), p.sub)
				kept = append(kept, v)
			}
		}
		target[p.attr] = kept
		return nil
	}
	found := false
	for i, v := range list {
		if !matches(v) {
			continue
		}
		found = true
		if p.sub != "" {
			v.(doc)[p.sub] = value
		} else if m, ok := value.(doc); ok {
			list[i] = m
		} else {
			return badRequest("invalidValue", "The value for %s[%s eq %q] must be an object.", p.attr, p.filterAttr, p.filterValue)
		}
	}
	if !found {
		// Nothing matched: a new value with the filter's attribute set,
		// which is what Entra ID expects when a person had no work
		// address yet.
		elem := doc{p.filterAttr: p.filterValue}
		if p.sub != "" {
			elem[p.sub] = value
		} else if m, ok := value.(doc); ok {
			for k, v := range m {
				elem[k] = v
			}
		}
		list = append(list, elem)
	}
	target[p.attr] = list
	return nil
}

// eqFilter is `attr eq "value"`, the only filter this service evaluates.
type eqFilter struct {
	attr  string
	value string
}

// parseEq reads `attr eq "value"` (the operator in any case; the value a
// JSON string, or a bare word for booleans and numbers). Entra ID and Okta
// send exactly this for users (userName, externalId) and groups
// (displayName, externalId, id).
func parseEq(s string) (eqFilter, error) {
	s = strings.TrimSpace(s)
	attr, rest, ok := strings.Cut(s, " ")
	rest = strings.TrimSpace(rest)
	if !ok || len(rest) < 3 || !strings.EqualFold(rest[:2], "eq") || rest[2] != ' ' {
		return eqFilter{}, badRequest("invalidFilter", "Only filters of the form attribute eq \"value\" are supported, not %q.", s)
	}
	raw := strings.TrimSpace(rest[3:])
	value := raw
	if strings.HasPrefix(raw, `"`) {
		if err := json.Unmarshal([]byte(raw), &value); err != nil {
			return eqFilter{}, badRequest("invalidFilter", "The value in %q is not a quoted string.", s)
		}
	} else if strings.ContainsAny(raw, " ()") {
		return eqFilter{}, badRequest("invalidFilter", "Only one comparison is supported, not %q.", s)
	}
	return eqFilter{attr: strings.ToLower(attr), value: value}, nil
}

// filterError names the attributes a resource type filters on.
func filterError(attr string, allowed ...string) error {
	return badRequest("invalidFilter", "Filtering on %q is not supported; use %s.", attr, strings.Join(allowed, " or "))
}

package scim

import (
	"fmt"
	"net/http"
	"strconv"
)

// The schema URNs of RFC 7643 and RFC 7644.
const (
	SchemaUser       = "urn:ietf:params:scim:schemas:core:2.0:User"
	SchemaEnterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	SchemaGroup      = "urn:ietf:params:scim:schemas:core:2.0:Group"
	SchemaList       = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	SchemaPatchOp    = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
	SchemaError      = "urn:ietf:params:scim:api:messages:2.0:Error"
	SchemaSPConfig   = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
	SchemaResType    = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
	SchemaSchema     = "urn:ietf:params:scim:schemas:core:2.0:Schema"
)

// ContentType is the media type of every SCIM answer (RFC 7644 §3.1).
const ContentType = "application/scim+json"

// Error is a SCIM error answer (RFC 7644 §3.12): an HTTP status, an optional
// scimType for 400 and 409, and a detail for people.
type Error struct {
	Status   int
	ScimType string
	Detail   string
}

func (e *Error) Error() string {
	return fmt.Sprintf("scim %d %s: %s", e.Status, e.ScimType, e.Detail)
}

// body is the JSON form: status is a string, as the RFC says.
func (e *Error) body() map[string]any {
	b := map[string]any{"schemas": []string{SchemaError}, "status": strconv.Itoa(e.Status), "detail": e.Detail}
	if e.ScimType != "" {
		b["scimType"] = e.ScimType
	}
	return b
}

func badRequest(scimType, format string, args ...any) *Error {
	return &Error{Status: http.StatusBadRequest, ScimType: scimType, Detail: fmt.Sprintf(format, args...)}
}

func notFound(format string, args ...any) *Error {
	return &Error{Status: http.StatusNotFound, Detail: fmt.Sprintf(format, args...)}
}

func conflict(scimType, format string, args ...any) *Error {
	return &Error{Status: http.StatusConflict, ScimType: scimType, Detail: fmt.Sprintf(format, args...)}
}

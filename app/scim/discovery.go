package scim

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// The discovery endpoints (RFC 7644 §4) describe what this service really
// does: PATCH yes; bulk, sorting, ETags and password changes no; filters of
// the form attribute eq "value", at most MaxResults a page.

func (s *Service) serviceProviderConfig(c echo.Context) error {
	return respond(c, http.StatusOK, map[string]any{
		"schemas":        []string{SchemaSPConfig},
		"patch":          map[string]any{"supported": true},
		"bulk":           map[string]any{"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
		"filter":         map[string]any{"supported": true, "maxResults": MaxResults},
		"changePassword": map[string]any{"supported": false},
		"sort":           map[string]any{"supported": false},
		"etag":           map[string]any{"supported": false},
		"authenticationSchemes": []any{map[string]any{
			"type": "oauthbearertoken", "name": "Bearer token", "primary": true,
			"description": "A bearer token an administrator creates on the app's sign-in settings page, or SCIM_TOKEN.",
		}},
		"meta": map[string]any{"resourceType": "ServiceProviderConfig", "location": s.BaseURL() + "/ServiceProviderConfig"},
	})
}

func (s *Service) resourceTypeList() []any {
	return []any{
		map[string]any{
			"schemas": []string{SchemaResType}, "id": "User", "name": "User", "endpoint": "/Users",
			"description": "A person of the company", "schema": SchemaUser,
			"schemaExtensions": []any{map[string]any{"schema": SchemaEnterprise, "required": false}},
			"meta":             map[string]any{"resourceType": "ResourceType", "location": s.BaseURL() + "/ResourceTypes/User"},
		},
		map[string]any{
			"schemas": []string{SchemaResType}, "id": "Group", "name": "Group", "endpoint": "/Groups",
			"description": "A group; SSO_ROLE_MAP turns groups into roles", "schema": SchemaGroup,
			"meta": map[string]any{"resourceType": "ResourceType", "location": s.BaseURL() + "/ResourceTypes/Group"},
		},
	}
}

func (s *Service) resourceTypes(c echo.Context) error {
	list := s.resourceTypeList()
	return respond(c, http.StatusOK, listJSON(int64(len(list)), Page{StartIndex: 1}, list))
}

func (s *Service) resourceType(c echo.Context) error {
	for _, r := range s.resourceTypeList() {
		if strings.EqualFold(r.(map[string]any)["id"].(string), c.Param("id")) {
			return respond(c, http.StatusOK, r)
		}
	}
	return notFound("No resource type %q.", c.Param("id"))
}

// attr describes one attribute for /Schemas (RFC 7643 §7).
func attr(name, typ string, opts ...func(map[string]any)) map[string]any {
	a := map[string]any{
		"name": name, "type": typ, "multiValued": false, "required": false, "caseExact": false,
		"mutability": "readWrite", "returned": "default", "uniqueness": "none",
	}
	for _, o := range opts {
		o(a)
	}
	return a
}

func required(a map[string]any)  { a["required"] = true }
func multi(a map[string]any)     { a["multiValued"] = true }
func readOnly(a map[string]any)  { a["mutability"] = "readOnly" }
func uniqueSrv(a map[string]any) { a["uniqueness"] = "server" }
func caseExact(a map[string]any) { a["caseExact"] = true }
func sub(attrs ...map[string]any) func(map[string]any) {
	return func(a map[string]any) { a["subAttributes"] = attrs }
}

func (s *Service) schemaList() []any {
	schema := func(id, name, desc string, attrs ...map[string]any) map[string]any {
		return map[string]any{
			"schemas": []string{SchemaSchema}, "id": id, "name": name, "description": desc, "attributes": attrs,
			"meta": map[string]any{"resourceType": "Schema", "location": s.BaseURL() + "/Schemas/" + id},
		}
	}
	return []any{
		schema(SchemaUser, "User", "A person of the company",
			attr("userName", "string", required, uniqueSrv),
			attr("externalId", "string", caseExact),
			attr("displayName", "string"),
			attr("name", "complex", sub(attr("givenName", "string"), attr("familyName", "string"), attr("formatted", "string"))),
			attr("emails", "complex", multi, sub(attr("value", "string"), attr("type", "string"), attr("primary", "boolean"))),
			attr("active", "boolean"),
			attr("groups", "complex", multi, readOnly, sub(attr("value", "string", readOnly), attr("display", "string", readOnly))),
		),
		schema(SchemaEnterprise, "EnterpriseUser", "The person's department and manager",
			attr("department", "string"),
			attr("manager", "complex", sub(attr("value", "string"))),
		),
		schema(SchemaGroup, "Group", "A group; SSO_ROLE_MAP grants roles to its members",
			attr("displayName", "string", required),
			attr("externalId", "string", caseExact),
			attr("members", "complex", multi, sub(attr("value", "string", func(a map[string]any) { a["mutability"] = "immutable" }), attr("display", "string", readOnly))),
		),
	}
}

func (s *Service) schemas(c echo.Context) error {
	list := s.schemaList()
	return respond(c, http.StatusOK, listJSON(int64(len(list)), Page{StartIndex: 1}, list))
}

func (s *Service) schema(c echo.Context) error {
	for _, sc := range s.schemaList() {
		if strings.EqualFold(sc.(map[string]any)["id"].(string), c.Param("id")) {
			return respond(c, http.StatusOK, sc)
		}
	}
	return notFound("No schema %q.", c.Param("id"))
}

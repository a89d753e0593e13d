package scim

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
)

// Prefix is where the SCIM service is mounted, under BASE_URL.
const Prefix = "/scim/v2"

// MaxBody is the largest request body a SCIM request may carry. With the
// caps on PATCH operations and members per request it bounds the writes a
// single request causes; Entra ID and Okta send a few kilobytes.
const MaxBody = 256 << 10

// ctxToken is the echo context key of the authenticated token's name.
const ctxToken = "scim.token"

// Routes registers the SCIM endpoints on g, the group at Prefix. It sits
// outside the app's page group: no session, no CSRF token (the bearer token
// is the credential, and browsers never send it by themselves).
func (s *Service) Routes(g *echo.Group) {
	g.Use(s.requireToken)
	g.GET("/ServiceProviderConfig", s.serviceProviderConfig)
	g.GET("/ResourceTypes", s.resourceTypes)
	g.GET("/ResourceTypes/:id", s.resourceType)
	g.GET("/Schemas", s.schemas)
	g.GET("/Schemas/:id", s.schema)

	g.GET("/Users", s.listUsers)
	g.POST("/Users", s.createUser)
	g.GET("/Users/:id", s.getUser)
	g.PUT("/Users/:id", s.replaceUser)
	g.PATCH("/Users/:id", s.patchUser)
	g.DELETE("/Users/:id", s.deleteUser)

	g.GET("/Groups", s.listGroups)
	g.POST("/Groups", s.createGroup)
	g.GET("/Groups/:id", s.getGroup)
	g.PUT("/Groups/:id", s.replaceGroup)
	g.PATCH("/Groups/:id", s.patchGroup)
	g.DELETE("/Groups/:id", s.deleteGroup)

	// Anything else under the prefix is a SCIM 404, not the app's HTML page.
	g.RouteNotFound("/*", func(echo.Context) error { return notFound("No such SCIM endpoint.") })
}

// requireToken answers 401 with WWW-Authenticate: Bearer to a request
// without a valid, unrevoked token, and turns every error of the handlers
// into a SCIM error answer.
func (s *Service) requireToken(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		name, ok, err := s.authenticate(c.Request().Context(), c.Request().Header.Get(echo.HeaderAuthorization))
		if err == nil && !ok {
			c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="scim"`)
			err = &Error{Status: http.StatusUnauthorized, Detail: "A valid bearer token is required: create one on the app's sign-in settings page."}
		}
		if err == nil {
			c.Set(ctxToken, name)
			err = next(c)
		}
		if err == nil {
			return nil
		}
		var se *Error
		var he *echo.HTTPError
		switch {
		case errors.As(err, &se):
		case errors.As(err, &he) && he.Code == http.StatusMethodNotAllowed:
			se = &Error{Status: he.Code, Detail: "This endpoint does not take " + c.Request().Method + "."}
		case errors.As(err, &he) && he.Code < http.StatusInternalServerError:
			se = &Error{Status: he.Code, Detail: http.StatusText(he.Code) + "."}
		default:
			s.log.ErrorContext(c.Request().Context(), "scim request failed", "method", c.Request().Method, "path", c.Request().URL.Path, "err", err)
			se = &Error{Status: http.StatusInternalServerError, Detail: "The request failed on the server; try again later."}
		}
		return respond(c, se.Status, se.body())
	}
}

func respond(c echo.Context, status int, v any) error {
	if v == nil {
		return c.NoContent(status)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return c.Blob(status, ContentType, b)
}

func token(c echo.Context) string {
	name, _ := c.Get(ctxToken).(string)
	return name
}

// body reads the request body, at most MaxBody bytes.
func body(c echo.Context) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(c.Request().Body, MaxBody+1))
	if err != nil {
		return nil, badRequest("invalidSyntax", "The request body could not be read.")
	}
	if len(b) > MaxBody {
		return nil, &Error{Status: http.StatusRequestEntityTooLarge, Detail: "The request body may have at most 256 KB."}
	}
	return b, nil
}

// page reads startIndex and count (RFC 7644 §3.4.2.4): startIndex below 1
// counts as 1, count defaults to 100 and is capped at MaxResults.
func page(c echo.Context) (Page, error) {
	p := Page{StartIndex: 1, Count: 100}
	if v := c.QueryParam("startIndex"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return p, badRequest("invalidValue", "startIndex must be a number.")
		}
		p.StartIndex = max(n, 1)
	}
	if v := c.QueryParam("count"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return p, badRequest("invalidValue", "count must be a number.")
		}
		p.Count = min(max(n, 0), MaxResults)
	}
	return p, nil
}

func withMembers(c echo.Context) bool {
	for a := range strings.SplitSeq(c.QueryParam("excludedAttributes"), ",") {
		if strings.EqualFold(strings.TrimSpace(a), "members") {
			return false
		}
	}
	return true
}

func (s *Service) created(c echo.Context, v map[string]any) error {
	if meta, ok := v["meta"].(map[string]any); ok {
		if loc, ok := meta["location"].(string); ok {
			c.Response().Header().Set(echo.HeaderLocation, loc)
		}
	}
	return respond(c, http.StatusCreated, v)
}

func (s *Service) listUsers(c echo.Context) error {
	p, err := page(c)
	if err != nil {
		return err
	}
	v, err := s.Users(c.Request().Context(), c.QueryParam("filter"), p)
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, v)
}

func (s *Service) createUser(c echo.Context) error {
	b, err := body(c)
	if err != nil {
		return err
	}
	v, err := s.CreateUser(c.Request().Context(), token(c), b)
	if err != nil {
		return err
	}
	return s.created(c, v)
}

func (s *Service) getUser(c echo.Context) error {
	v, err := s.User(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, v)
}

func (s *Service) replaceUser(c echo.Context) error {
	b, err := body(c)
	if err != nil {
		return err
	}
	v, err := s.ReplaceUser(c.Request().Context(), token(c), c.Param("id"), b)
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, v)
}

func (s *Service) patchUser(c echo.Context) error {
	b, err := body(c)
	if err != nil {
		return err
	}
	v, err := s.PatchUser(c.Request().Context(), token(c), c.Param("id"), b)
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, v)
}

func (s *Service) deleteUser(c echo.Context) error {
	if err := s.DeleteUser(c.Request().Context(), token(c), c.Param("id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Service) listGroups(c echo.Context) error {
	p, err := page(c)
	if err != nil {
		return err
	}
	v, err := s.Groups(c.Request().Context(), c.QueryParam("filter"), p, withMembers(c))
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, v)
}

func (s *Service) createGroup(c echo.Context) error {
	b, err := body(c)
	if err != nil {
		return err
	}
	v, err := s.CreateGroup(c.Request().Context(), token(c), b)
	if err != nil {
		return err
	}
	return s.created(c, v)
}

func (s *Service) getGroup(c echo.Context) error {
	v, err := s.Group(c.Request().Context(), c.Param("id"), withMembers(c))
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, v)
}

func (s *Service) replaceGroup(c echo.Context) error {
	b, err := body(c)
	if err != nil {
		return err
	}
	v, err := s.ReplaceGroup(c.Request().Context(), token(c), c.Param("id"), b)
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, v)
}

func (s *Service) patchGroup(c echo.Context) error {
	b, err := body(c)
	if err != nil {
		return err
	}
	v, err := s.PatchGroup(c.Request().Context(), token(c), c.Param("id"), b)
	if err != nil {
		return err
	}
	// Entra ID accepts 200 or 204 to a group PATCH; the group is sent so
	// that clients that read it back need no second request.
	return respond(c, http.StatusOK, v)
}

func (s *Service) deleteGroup(c echo.Context) error {
	if err := s.DeleteGroup(c.Request().Context(), token(c), c.Param("id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

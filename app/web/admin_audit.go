package web

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/company-expenses/company-expenses/app/audit"
	"github.com/company-expenses/company-expenses/app/paths"
	"github.com/company-expenses/company-expenses/models"
	adminviews "github.com/company-expenses/company-expenses/views/admin"
)

// auditPageSize is how many events the audit log shows per page.
const auditPageSize = 50

// auditQuery is the audit log's filter as the URL carries it, checked.
type auditQuery struct {
	filter audit.Filter
	cursor audit.Cursor
	// person and kind are the values as given, to keep them in the form.
	person, kind string
	errors       map[string]string
}

func readAuditQuery(c echo.Context) auditQuery {
	q := auditQuery{person: c.QueryParam("person"), kind: c.QueryParam("kind"), errors: map[string]string{}}
	if q.person != "" {
		id, err := strconv.ParseUint(q.person, 10, 32)
		if err != nil || id == 0 {
			q.errors["person"] = "Choose a person from the list."
		} else {
			q.filter.PersonID = uint(id)
		}
	}
	if q.kind != "" {
		if k := audit.Kind(q.kind); k.Valid() {
			q.filter.Kind = k
		} else {
			q.errors["kind"] = "Choose a kind of event from the list."
		}
	}
	// A cursor that is not a number is a link someone edited: start at
	// the newest page.
	if v, err := strconv.ParseUint(c.QueryParam("before"), 10, 32); err == nil {
		q.cursor.Before = uint(v)
	} else if v, err := strconv.ParseUint(c.QueryParam("after"), 10, 32); err == nil {
		q.cursor.After = uint(v)
	}
	return q
}

// values is the filter as a query string, without the cursor.
func (q auditQuery) values() url.Values {
	v := url.Values{}
	if q.filter.PersonID != 0 {
		v.Set("person", strconv.FormatUint(uint64(q.filter.PersonID), 10))
	}
	if q.filter.Kind != "" {
		v.Set("kind", string(q.filter.Kind))
	}
	return v
}

func (q auditQuery) at(key string, id uint) string {
	v := q.values()
	v.Set(key, strconv.FormatUint(uint64(id), 10))
	return paths.AdminAuditFiltered(v)
}

// adminAudit is the audit log page (administrators only, routes.go).
func (a *Application) adminAudit(c echo.Context) error {
	ctx := c.Request().Context()
	q := readAuditQuery(c)
	page, err := audit.List(ctx, a.db, q.filter, q.cursor, auditPageSize)
	if err != nil {
		return err
	}
	d := adminviews.AuditPage{
		Person: q.person, Kind: q.kind, Errors: q.errors,
		Filters:   q.person != "" || q.kind != "",
		ExportURL: paths.AdminAuditCSVFiltered(q.values()),
		ClearURL:  paths.AdminAudit,
		Retention: retentionText(a.cfg.AuditRetention),
	}
	if d.People, err = a.auditPeople(c); err != nil {
		return err
	}
	for _, k := range audit.Kinds() {
		d.Kinds = append(d.Kinds, adminviews.Option{Value: string(k), Label: k.Label()})
	}
	if page.Newer != 0 {
		d.NewerURL = q.at("after", page.Newer)
		d.NewestURL = paths.AdminAuditFiltered(q.values())
	}
	if page.Older != 0 {
		d.OlderURL = q.at("before", page.Older)
	}
	for _, r := range page.Rows {
		row := adminviews.AuditRow{
			ID: strconv.FormatUint(uint64(r.ID), 10), At: r.At.UTC().Format("2006-01-02 15:04:05 MST"),
			Kind: string(r.Kind), KindLabel: r.Kind.Label(),
			IP: r.IP, UserAgent: r.UserAgent, Detail: r.Detail,
		}
		row.Actor, row.ActorURL = q.personCell(r.ActorID, r.ActorName, r.ActorEmail, actorLabel(r.Actor))
		row.Subject, row.SubjectURL = q.personCell(r.SubjectID, r.SubjectName, r.SubjectEmail, "—")
		d.Rows = append(d.Rows, row)
	}
	return a.render(c, http.StatusOK, adminviews.Audit(a.page(c, "Audit log"), d))
}

// personCell names a person of an event, with the link that filters the
// log by them; without a person it is fallback.
func (q auditQuery) personCell(id *uint, name, email, fallback string) (string, string) {
	if id == nil {
		return fallback, ""
	}
	label := name
	if label == "" {
		label = email
	}
	if label == "" {
		label = "person " + strconv.FormatUint(uint64(*id), 10)
	}
	v := url.Values{"person": {strconv.FormatUint(uint64(*id), 10)}}
	if q.filter.Kind != "" {
		v.Set("kind", string(q.filter.Kind))
	}
	return label, paths.AdminAuditFiltered(v)
}

// actorLabel says who an actor that is not a person is.
func actorLabel(actor string) string {
	switch {
	case actor == "system":
		return "System"
	case actor == "anonymous":
		return "Not signed in"
	case strings.HasPrefix(actor, "provider:"):
		return "Identity provider " + strings.TrimPrefix(actor, "provider:")
	case strings.HasPrefix(actor, "scim:"):
		return "SCIM client " + strings.TrimPrefix(actor, "scim:")
	}
	return actor
}

// auditPeople are the choices of the person filter: everyone, by name.
func (a *Application) auditPeople(c echo.Context) ([]adminviews.Option, error) {
	var ps []struct {
		UserID   uint
		FullName string
		Email    string
	}
	err := a.db.WithContext(c.Request().Context()).Model(&models.Employee{}).
		Select("employees.user_id, employees.full_name, users.email").
		Joins("JOIN users ON users.id = employees.user_id").
		Order("employees.full_name, users.email").Scan(&ps).Error
	if err != nil {
		return nil, fmt.Errorf("list people for the audit filter: %w", err)
	}
	out := make([]adminviews.Option, len(ps))
	for i, p := range ps {
		out[i] = adminviews.Option{Value: strconv.FormatUint(uint64(p.UserID), 10), Label: p.FullName + " · " + p.Email}
	}
	return out, nil
}

// retentionText says how long AUDIT_RETENTION keeps events.
func retentionText(d time.Duration) string {
	switch {
	case d <= 0:
		return "forever"
	case d%(8760*time.Hour) == 0:
		n := int(d / (8760 * time.Hour))
		if n == 1 {
			return "for 1 year"
		}
		return fmt.Sprintf("for %d years", n)
	case d%(24*time.Hour) == 0:
		return fmt.Sprintf("for %d days", int(d/(24*time.Hour)))
	}
	return "for " + d.String()
}

// adminAuditCSV streams the events the filters keep as CSV, newest first,
// a thousand at a time (audit.Each), so that exporting a million events
// needs no more memory than exporting ten.
func (a *Application) adminAuditCSV(c echo.Context) error {
	q := readAuditQuery(c)
	if len(q.errors) > 0 {
		// The page shows the messages next to the filters.
		return c.Redirect(http.StatusSeeOther, paths.AdminAuditFiltered(c.QueryParams()))
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	h.Set(echo.HeaderContentDisposition, `attachment; filename="audit-log-`+time.Now().UTC().Format("2006-01-02")+`.csv"`)
	c.Response().WriteHeader(http.StatusOK)
	w := csv.NewWriter(c.Response())
	_ = w.Write([]string{"time", "kind", "event", "actor", "actor_user_id", "actor_email", "subject_user_id", "subject_email", "subject_name", "ip", "user_agent", "detail"})
	n := 0
	err := audit.Each(c.Request().Context(), a.db, q.filter, func(r audit.Row) error {
		record := []string{
			r.At.UTC().Format(time.RFC3339), string(r.Kind), r.Kind.Label(), r.Actor, idText(r.ActorID), r.ActorEmail,
			idText(r.SubjectID), r.SubjectEmail, r.SubjectName, r.IP, r.UserAgent, r.Detail,
		}
		for i := range record {
			record[i] = csvSafe(record[i])
		}
		if err := w.Write(record); err != nil {
			return err
		}
		if n++; n%1000 == 0 {
			w.Flush()
			return w.Error()
		}
		return nil
	})
	w.Flush()
	if err == nil {
		err = w.Error()
	}
	if err != nil {
		// The status is sent; all that is left is to say so in the log.
		a.log.ErrorContext(c.Request().Context(), "audit log export cut short", "rows", n, "err", err)
	}
	return nil
}

func idText(id *uint) string {
	if id == nil {
		return ""
	}
	return strconv.FormatUint(uint64(*id), 10)
}

// csvSafe keeps a spreadsheet from running text someone typed (a name, a
// user agent, an address tried at sign-in) as a formula: a cell that starts
// with = + - @ or a tab gets a leading apostrophe, as OWASP advises.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

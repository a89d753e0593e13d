package people

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"strings"
	"sync"

	"gorm.io/gorm"
	"gorm.io/gorm/schema"

	"github.com/company-expenses/company-expenses/app/database"
	"github.com/company-expenses/company-expenses/models"
)

// SessionViewer returns the session stored under tokenHash and the person
// it belongs to, with user and roles as Viewer loads them, in one query.
// Every signed-in request needs both; read one after the other they were
// four statements (the session, then Preload's employee, user and roles),
// a tenth of the list page's CPU. found is false when no session has that
// hash or it belongs to nobody (the caller then looks the session up alone
// to tell the two apart, which only a signed-out or removed person costs).
//
// The columns are those of the models, read from gorm's schema, so a
// column added to sessions, employees or users is loaded here without
// touching this code (TestSessionViewerLoadsWhatLookupAndViewerLoad).
func (s *Service) SessionViewer(ctx context.Context, tokenHash string) (sess *models.Session, e *models.Employee, found bool, err error) {
	q, err := s.sessionViewerQuery()
	if err != nil {
		return nil, nil, false, err
	}
	rows, err := q.stmt.Query(s.db.WithContext(ctx), tokenHash)
	if err != nil {
		return nil, nil, false, fmt.Errorf("load session and viewer: %w", err)
	}
	defer rows.Close()
	sess, e = &models.Session{}, &models.Employee{}
	dest := make([]any, 0, len(q.session)+len(q.employee)+len(q.user)+1)
	dest = q.pointers(ctx, dest, q.session, reflect.ValueOf(sess).Elem())
	dest = q.pointers(ctx, dest, q.employee, reflect.ValueOf(e).Elem())
	dest = q.pointers(ctx, dest, q.user, reflect.ValueOf(&e.User).Elem())
	var role sql.NullString
	dest = append(dest, &role)
	// One row per role (a single one with a NULL role for a person with
	// none); the other columns repeat.
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, nil, false, fmt.Errorf("read session and viewer: %w", err)
		}
		found = true
		if role.Valid {
			e.User.Roles = append(e.User.Roles, models.UserRole{UserID: e.User.ID, Role: models.Role(role.String)})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, false, fmt.Errorf("read session and viewer: %w", err)
	}
	if !found {
		return nil, nil, false, nil
	}
	return sess, e, true, nil
}

// sessionViewerSQL is the statement SessionViewer runs and the model fields
// its columns fill, in order; built once per Service from gorm's schema.
type sessionViewerSQL struct {
	stmt                    database.HotQuery
	session, employee, user []*schema.Field
}

func (q *sessionViewerSQL) pointers(ctx context.Context, dest []any, fields []*schema.Field, v reflect.Value) []any {
	for _, f := range fields {
		dest = append(dest, f.ReflectValueOf(ctx, v).Addr().Interface())
	}
	return dest
}

// viewerQuery holds the statement SessionViewer runs, built on first use.
type viewerQuery struct {
	once sync.Once
	q    *sessionViewerSQL
	err  error
}

func (s *Service) sessionViewerQuery() (*sessionViewerSQL, error) {
	vq := s.viewerQuery
	vq.once.Do(func() { vq.q, vq.err = buildSessionViewerSQL(s.db) })
	return vq.q, vq.err
}

func buildSessionViewerSQL(db *gorm.DB) (*sessionViewerSQL, error) {
	parse := func(model any) (*schema.Schema, error) {
		return schema.Parse(model, &sync.Map{}, db.NamingStrategy)
	}
	var cols []string
	columns := func(model any) (string, []*schema.Field, error) {
		sch, err := parse(model)
		if err != nil {
			return "", nil, fmt.Errorf("session viewer query: %w", err)
		}
		fields := make([]*schema.Field, 0, len(sch.DBNames))
		for _, name := range sch.DBNames {
			fields = append(fields, sch.FieldsByDBName[name])
			cols = append(cols, sch.Table+"."+name)
		}
		return sch.Table, fields, nil
	}
	q := &sessionViewerSQL{}
	var sessions, employees, users string
	var err error
	if sessions, q.session, err = columns(&models.Session{}); err != nil {
		return nil, err
	}
	if employees, q.employee, err = columns(&models.Employee{}); err != nil {
		return nil, err
	}
	if users, q.user, err = columns(&models.User{}); err != nil {
		return nil, err
	}
	roles, err := parse(&models.UserRole{})
	if err != nil {
		return nil, fmt.Errorf("session viewer query: %w", err)
	}
	q.stmt = database.NewHotQuery("SELECT " + strings.Join(cols, ", ") + ", " + roles.Table + ".role" +
		" FROM " + sessions +
		" JOIN " + employees + " ON " + employees + ".user_id = " + sessions + ".user_id" +
		" JOIN " + users + " ON " + users + ".id = " + sessions + ".user_id" +
		" LEFT JOIN " + roles.Table + " ON " + roles.Table + ".user_id = " + sessions + ".user_id" +
		" WHERE " + sessions + ".token_hash = ?" +
		" ORDER BY " + roles.Table + ".role")
	return q, nil
}

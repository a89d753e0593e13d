package scim

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/database"
	"github.com/company-expenses/company-expenses/app/people"
	"github.com/company-expenses/company-expenses/models"
)

// userInput is what a SCIM client says about a user, read from a document.
type userInput struct {
	userName    string
	externalID  string
	displayName string
	givenName   string
	familyName  string
	formatted   string
	email       string
	department  string
	managerRID  string
	// active is nil when the document does not say.
	active *bool
}

// fullName is the name the app shows: displayName, else name.formatted,
// else given and family name, else the userName.
func (u userInput) fullName() string {
	for _, n := range []string{u.displayName, u.formatted, strings.TrimSpace(u.givenName + " " + u.familyName)} {
		if n != "" {
			return n
		}
	}
	return u.userName
}

// readUser reads a User document (lower-cased keys).
func readUser(d doc) (userInput, error) {
	u := userInput{
		userName:    str(d["username"]),
		externalID:  str(d["externalid"]),
		displayName: str(d["displayname"]),
	}
	if u.userName == "" {
		return u, badRequest("invalidValue", "userName is required.")
	}
	if len(u.userName) > 254 || len(u.externalID) > 255 {
		return u, badRequest("invalidValue", "userName may have at most 254 characters and externalId at most 255.")
	}
	if v, present := d["active"]; present && v != nil {
		b, ok := boolean(v)
		if !ok {
			return u, badRequest("invalidValue", "active must be true or false.")
		}
		u.active = &b
	}
	if name, ok := d["name"].(doc); ok {
		u.givenName, u.familyName, u.formatted = str(name["givenname"]), str(name["familyname"]), str(name["formatted"])
	}
	u.email = pickEmail(d["emails"])
	if u.email == "" && strings.Contains(u.userName, "@") {
		u.email = u.userName
	}
	if ext, ok := d[enterpriseKey].(doc); ok {
		u.department = str(ext["department"])
		u.managerRID = managerValue(ext["manager"])
	}
	return u, nil
}

// pickEmail returns the primary address, else the work address, else the
// first one.
func pickEmail(v any) string {
	list, _ := v.([]any)
	var work, first string
	for _, x := range list {
		m, ok := x.(doc)
		if !ok {
			continue
		}
		value := str(m["value"])
		if value == "" {
			continue
		}
		if p, _ := boolean(m["primary"]); p {
			return value
		}
		if work == "" && strings.EqualFold(str(m["type"]), "work") {
			work = value
		}
		if first == "" {
			first = value
		}
	}
	if work != "" {
		return work
	}
	return first
}

// managerValue reads the enterprise manager: {"value": id} as RFC 7643
// defines it, a bare id string (Entra ID's PATCH), or a one-element list.
func managerValue(v any) string {
	switch v := v.(type) {
	case string:
		return strings.TrimSpace(v)
	case doc:
		return str(v["value"])
	case []any:
		if len(v) > 0 {
			return managerValue(v[0])
		}
	}
	return ""
}

// userRecord is a provisioned person as stored.
type userRecord struct {
	link    models.SCIMUser
	emp     models.Employee
	manager *models.SCIMUser
	groups  []models.SCIMGroup
}

func (s *Service) loadUser(ctx context.Context, tx *gorm.DB, rid string) (*userRecord, error) {
	var r userRecord
	err := tx.WithContext(ctx).Where("resource_id = ?", rid).Take(&r.link).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, notFound("User %s not found.", rid)
	}
	if err != nil {
		return nil, fmt.Errorf("load scim user %s: %w", rid, err)
	}
	return &r, s.fill(ctx, tx, &r)
}

// fill loads the person, their manager's SCIM id and their groups.
func (s *Service) fill(ctx context.Context, tx *gorm.DB, r *userRecord) error {
	if err := tx.WithContext(ctx).Preload("User").Preload("Department").Where("user_id = ?", r.link.UserID).Take(&r.emp).Error; err != nil {
		return fmt.Errorf("load employee %d: %w", r.link.UserID, err)
	}
	r.manager = nil
	if r.emp.ManagerID != nil {
		var m models.SCIMUser
		err := tx.WithContext(ctx).Where("user_id = ?", *r.emp.ManagerID).Take(&m).Error
		if err == nil {
			r.manager = &m
		} else if !errors.Is(err, gorm.ErrRecordNotFound) {
			return err
		}
	}
	return tx.WithContext(ctx).Joins("JOIN scim_group_members ON scim_group_members.group_id = scim_groups.id").
		Where("scim_group_members.user_id = ?", r.link.UserID).Order("scim_groups.display_name").Find(&r.groups).Error
}

// userJSON is the SCIM representation of a person.
func (s *Service) userJSON(r *userRecord) map[string]any {
	u := map[string]any{
		"schemas":     []string{SchemaUser, SchemaEnterprise},
		"id":          r.link.ResourceID,
		"userName":    r.link.UserName,
		"displayName": r.emp.FullName,
		"name": map[string]any{
			"givenName": r.link.GivenName, "familyName": r.link.FamilyName, "formatted": r.emp.FullName,
		},
		"emails": []any{map[string]any{"value": r.emp.User.Email, "type": "work", "primary": true}},
		"active": r.emp.User.Active,
		"meta": map[string]any{
			"resourceType": "User",
			"created":      r.link.CreatedAt.UTC().Format(time.RFC3339),
			"lastModified": r.link.UpdatedAt.UTC().Format(time.RFC3339),
			"location":     s.BaseURL() + "/Users/" + r.link.ResourceID,
		},
	}
	if r.link.ExternalID != "" {
		u["externalId"] = r.link.ExternalID
	}
	groups := []any{}
	for _, g := range r.groups {
		groups = append(groups, map[string]any{"value": g.ResourceID, "display": g.DisplayName, "type": "direct",
			"$ref": s.BaseURL() + "/Groups/" + g.ResourceID})
	}
	u["groups"] = groups
	ext := map[string]any{}
	if r.emp.Department != nil {
		ext["department"] = r.emp.Department.Name
	}
	if r.manager != nil {
		ext["manager"] = map[string]any{"value": r.manager.ResourceID, "$ref": s.BaseURL() + "/Users/" + r.manager.ResourceID}
	}
	u[SchemaEnterprise] = ext
	return u
}

// provisioned turns a SCIM user into the people service's terms.
func (s *Service) provisioned(ctx context.Context, tx *gorm.DB, in userInput, active bool) (people.Provisioned, error) {
	p := people.Provisioned{Email: in.email, FullName: in.fullName(), Active: active, Department: in.department}
	if in.managerRID != "" {
		var m models.SCIMUser
		err := tx.WithContext(ctx).Where("resource_id = ?", in.managerRID).Take(&m).Error
		switch {
		case err == nil:
			p.ManagerID = &m.UserID
		case errors.Is(err, gorm.ErrRecordNotFound):
			// Unknown managers are left empty (the person then shows
			// among those who need a manager).
			s.log.InfoContext(ctx, "manager unknown; left empty", "manager", in.managerRID)
		default:
			return p, err
		}
	}
	return p, nil
}

// peopleError turns the people service's refusals into SCIM errors.
func peopleError(err error) error {
	var ve *people.ValidationError
	switch {
	case errors.As(err, &ve):
		if msg, ok := ve.Fields["email"]; ok && strings.Contains(msg, "already uses") {
			return conflict("uniqueness", "The e-mail address is already used by another person.")
		}
		var parts []string
		for k, v := range ve.Fields {
			parts = append(parts, k+": "+v)
		}
		return badRequest("invalidValue", "%s", strings.Join(parts, " "))
	case errors.Is(err, people.ErrLastAdmin):
		return conflict("", "%s", people.ErrLastAdmin.Error())
	case errors.Is(err, people.ErrNotFound):
		return notFound("User not found.")
	}
	return err
}

// CreateUser handles POST /Users.
func (s *Service) CreateUser(ctx context.Context, token string, body []byte) (map[string]any, error) {
	d, err := decodeDoc(body)
	if err != nil {
		return nil, err
	}
	in, err := readUser(d)
	if err != nil {
		return nil, err
	}
	active := in.active == nil || *in.active
	var r userRecord
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&models.SCIMUser{}).Where("user_name_key = ?", strings.ToLower(in.userName)).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return conflict("uniqueness", "A user with userName %q already exists.", in.userName)
		}
		p, err := s.provisioned(ctx, tx, in, active)
		if err != nil {
			return err
		}
		e, _, err := s.people.CreateProvisioned(ctx, tx, p)
		if err != nil {
			return peopleError(err)
		}
		now := s.now()
		r.link = models.SCIMUser{
			UserID: e.UserID, ResourceID: newResourceID(), ExternalID: in.externalID,
			UserName: in.userName, UserNameKey: strings.ToLower(in.userName),
			GivenName: in.givenName, FamilyName: in.familyName, CreatedAt: now, UpdatedAt: now,
		}
		if err := tx.Create(&r.link).Error; err != nil {
			if database.IsUniqueViolation(err) {
				return conflict("uniqueness", "A user with userName %q already exists.", in.userName)
			}
			return err
		}
		return s.fill(ctx, tx, &r)
	})
	if err != nil {
		return nil, err
	}
	s.emit(ctx, Event{Action: ActionUserCreated, UserID: r.link.UserID, Token: token, Detail: in.userName})
	return s.userJSON(&r), nil
}

// User handles GET /Users/{id}.
func (s *Service) User(ctx context.Context, rid string) (map[string]any, error) {
	r, err := s.loadUser(ctx, s.db, rid)
	if err != nil {
		return nil, err
	}
	return s.userJSON(r), nil
}

// Page is a page of a list request: startIndex is 1-based (RFC 7644 §3.4.2.4).
type Page struct {
	StartIndex int
	Count      int
}

// MaxResults is the most resources one list answer holds.
const MaxResults = 200

// Users handles GET /Users, with an optional filter.
func (s *Service) Users(ctx context.Context, filter string, page Page) (map[string]any, error) {
	q := s.db.WithContext(ctx).Model(&models.SCIMUser{})
	if filter != "" {
		f, err := parseEq(filter)
		if err != nil {
			return nil, err
		}
		switch f.attr {
		case "username":
			q = q.Where("user_name_key = ?", strings.ToLower(f.value))
		case "externalid":
			q = q.Where("external_id = ?", f.value)
		case "id":
			q = q.Where("resource_id = ?", f.value)
		case "emails", "emails.value":
			q = q.Where("user_id IN (?)", s.db.Model(&models.User{}).Select("id").Where("email = ?", models.NormalizeEmail(f.value)))
		default:
			return nil, filterError(f.attr, "userName", "externalId", "id", "emails.value")
		}
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, err
	}
	var links []models.SCIMUser
	if page.Count > 0 {
		if err := q.Order("created_at, user_id").Offset(page.StartIndex - 1).Limit(page.Count).Find(&links).Error; err != nil {
			return nil, err
		}
	}
	resources := []any{}
	for _, l := range links {
		r := userRecord{link: l}
		if err := s.fill(ctx, s.db, &r); err != nil {
			return nil, err
		}
		resources = append(resources, s.userJSON(&r))
	}
	return listJSON(total, page, resources), nil
}

func listJSON(total int64, page Page, resources []any) map[string]any {
	return map[string]any{
		"schemas":      []string{SchemaList},
		"totalResults": total,
		"startIndex":   page.StartIndex,
		"itemsPerPage": len(resources),
		"Resources":    resources,
	}
}

// ReplaceUser handles PUT /Users/{id} (Okta's way of changing anything,
// deactivation included).
func (s *Service) ReplaceUser(ctx context.Context, token, rid string, body []byte) (map[string]any, error) {
	d, err := decodeDoc(body)
	if err != nil {
		return nil, err
	}
	return s.changeUser(ctx, token, rid, func(*userRecord) (doc, error) { return d, nil })
}

// PatchUser handles PATCH /Users/{id}: the operations are applied to the
// user's document, which is then stored as a PUT would store it.
func (s *Service) PatchUser(ctx context.Context, token, rid string, body []byte) (map[string]any, error) {
	ops, err := readPatch(body)
	if err != nil {
		return nil, err
	}
	return s.changeUser(ctx, token, rid, func(r *userRecord) (doc, error) {
		d := lowerKeys(s.userJSON(r)).(doc)
		for _, op := range ops {
			if err := apply(d, op); err != nil {
				return nil, err
			}
		}
		return d, nil
	})
}

// changeUser stores the document change returns for user rid, in one
// transaction: the person through app/people, the SCIM attributes, and,
// when the person is deactivated, the end of every session of theirs.
func (s *Service) changeUser(ctx context.Context, token, rid string, change func(*userRecord) (doc, error)) (map[string]any, error) {
	var r *userRecord
	var res people.ProvisionResult
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		if r, err = s.loadUser(ctx, tx, rid); err != nil {
			return err
		}
		d, err := change(r)
		if err != nil {
			return err
		}
		in, err := readUser(d)
		if err != nil {
			return err
		}
		if strings.ToLower(in.userName) != r.link.UserNameKey {
			var n int64
			if err := tx.Model(&models.SCIMUser{}).Where("user_name_key = ? AND user_id <> ?", strings.ToLower(in.userName), r.link.UserID).Count(&n).Error; err != nil {
				return err
			}
			if n > 0 {
				return conflict("uniqueness", "A user with userName %q already exists.", in.userName)
			}
		}
		active := r.emp.User.Active
		if in.active != nil {
			active = *in.active
		}
		p, err := s.provisioned(ctx, tx, in, active)
		if err != nil {
			return err
		}
		if res, err = s.people.UpdateProvisioned(ctx, tx, r.link.UserID, p); err != nil {
			return peopleError(err)
		}
		if res.Deactivated {
			if err := endSessions(tx, r.link.UserID); err != nil {
				return err
			}
		}
		if err := tx.Model(&models.SCIMUser{}).Where("user_id = ?", r.link.UserID).Updates(map[string]any{
			"external_id": in.externalID, "user_name": in.userName, "user_name_key": strings.ToLower(in.userName),
			"given_name": in.givenName, "family_name": in.familyName, "updated_at": s.now(),
		}).Error; err != nil {
			if database.IsUniqueViolation(err) {
				return conflict("uniqueness", "A user with userName %q already exists.", in.userName)
			}
			return err
		}
		r, err = s.loadUser(ctx, tx, rid)
		return err
	})
	if err != nil {
		return nil, err
	}
	if res.Deactivated {
		s.emit(ctx, Event{Action: ActionUserDeactivated, UserID: r.link.UserID, Token: token, Detail: "sessions ended"})
	} else {
		s.emit(ctx, Event{Action: ActionUserUpdated, UserID: r.link.UserID, Token: token})
	}
	return s.userJSON(r), nil
}

// endSessions signs a person out everywhere, inside the transaction that
// deactivates them, so that no request after this one is served as them.
func endSessions(tx *gorm.DB, userID uint) error {
	if err := tx.Where("user_id = ?", userID).Delete(&models.Session{}).Error; err != nil {
		return fmt.Errorf("end sessions of %d: %w", userID, err)
	}
	return nil
}

// DeleteUser handles DELETE /Users/{id}: the person is deactivated (their
// sessions end) and no longer a SCIM resource. With SCIM_HARD_DELETE=on the
// person is deleted too, when nothing they did keeps them (the expenses
// demo's expenses do); otherwise they stay, deactivated.
func (s *Service) DeleteUser(ctx context.Context, token, rid string) error {
	var userID uint
	hard := false
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		r, err := s.loadUser(ctx, tx, rid)
		if err != nil {
			return err
		}
		userID = r.link.UserID
		p := people.Provisioned{Email: r.emp.User.Email, FullName: r.emp.FullName, Active: false, ManagerID: r.emp.ManagerID}
		if r.emp.Department != nil {
			p.Department = r.emp.Department.Name
		}
		if _, err := s.people.UpdateProvisioned(ctx, tx, userID, p); err != nil {
			return peopleError(err)
		}
		if err := endSessions(tx, userID); err != nil {
			return err
		}
		if err := tx.Where("user_id = ?", userID).Delete(&models.SCIMGroupMember{}).Error; err != nil {
			return err
		}
		if err := tx.Where("user_id = ?", userID).Delete(&models.SCIMUser{}).Error; err != nil {
			return err
		}
		if s.hardDelete {
			// In a savepoint: when the database refuses (the person's
			// records reference them), the deactivation above stands.
			err := tx.Transaction(func(tx *gorm.DB) error {
				return tx.Where("id = ?", userID).Delete(&models.User{}).Error
			})
			if err != nil {
				s.log.WarnContext(ctx, "hard delete refused; the person stays deactivated", "user_id", userID, "err", err)
			} else {
				hard = true
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	detail := "deactivated, sessions ended"
	if hard {
		detail = "deleted"
	}
	s.emit(ctx, Event{Action: ActionUserDeleted, UserID: userID, Token: token, Detail: detail})
	return nil
}

package scim

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/people"
	"github.com/company-expenses/company-expenses/models"
)

// maxMembers bounds the members one request may name.
const maxMembers = 1000

func (s *Service) loadGroup(ctx context.Context, tx *gorm.DB, rid string) (*models.SCIMGroup, error) {
	var g models.SCIMGroup
	err := tx.WithContext(ctx).Where("resource_id = ?", rid).Take(&g).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, notFound("Group %s not found.", rid)
	}
	if err != nil {
		return nil, fmt.Errorf("load scim group %s: %w", rid, err)
	}
	return &g, nil
}

// groupJSON is the SCIM representation of a group; members are left out
// when the client asked (excludedAttributes=members, as Entra ID does).
func (s *Service) groupJSON(ctx context.Context, tx *gorm.DB, g *models.SCIMGroup, withMembers bool) (map[string]any, error) {
	out := map[string]any{
		"schemas":     []string{SchemaGroup},
		"id":          g.ResourceID,
		"displayName": g.DisplayName,
		"meta": map[string]any{
			"resourceType": "Group",
			"created":      g.CreatedAt.UTC().Format(time.RFC3339),
			"lastModified": g.UpdatedAt.UTC().Format(time.RFC3339),
			"location":     s.BaseURL() + "/Groups/" + g.ResourceID,
		},
	}
	if g.ExternalID != "" {
		out["externalId"] = g.ExternalID
	}
	if withMembers {
		var ms []struct {
			ResourceID string
			FullName   string
		}
		err := tx.WithContext(ctx).Table("scim_group_members").
			Select("scim_users.resource_id, employees.full_name").
			Joins("JOIN scim_users ON scim_users.user_id = scim_group_members.user_id").
			Joins("JOIN employees ON employees.user_id = scim_group_members.user_id").
			Where("scim_group_members.group_id = ?", g.ID).Order("employees.full_name").Scan(&ms).Error
		if err != nil {
			return nil, err
		}
		members := []any{}
		for _, m := range ms {
			members = append(members, map[string]any{"value": m.ResourceID, "display": m.FullName, "$ref": s.BaseURL() + "/Users/" + m.ResourceID})
		}
		out["members"] = members
	}
	return out, nil
}

// groupInput is what a client says about a group.
type groupInput struct {
	displayName string
	externalID  string
	// members are SCIM user ids; nil when the document names none.
	members    []string
	hasMembers bool
}

func readGroup(d doc) (groupInput, error) {
	g := groupInput{displayName: str(d["displayname"]), externalID: str(d["externalid"])}
	if g.displayName == "" {
		return g, badRequest("invalidValue", "displayName is required.")
	}
	if len(g.displayName) > 255 || len(g.externalID) > 255 {
		return g, badRequest("invalidValue", "displayName and externalId may have at most 255 characters.")
	}
	if v, ok := d["members"]; ok {
		g.hasMembers = true
		ids, err := memberIDs(v)
		if err != nil {
			return g, err
		}
		g.members = ids
	}
	return g, nil
}

// memberIDs reads a members value: a list of {"value": id}, or one such
// object.
func memberIDs(v any) ([]string, error) {
	var list []any
	switch v := v.(type) {
	case []any:
		list = v
	case doc:
		list = []any{v}
	case nil:
	default:
		return nil, badRequest("invalidValue", "members must be a list of {\"value\": id}.")
	}
	if len(list) > maxMembers {
		return nil, badRequest("tooMany", "A request may name at most %d members.", maxMembers)
	}
	var ids []string
	for _, x := range list {
		m, ok := x.(doc)
		if !ok || str(m["value"]) == "" {
			return nil, badRequest("invalidValue", "Each member needs a value: the user's id.")
		}
		ids = append(ids, str(m["value"]))
	}
	return ids, nil
}

// userIDs resolves SCIM user ids to the app's user ids; unknown ids are an
// error, as RFC 7644 asks for a reference to nothing.
func userIDs(tx *gorm.DB, rids []string) ([]uint, error) {
	if len(rids) == 0 {
		return nil, nil
	}
	var links []models.SCIMUser
	if err := tx.Where("resource_id IN ?", rids).Find(&links).Error; err != nil {
		return nil, err
	}
	byRID := map[string]uint{}
	for _, l := range links {
		byRID[l.ResourceID] = l.UserID
	}
	var out []uint
	for _, rid := range rids {
		id, ok := byRID[rid]
		if !ok {
			return nil, badRequest("invalidValue", "Member %s is not a user of this service.", rid)
		}
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out, nil
}

// CreateGroup handles POST /Groups.
func (s *Service) CreateGroup(ctx context.Context, token string, body []byte) (map[string]any, error) {
	d, err := decodeDoc(body)
	if err != nil {
		return nil, err
	}
	in, err := readGroup(d)
	if err != nil {
		return nil, err
	}
	var out map[string]any
	var g models.SCIMGroup
	ch := &change{token: token}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&models.SCIMGroup{}).Where("LOWER(display_name) = ?", strings.ToLower(in.displayName)).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return conflict("uniqueness", "A group called %q already exists.", in.displayName)
		}
		now := s.now()
		g = models.SCIMGroup{ResourceID: newResourceID(), DisplayName: in.displayName, ExternalID: in.externalID, CreatedAt: now, UpdatedAt: now}
		if err := tx.Create(&g).Error; err != nil {
			return err
		}
		ids, err := userIDs(tx, in.members)
		if err != nil {
			return err
		}
		if err := s.setMembers(ctx, tx, ch, &g, ids); err != nil {
			return err
		}
		out, err = s.groupJSON(ctx, tx, &g, true)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.emit(ctx, Event{Action: ActionGroupCreated, Group: g.DisplayName, Token: token})
	s.emitAll(ctx, ch)
	return out, nil
}

// Group handles GET /Groups/{id}.
func (s *Service) Group(ctx context.Context, rid string, withMembers bool) (map[string]any, error) {
	g, err := s.loadGroup(ctx, s.db, rid)
	if err != nil {
		return nil, err
	}
	return s.groupJSON(ctx, s.db, g, withMembers)
}

// Groups handles GET /Groups.
func (s *Service) Groups(ctx context.Context, filter string, page Page, withMembers bool) (map[string]any, error) {
	q := s.db.WithContext(ctx).Model(&models.SCIMGroup{})
	if filter != "" {
		f, err := parseEq(filter)
		if err != nil {
			return nil, err
		}
		switch f.attr {
		case "displayname":
			q = q.Where("LOWER(display_name) = ?", strings.ToLower(f.value))
		case "externalid":
			q = q.Where("external_id = ?", f.value)
		case "id":
			q = q.Where("resource_id = ?", f.value)
		default:
			return nil, filterError(f.attr, "displayName", "externalId", "id")
		}
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, err
	}
	var gs []models.SCIMGroup
	if page.Count > 0 {
		if err := q.Order("created_at, id").Offset(page.StartIndex - 1).Limit(page.Count).Find(&gs).Error; err != nil {
			return nil, err
		}
	}
	resources := []any{}
	for i := range gs {
		g, err := s.groupJSON(ctx, s.db, &gs[i], withMembers)
		if err != nil {
			return nil, err
		}
		resources = append(resources, g)
	}
	return listJSON(total, page, resources), nil
}

// ReplaceGroup handles PUT /Groups/{id}: name, externalId and, when given,
// the whole member list.
func (s *Service) ReplaceGroup(ctx context.Context, token, rid string, body []byte) (map[string]any, error) {
	d, err := decodeDoc(body)
	if err != nil {
		return nil, err
	}
	in, err := readGroup(d)
	if err != nil {
		return nil, err
	}
	return s.changeGroup(ctx, token, rid, func(tx *gorm.DB, ch *change, g *models.SCIMGroup) error {
		if err := s.renameGroup(ctx, tx, ch, g, in.displayName, in.externalID); err != nil {
			return err
		}
		if !in.hasMembers {
			return nil
		}
		ids, err := userIDs(tx, in.members)
		if err != nil {
			return err
		}
		return s.setMembers(ctx, tx, ch, g, ids)
	})
}

// PatchGroup handles PATCH /Groups/{id}: members added and removed
// (`members[value eq "id"]` too), displayName and externalId replaced, and
// Okta's path-less replace of {id, displayName}.
func (s *Service) PatchGroup(ctx context.Context, token, rid string, body []byte) (map[string]any, error) {
	ops, err := readPatch(body)
	if err != nil {
		return nil, err
	}
	return s.changeGroup(ctx, token, rid, func(tx *gorm.DB, ch *change, g *models.SCIMGroup) error {
		current, err := s.memberIDs(tx, g.ID)
		if err != nil {
			return err
		}
		members := slices.Clone(current)
		name, ext := g.DisplayName, g.ExternalID
		for _, op := range ops {
			if err := patchGroup(tx, op, &name, &ext, &members); err != nil {
				return err
			}
		}
		if err := s.renameGroup(ctx, tx, ch, g, name, ext); err != nil {
			return err
		}
		if slices.Equal(sorted(current), sorted(members)) {
			return nil
		}
		return s.setMembers(ctx, tx, ch, g, members)
	})
}

func sorted(ids []uint) []uint {
	out := slices.Clone(ids)
	slices.Sort(out)
	return out
}

// patchGroup applies one operation to a group's name, externalId and
// member list.
func patchGroup(tx *gorm.DB, op patchOp, name, ext *string, members *[]uint) error {
	if op.Path == "" {
		m, ok := lowerKeys(op.Value).(doc)
		if !ok {
			return badRequest("invalidValue", "An %s without a path needs an object as its value.", op.Op)
		}
		for k, v := range m {
			if k == "id" || k == "schemas" || k == "meta" {
				continue // Okta sends the group's own id along
			}
			if err := patchGroup(tx, patchOp{Op: op.Op, Path: k, Value: v}, name, ext, members); err != nil {
				return err
			}
		}
		return nil
	}
	p, err := parsePath(op.Path)
	if err != nil {
		return err
	}
	switch p.attr {
	case "displayname":
		if op.Op == "remove" || str(op.Value) == "" {
			return badRequest("invalidValue", "displayName cannot be empty.")
		}
		*name = str(op.Value)
	case "externalid":
		if op.Op == "remove" {
			*ext = ""
		} else {
			*ext = str(op.Value)
		}
	case "members":
		var rids []string
		if p.filterAttr != "" {
			if p.filterAttr != "value" || op.Op != "remove" {
				return badRequest("invalidPath", "Only remove with members[value eq \"id\"] is supported.")
			}
			rids = []string{p.filterValue}
		} else if op.Value != nil {
			if rids, err = memberIDs(lowerKeys(op.Value)); err != nil {
				return err
			}
		}
		ids, err := resolveKnown(tx, rids, op.Op == "remove")
		if err != nil {
			return err
		}
		switch {
		case op.Op == "remove" && op.Value == nil && p.filterAttr == "":
			*members = nil // remove all members
		case op.Op == "remove":
			*members = slices.DeleteFunc(*members, func(id uint) bool { return slices.Contains(ids, id) })
		case op.Op == "replace":
			*members = ids
		default:
			for _, id := range ids {
				if !slices.Contains(*members, id) {
					*members = append(*members, id)
				}
			}
		}
		if len(*members) > 10*maxMembers {
			return badRequest("tooMany", "A group may have at most %d members here.", 10*maxMembers)
		}
	default:
		return badRequest("invalidPath", "Groups have no attribute %q that can be changed.", op.Path)
	}
	return nil
}

// resolveKnown is userIDs, except that removing an unknown member is not an
// error: it is not a member anyway.
func resolveKnown(tx *gorm.DB, rids []string, removing bool) ([]uint, error) {
	if !removing {
		return userIDs(tx, rids)
	}
	var links []models.SCIMUser
	if len(rids) > 0 {
		if err := tx.Where("resource_id IN ?", rids).Find(&links).Error; err != nil {
			return nil, err
		}
	}
	var out []uint
	for _, l := range links {
		out = append(out, l.UserID)
	}
	return out, nil
}

func (s *Service) memberIDs(tx *gorm.DB, groupID uint) ([]uint, error) {
	var ids []uint
	err := tx.Model(&models.SCIMGroupMember{}).Where("group_id = ?", groupID).Order("user_id").Pluck("user_id", &ids).Error
	return ids, err
}

// changeGroup runs change on group rid in one transaction and returns the
// group as it is afterwards.
func (s *Service) changeGroup(ctx context.Context, token, rid string, apply func(*gorm.DB, *change, *models.SCIMGroup) error) (map[string]any, error) {
	var out map[string]any
	var name string
	ch := &change{token: token}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		g, err := s.loadGroup(ctx, tx, rid)
		if err != nil {
			return err
		}
		if err := apply(tx, ch, g); err != nil {
			return err
		}
		if err := tx.Model(g).Update("updated_at", s.now()).Error; err != nil {
			return err
		}
		name = g.DisplayName
		out, err = s.groupJSON(ctx, tx, g, true)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.emit(ctx, Event{Action: ActionGroupUpdated, Group: name, Token: token})
	s.emitAll(ctx, ch)
	return out, nil
}

// renameGroup changes a group's name and externalId; members' roles follow
// when the name or id is one SSO_ROLE_MAP names.
func (s *Service) renameGroup(ctx context.Context, tx *gorm.DB, ch *change, g *models.SCIMGroup, name, ext string) error {
	if name == g.DisplayName && ext == g.ExternalID {
		return nil
	}
	if !strings.EqualFold(name, g.DisplayName) {
		var n int64
		if err := tx.Model(&models.SCIMGroup{}).Where("LOWER(display_name) = ? AND id <> ?", strings.ToLower(name), g.ID).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return conflict("uniqueness", "A group called %q already exists.", name)
		}
	}
	g.DisplayName, g.ExternalID = name, ext
	if err := tx.Model(g).Updates(map[string]any{"display_name": name, "external_id": ext}).Error; err != nil {
		return err
	}
	members, err := s.memberIDs(tx, g.ID)
	if err != nil {
		return err
	}
	return s.syncRoles(ctx, tx, ch, members)
}

// setMembers makes ids the group's members and brings the roles of everyone
// who joined or left up to date.
func (s *Service) setMembers(ctx context.Context, tx *gorm.DB, ch *change, g *models.SCIMGroup, ids []uint) error {
	before, err := s.memberIDs(tx, g.ID)
	if err != nil {
		return err
	}
	if err := tx.Where("group_id = ?", g.ID).Delete(&models.SCIMGroupMember{}).Error; err != nil {
		return err
	}
	if len(ids) > 0 {
		rows := make([]models.SCIMGroupMember, len(ids))
		for i, id := range ids {
			rows[i] = models.SCIMGroupMember{GroupID: g.ID, UserID: id}
		}
		if err := tx.CreateInBatches(rows, 200).Error; err != nil {
			return err
		}
	}
	var touched []uint
	for _, id := range append(before, ids...) {
		if slices.Contains(before, id) != slices.Contains(ids, id) && !slices.Contains(touched, id) {
			touched = append(touched, id)
		}
	}
	return s.syncRoles(ctx, tx, ch, touched)
}

// DeleteGroup handles DELETE /Groups/{id}; its members lose the roles it
// granted.
func (s *Service) DeleteGroup(ctx context.Context, token, rid string) error {
	var name string
	ch := &change{token: token}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		g, err := s.loadGroup(ctx, tx, rid)
		if err != nil {
			return err
		}
		name = g.DisplayName
		members, err := s.memberIDs(tx, g.ID)
		if err != nil {
			return err
		}
		if err := tx.Where("group_id = ?", g.ID).Delete(&models.SCIMGroupMember{}).Error; err != nil {
			return err
		}
		if err := tx.Delete(g).Error; err != nil {
			return err
		}
		return s.syncRoles(ctx, tx, ch, members)
	})
	if err != nil {
		return err
	}
	s.emit(ctx, Event{Action: ActionGroupDeleted, Group: name, Token: token})
	s.emitAll(ctx, ch)
	return nil
}

// syncRoles sets the provider-managed roles of each person to what their
// SCIM groups grant through SSO_ROLE_MAP (a group counts by display name and
// by externalId); roles the map does not name stay as administrators set
// them.
func (s *Service) syncRoles(ctx context.Context, tx *gorm.DB, ch *change, userIDs []uint) error {
	if s.roleMap.Empty() {
		return nil
	}
	for _, id := range userIDs {
		var groups []models.SCIMGroup
		if err := tx.Joins("JOIN scim_group_members ON scim_group_members.group_id = scim_groups.id").
			Where("scim_group_members.user_id = ?", id).Find(&groups).Error; err != nil {
			return err
		}
		var names []string
		for _, g := range groups {
			names = append(names, g.DisplayName)
			if g.ExternalID != "" {
				names = append(names, g.ExternalID)
			}
		}
		var current []string
		if err := tx.Model(&models.UserRole{}).Where("user_id = ?", id).Order("role").Pluck("role", &current).Error; err != nil {
			return err
		}
		roles := s.roleMap.Apply(current, names)
		changed, err := s.people.SetProvidedRoles(ctx, tx, id, roles)
		if errors.Is(err, people.ErrLastAdmin) {
			return conflict("", "%s", err.Error())
		}
		if err != nil {
			return err
		}
		if changed {
			ch.events = append(ch.events, Event{Action: ActionRolesChanged, UserID: id, Token: ch.token, Detail: strings.Join(roles, ",")})
		}
	}
	return nil
}

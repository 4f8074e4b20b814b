package account

import (
	"context"
	"fmt"
)

// GroupChange is a change to a group. Each non-nil field replaces its
// column; a pointer to "" stores NULL.
type GroupChange struct {
	Description    *string
	UploadPolicy   *string
	FinalizePolicy *string
	// IPUse, if not nil, replaces all four IP-use flags.
	IPUse *IPUse
}

// UpdateGroup applies ch to the group named name and returns the stored
// group; with nothing to change it only reads the group. It stores the
// policies as given: checking them is the caller's. The error wraps
// ErrGroupNotFound if there is no such group.
func (s *Store) UpdateGroup(ctx context.Context, name string, ch GroupChange) (*Group, error) {
	q := s.db.NewUpdate().Table("groups").Where("name = ?", name)
	n := 0
	for _, c := range []struct {
		column string
		value  *string
	}{
		{"description", ch.Description},
		{"upload_policy", ch.UploadPolicy},
		{"finalize_policy", ch.FinalizePolicy},
	} {
		if c.value == nil {
			continue
		}
		var v any // NULL
		if *c.value != "" {
			v = *c.value
		}
		q = q.Set(c.column+" = ?", v)
		n++
	}
	if u := ch.IPUse; u != nil {
		q = q.Set("ip_use_commercial = ?", u.Commercial).Set("ip_use_clinical = ?", u.Clinical).
			Set("ip_use_educational = ?", u.Educational).Set("ip_use_research = ?", u.Research)
		n++
	}
	if n > 0 {
		res, err := q.Exec(ctx)
		if err != nil {
			return nil, fmt.Errorf("account: update group %q: %w", name, err)
		}
		if rows, err := res.RowsAffected(); err == nil && rows == 0 {
			return nil, fmt.Errorf("account: group %q: %w", name, ErrGroupNotFound)
		}
	}
	return s.GroupByName(ctx, name)
}

// Groups returns every group in ascending name order, or an empty slice
// when there are none. Its errors come from the database only.
func (s *Store) Groups(ctx context.Context) ([]Group, error) {
	groups := []Group{}
	if err := s.db.NewSelect().Model(&groups).Order("g.name ASC").Scan(ctx); err != nil {
		return nil, fmt.Errorf("account: groups: %w", err)
	}
	return groups, nil
}

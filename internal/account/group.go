package account

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/tabletapi/tabletapi/internal/sqldb"
)

// Group is a row of the groups table. Its users upload into it, under its
// ID policies and intellectual-property use flags (PROTOCOL 5.1).
type Group struct {
	bun.BaseModel `bun:"table:groups,alias:g"`

	ID               int64   `bun:"id,pk,autoincrement"`
	Name             string  `bun:"name,notnull"`
	Description      *string `bun:"description"`
	UploadPolicy     *string `bun:"upload_policy"`
	FinalizePolicy   *string `bun:"finalize_policy"`
	IPUseClinical    bool    `bun:"ip_use_clinical,notnull"`
	IPUseCommercial  bool    `bun:"ip_use_commercial,notnull"`
	IPUseEducational bool    `bun:"ip_use_educational,notnull"`
	IPUseResearch    bool    `bun:"ip_use_research,notnull"`
}

// AddGroup inserts g under a new id, ignoring g.ID, and returns the stored
// group. The error wraps ErrInvalidName if g.Name breaks
// ^[A-Za-z0-9_-]{1,191}$, and ErrExists if the name is taken.
func (s *Store) AddGroup(ctx context.Context, g Group) (*Group, error) {
	if !validGroupName(g.Name) {
		return nil, fmt.Errorf("account: group name %q: %w", g.Name, ErrInvalidName)
	}
	g.ID = 0
	if _, err := s.db.NewInsert().Model(&g).Exec(ctx); err != nil {
		if sqldb.IsUniqueViolation(err) {
			return nil, fmt.Errorf("account: group %q: %w", g.Name, ErrExists)
		}
		return nil, fmt.Errorf("account: add group %q: %w", g.Name, err)
	}
	return &g, nil
}

// GroupByName returns the group with exactly that name. The error wraps
// ErrGroupNotFound if there is none.
func (s *Store) GroupByName(ctx context.Context, name string) (*Group, error) {
	g := new(Group)
	err := s.db.NewSelect().Model(g).Where("g.name = ?", name).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("account: group %q: %w", name, ErrGroupNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("account: group %q: %w", name, err)
	}
	return g, nil
}

// GroupByID returns the group with that id. The error wraps
// ErrGroupNotFound if there is none.
func (s *Store) GroupByID(ctx context.Context, id int64) (*Group, error) {
	g := new(Group)
	err := s.db.NewSelect().Model(g).Where("g.id = ?", id).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("account: group %d: %w", id, ErrGroupNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("account: group %d: %w", id, err)
	}
	return g, nil
}

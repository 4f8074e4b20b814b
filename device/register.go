package device

import (
	"context"
	"fmt"
	"strings"

	"github.com/tabletapi/tabletapi/internal/sqldb"
)

// Registration is what a tablet's register request says (PROTOCOL 6.4).
type Registration struct {
	Name           string // the posted device
	FriendlyName   string // the posted devicefriendlyname; blank means none
	CamcopsVersion string // the posted camcops_version
	UserID         int64  // U, the registering user
}

// Register creates the device named r.Name, or re-registers it, and returns
// the stored row (PROTOCOL 6.4 step 2). It sets the friendly name (NULL when
// blank), the client version, the registering user and the registration
// time; an existing row keeps its id and all its batch fields. It is one
// atomic upsert, so concurrent registrations of one name all succeed with
// one row. The error wraps ErrNameRequired if r.Name is empty,
// ErrReservedName if it is "server", and ErrInsertFailed if the database
// still refuses the row with an integrity error (for example, an unknown
// user).
func (s *Store) Register(ctx context.Context, r Registration) (*Device, error) {
	switch r.Name {
	case "":
		return nil, fmt.Errorf("device: register: %w", ErrNameRequired)
	case ServerName:
		return nil, fmt.Errorf("device %q: %w", r.Name, ErrReservedName)
	}
	now := s.clock()
	d := &Device{
		Name:               r.Name,
		CamcopsVersion:     &r.CamcopsVersion,
		RegisteredByUserID: &r.UserID,
		WhenRegisteredUTC:  &now,
	}
	if strings.TrimSpace(r.FriendlyName) != "" {
		d.FriendlyName = &r.FriendlyName
	}
	err := s.db.NewInsert().Model(d).
		Column("name", "friendly_name", "camcops_version", "registered_by_user_id", "when_registered_utc").
		On("CONFLICT (name) DO UPDATE").
		Set("friendly_name = EXCLUDED.friendly_name").
		Set("camcops_version = EXCLUDED.camcops_version").
		Set("registered_by_user_id = EXCLUDED.registered_by_user_id").
		Set("when_registered_utc = EXCLUDED.when_registered_utc").
		Returning("*").
		Scan(ctx)
	if err != nil {
		if sqldb.IsIntegrityViolation(err) {
			return nil, fmt.Errorf("device %q: register: %w: %w", r.Name, ErrInsertFailed, err)
		}
		return nil, fmt.Errorf("device %q: register: %w", r.Name, err)
	}
	return d, nil
}

package account

import "github.com/uptrace/bun"

// Membership is a row of the memberships table: what a user may do in one
// group. Only the membership in the user's upload group counts for the
// tablet API (PROTOCOL 5.1).
type Membership struct {
	bun.BaseModel `bun:"table:memberships,alias:m"`

	UserID             int64 `bun:"user_id,pk"`
	GroupID            int64 `bun:"group_id,pk"`
	MayUpload          bool  `bun:"may_upload,notnull"`
	MayRegisterDevices bool  `bun:"may_register_devices,notnull"`
	// MayUseWebviewer lets the user see this group's data on the console.
	MayUseWebviewer bool `bun:"may_use_webviewer,notnull"`
}

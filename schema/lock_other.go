//go:build !unix

package schema

import (
	"context"

	"github.com/uptrace/bun"
)

// lockSQLiteFile is a no-op where flock is missing: run one migrator at a
// time by hand there.
func lockSQLiteFile(context.Context, *bun.DB) (func(), error) { return func() {}, nil }

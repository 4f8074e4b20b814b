//go:build unix

package schema

import (
	"context"
	"fmt"
	"os"
	"syscall"

	"github.com/uptrace/bun"
)

// lockSQLiteFile holds an flock on a file beside the database, so two
// processes migrating one SQLite file take turns.
func lockSQLiteFile(ctx context.Context, db *bun.DB) (func(), error) {
	path, err := sqliteMainFile(ctx, db)
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path+"-migrate.lock", os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open migration lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("take migration lock: %w", err)
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN) //nolint:errcheck
		f.Close()
	}, nil
}

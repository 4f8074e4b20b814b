package schema

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/uptrace/bun"

	"github.com/tabletapi/tabletapi/internal/registry"
	"github.com/tabletapi/tabletapi/internal/sqldb"
)

// gatewayTables are the tables of the migrations; a client table may not
// take one of their names.
var gatewayTables = map[string]bool{
	"groups": true, "users": true, "memberships": true, "idnum_definitions": true, "devices": true,
	"dirty_tables": true, "batch_takeovers": true, "sessions": true, "login_failures": true, "lockouts": true,
	"audit_log": true, "schema_migrations": true, "schema_migration_locks": true,
	"task_schedules": true, "task_schedule_items": true, "patient_task_schedules": true,
	"audit_uploads": true, "audit_upload_tables": true,
}

// SyncTables makes the database hold one table per registry table, named
// after the client table, with a typed column per field and the
// bookkeeping columns of PROTOCOL 8.1. It creates missing tables and adds
// columns for new fields; it never drops or changes a column, so removing a
// field or a table from the registry loses nothing. It runs under the same
// lock as Migrate, so servers starting together take turns. On PostgreSQL
// it also creates the functions NowTablesFunction(reg) and
// PatientTablesFunction(reg).
//
// It reads what exists with two queries for all tables (columns, index
// names), so a start that changes nothing costs those and the lock. New
// tables are created up to createBatch to a transaction, each table with its
// indexes in one round trip: no other session can be using a table that
// does not exist yet. A table that exists but lacks columns or indexes is
// changed in a transaction of its own, as a running server of an earlier
// version may be writing to it, and locking several such tables in one
// transaction could deadlock with it.
func SyncTables(ctx context.Context, db *bun.DB, reg *registry.Registry) error {
	for _, t := range reg.Tables() {
		if gatewayTables[strings.ToLower(t.Name)] {
			return fmt.Errorf("schema: registry table %q has the name of a gateway table; rename it", t.Name)
		}
	}
	unlock, err := lockMigrations(ctx, db)
	if err != nil {
		return fmt.Errorf("schema: sync tables: %w", err)
	}
	defer unlock()
	pg := sqldb.IsPostgres(db)
	have, err := readCatalog(ctx, db, pg)
	if err != nil {
		return fmt.Errorf("schema: sync tables: %w", err)
	}
	var missing []*registry.Table
	for _, t := range reg.Tables() {
		cols := have.columns(t.Name)
		if len(cols) == 0 {
			missing = append(missing, t)
			continue
		}
		if err := widenTable(ctx, db, t, cols, have, pg); err != nil {
			return fmt.Errorf("schema: table %s: %w", t.Name, err)
		}
	}
	if err := createAll(ctx, db, missing, pg); err != nil {
		return err
	}
	if pg {
		if err := createNowTables(ctx, db, reg); err != nil {
			return err
		}
		return createPatientTables(ctx, db, reg)
	}
	return nil
}

// createWorkers is how many connections create new tables at once on
// PostgreSQL. Creating a table is mostly waiting: every index build
// (the primary key's, the TOAST table's and those of indexes) ends
// with an fsync of its file, about 1,300 for 150 tables, and connections
// wait for theirs side by side. SQLite has one writer, so one there.
const createWorkers = 4

// createBatch bounds how many new tables one transaction creates. Each
// takes about twelve locks on PostgreSQL (the table, its sequence, TOAST table
// and indexes), held to the commit; the shared lock table has room for 64
// per connection by default, so an unbounded batch would fail for a
// registry of some hundreds of tables.
const createBatch = 50

// createAll creates the tables, none of which exists, in batches of at most
// createBatch tables, createWorkers at a time. It returns the first error;
// the batches committed before it stay, and the next start creates the
// rest.
func createAll(ctx context.Context, db *bun.DB, tables []*registry.Table, pg bool) error {
	workers := 1
	if pg {
		workers = createWorkers
	}
	size := min(createBatch, (len(tables)+workers-1)/workers)
	var batches [][]*registry.Table
	for len(tables) > 0 {
		n := min(len(tables), size)
		batches = append(batches, tables[:n])
		tables = tables[n:]
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errs := make([]error, len(batches))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(workers, len(batches)) {
		wg.Go(func() {
			for i := range next {
				if errs[i] = createTables(ctx, db, batches[i], pg); errs[i] != nil {
					cancel()
				}
			}
		})
	}
	for i := range batches {
		next <- i
	}
	close(next)
	wg.Wait()
	// The first failure, not the cancellations it caused in later batches.
	for _, err := range errs {
		if err != nil && !errors.Is(err, context.Canceled) {
			return err
		}
	}
	return errors.Join(errs...)
}

// createTables creates tables, none of which exists, with their indexes.
func createTables(ctx context.Context, db *bun.DB, tables []*registry.Table, pg bool) error {
	return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		for _, t := range tables {
			if _, err := tx.ExecContext(ctx, strings.Join(tableDDL(t, pg), ";\n")); err != nil {
				return fmt.Errorf("schema: table %s: %w", t.Name, err)
			}
		}
		return nil
	})
}

// widenTable adds the columns and indexes that t lacks, given the lower-cased
// names of its columns, in one transaction; it does nothing if none lacks.
func widenTable(ctx context.Context, db *bun.DB, t *registry.Table, cols map[string]bool, have *catalog, pg bool) error {
	type step struct{ label, sql string }
	var steps []step
	for _, f := range t.Fields {
		if !cols[strings.ToLower(f.Name)] {
			steps = append(steps, step{
				"add column " + f.Name,
				"ALTER TABLE " + quote(t.Name) + " ADD COLUMN " + quote(f.Name) + " " + FieldSQLType(f.Type, pg),
			})
		}
	}
	for _, ix := range indexes(t) {
		if !have.hasIndex(ix.name) {
			steps = append(steps, step{"index", ix.sql})
		}
	}
	if len(steps) == 0 {
		return nil
	}
	return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		for _, s := range steps {
			if _, err := tx.ExecContext(ctx, s.sql); err != nil {
				return fmt.Errorf("%s: %w", s.label, err)
			}
		}
		return nil
	})
}

package schema

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
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
	"audit": true, "schema_migrations": true, "schema_migration_locks": true,
}

// SyncTables makes the database hold one table per registry table, named
// after the client table, with a typed column per field and the
// bookkeeping columns of PROTOCOL 8.1. It creates missing tables and adds
// columns for new fields; it never drops or changes a column, so removing a
// field or a table from the registry loses nothing. It runs under the same
// lock as Migrate, so servers starting together take turns.
//
// It reads what exists with two queries for all tables (columns, index
// names), so a start that changes nothing costs those and the lock. New
// tables are created createBatch to a transaction, each table with its
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
	return createAll(ctx, db, missing, pg)
}

// createWorkers is how many connections create new tables at once on
// PostgreSQL. Creating a table is mostly waiting: every index build
// (the primary key's, the TOAST table's and the five of indexes) ends
// with an fsync of its file, about 1,000 for 150 tables, and connections
// wait for theirs side by side. SQLite has one writer, so one there.
const createWorkers = 4

// createBatch bounds how many new tables one transaction creates. Each
// takes about ten locks on PostgreSQL (the table, its sequence, TOAST table
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
			stmts := []string{createTable(t, pg)}
			for _, ix := range indexes(t) {
				stmts = append(stmts, ix.sql)
			}
			if _, err := tx.ExecContext(ctx, strings.Join(stmts, ";\n")); err != nil {
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
			steps = append(steps, step{"add column " + f.Name,
				"ALTER TABLE " + quote(t.Name) + " ADD COLUMN " + quote(f.Name) + " " + FieldSQLType(f.Type, pg)})
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

// FieldSQLType is the column type of a registry field type. Date-times are
// ISO 8601 text with microseconds and the client's offset (PROTOCOL 7.6:
// the instant to the microsecond, and the offset, are both kept). Times of
// day are TIME on PostgreSQL and, on SQLite, text in the form of
// codec.Time.String (HH:MM:SS, with a fraction only when there is one).
func FieldSQLType(ft registry.FieldType, pg bool) string {
	switch ft {
	case registry.Integer:
		return "BIGINT"
	case registry.Real:
		if pg {
			return "DOUBLE PRECISION"
		}
		return "REAL"
	case registry.Boolean:
		return "BOOLEAN"
	case registry.Date:
		if pg {
			return "DATE"
		}
		return "TEXT"
	case registry.Time:
		if pg {
			return "TIME"
		}
		return "TEXT"
	case registry.Blob:
		if pg {
			return "BYTEA"
		}
		return "BLOB"
	default: // text, datetime
		return "TEXT"
	}
}

// Bookkeeping columns (PROTOCOL 8.1), in table order.
func bookkeeping(pg bool) []string {
	types := typesFor(pg)
	return []string{
		"_device_id BIGINT NOT NULL",
		"_era VARCHAR(32) NOT NULL",
		"_current BOOLEAN NOT NULL",
		"_when_added_exact " + types.Time,
		"_when_added_batch_utc " + types.Time,
		"_adding_user_id BIGINT",
		"_when_removed_exact " + types.Time,
		"_when_removed_batch_utc " + types.Time,
		"_removing_user_id BIGINT",
		"_preserving_user_id BIGINT",
		"_forcibly_preserved BOOLEAN NOT NULL DEFAULT FALSE",
		"_predecessor_pk BIGINT",
		"_successor_pk BIGINT",
		"_manually_erased BOOLEAN NOT NULL DEFAULT FALSE",
		"_manually_erased_at " + types.Time,
		"_manually_erasing_user_id BIGINT",
		"_camcops_version VARCHAR(255)",
		"_addition_pending BOOLEAN NOT NULL DEFAULT FALSE",
		"_removal_pending BOOLEAN NOT NULL DEFAULT FALSE",
		"_group_id BIGINT",
	}
}

func createTable(t *registry.Table, pg bool) string {
	types := typesFor(pg)
	cols := []string{"_pk " + types.PK}
	for _, f := range t.Fields {
		def := quote(f.Name) + " " + FieldSQLType(f.Type, pg)
		if f.Name == t.PK {
			def += " NOT NULL"
		}
		cols = append(cols, def)
	}
	cols = append(cols, bookkeeping(pg)...)
	return "CREATE TABLE " + quote(t.Name) + " (\n    " + strings.Join(cols, ",\n    ") + "\n)"
}

// index is one index of a client table.
type index struct {
	name string
	sql  string // CREATE INDEX IF NOT EXISTS …
}

// indexes are what the upload engine's queries need, each bounded by the
// device's own rows: live rows by client PK, era-NOW rows (commit and
// preservation), pending rows, and all versions by client PK (the
// already-received check on preserved rows).
func indexes(t *registry.Table) []index {
	tbl, pk := quote(t.Name), quote(t.PK)
	ix := func(suffix, def string) index {
		name := indexName(t.Name, suffix)
		return index{name, "CREATE INDEX IF NOT EXISTS " + quote(name) + " ON " + tbl + " " + def}
	}
	return []index{
		ix("pk", "(_device_id, "+pk+")"),
		ix("now", "(_device_id) WHERE _era = 'NOW'"),
		ix("add", "(_device_id) WHERE _addition_pending"),
		ix("rem", "(_device_id) WHERE _removal_pending"),
		ix("pred", "(_predecessor_pk) WHERE _predecessor_pk IS NOT NULL"),
	}
}

// indexName keeps index names within PostgreSQL's 63 bytes and distinct.
func indexName(table, suffix string) string {
	name := table + "_" + suffix + "_idx"
	if len(name) <= 63 {
		return name
	}
	h := sha256.Sum256([]byte(table))
	return table[:40] + "_" + hex.EncodeToString(h[:4]) + "_" + suffix + "_idx"
}

// quote quotes an identifier that the registry has already checked to be
// [A-Za-z_][A-Za-z0-9_]*.
func quote(name string) string { return `"` + name + `"` }

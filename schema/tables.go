package schema

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

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
	for _, t := range reg.Tables() {
		if err := syncTable(ctx, db, t, pg); err != nil {
			return fmt.Errorf("schema: table %s: %w", t.Name, err)
		}
	}
	return nil
}

func syncTable(ctx context.Context, db *bun.DB, t *registry.Table, pg bool) error {
	return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		have, err := columns(ctx, tx, t.Name, pg)
		if err != nil {
			return err
		}
		if len(have) == 0 {
			if _, err := tx.ExecContext(ctx, createTable(t, pg)); err != nil {
				return err
			}
		} else {
			for _, f := range t.Fields {
				if have[strings.ToLower(f.Name)] {
					continue
				}
				if _, err := tx.ExecContext(ctx, "ALTER TABLE ? ADD COLUMN ? "+FieldSQLType(f.Type, pg),
					bun.Ident(t.Name), bun.Ident(f.Name)); err != nil {
					return fmt.Errorf("add column %s: %w", f.Name, err)
				}
			}
		}
		for _, ix := range indexes(t) {
			if _, err := tx.ExecContext(ctx, ix); err != nil {
				return fmt.Errorf("index: %w", err)
			}
		}
		return nil
	})
}

// columns returns the lower-cased column names of table, none if it is
// missing.
func columns(ctx context.Context, db bun.IDB, table string, pg bool) (map[string]bool, error) {
	q := "SELECT name FROM pragma_table_info(?)"
	if pg {
		q = "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ?"
	}
	var names []string
	if err := db.NewRaw(q, table).Scan(ctx, &names); err != nil {
		return nil, err
	}
	have := make(map[string]bool, len(names))
	for _, n := range names {
		have[strings.ToLower(n)] = true
	}
	return have, nil
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

// indexes are what the upload engine's queries need, each bounded by the
// device's own rows: live rows by client PK, era-NOW rows (commit and
// preservation), pending rows, and all versions by client PK (the
// already-received check on preserved rows).
func indexes(t *registry.Table) []string {
	tbl, pk := quote(t.Name), quote(t.PK)
	ix := func(suffix string) string { return quote(indexName(t.Name, suffix)) }
	return []string{
		"CREATE INDEX IF NOT EXISTS " + ix("pk") + " ON " + tbl + " (_device_id, " + pk + ")",
		"CREATE INDEX IF NOT EXISTS " + ix("now") + " ON " + tbl + " (_device_id) WHERE _era = 'NOW'",
		"CREATE INDEX IF NOT EXISTS " + ix("add") + " ON " + tbl + " (_device_id) WHERE _addition_pending",
		"CREATE INDEX IF NOT EXISTS " + ix("rem") + " ON " + tbl + " (_device_id) WHERE _removal_pending",
		"CREATE INDEX IF NOT EXISTS " + ix("pred") + " ON " + tbl + " (_predecessor_pk) WHERE _predecessor_pk IS NOT NULL",
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

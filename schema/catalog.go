package schema

import (
	"context"
	"strings"

	"github.com/uptrace/bun"
)

// catalog is what SyncTables finds in the database: the columns of every
// table and the names of the indexes, read with one query each.
type catalog struct {
	pg      bool
	cols    map[string]map[string]bool // by table key: lower-cased column names
	indexes map[string]bool            // by index key
}

// key is how the database compares a table or index name: exactly on
// PostgreSQL, where the registry's names are quoted; ignoring letter case on
// SQLite.
func (c *catalog) key(name string) string {
	if c.pg {
		return name
	}
	return strings.ToLower(name)
}

// columns returns the lower-cased column names of table, none if it is
// missing.
func (c *catalog) columns(table string) map[string]bool { return c.cols[c.key(table)] }

// hasIndex reports whether an index of that name exists.
func (c *catalog) hasIndex(name string) bool { return c.indexes[c.key(name)] }

// Catalog queries of each dialect. On PostgreSQL they read pg_catalog for
// the current schema, several times faster than information_schema; the
// relation kinds are those information_schema.columns lists (tables,
// views, foreign and partitioned tables), as the per-table query before
// did. On SQLite pragma_table_info joins every table and view.
const (
	pgColumns = `SELECT c.relname, a.attname FROM pg_catalog.pg_attribute a
JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
WHERE c.relnamespace = to_regnamespace(current_schema()) AND c.relkind IN ('r', 'v', 'f', 'p')
AND a.attnum > 0 AND NOT a.attisdropped`
	pgIndexes = `SELECT relname FROM pg_catalog.pg_class
WHERE relnamespace = to_regnamespace(current_schema()) AND relkind IN ('i', 'I')`
	sqliteColumns = `SELECT m.name, p.name FROM sqlite_schema AS m, pragma_table_info(m.name) AS p
WHERE m.type IN ('table', 'view')`
	sqliteIndexes = `SELECT name FROM sqlite_schema WHERE type = 'index'`
)

// readCatalog reads the columns of every table and the index names.
func readCatalog(ctx context.Context, db bun.IDB, pg bool) (*catalog, error) {
	c := &catalog{pg: pg, cols: map[string]map[string]bool{}, indexes: map[string]bool{}}
	qCols, qIdx := sqliteColumns, sqliteIndexes
	if pg {
		qCols, qIdx = pgColumns, pgIndexes
	}
	rows, err := db.QueryContext(ctx, qCols)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var table, col string
		if err := rows.Scan(&table, &col); err != nil {
			return nil, err
		}
		k := c.key(table)
		if c.cols[k] == nil {
			c.cols[k] = map[string]bool{}
		}
		c.cols[k][strings.ToLower(col)] = true
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var names []string
	if err := db.NewRaw(qIdx).Scan(ctx, &names); err != nil {
		return nil, err
	}
	for _, n := range names {
		c.indexes[c.key(n)] = true
	}
	return c, nil
}

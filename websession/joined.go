package websession

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/tabletapi/tabletapi/internal/sqldb"
)

// JoinedLookup is Lookup that also reads, in the same statement, columns
// another package needs for the same request: a request that holds a
// session then costs one round trip to the database, not two.
//
// The session part of the statement (its columns, the join with users, the
// id and disabled-user conditions) and every validity rule stay here; the
// caller adds only select-list items and joins, and owns what they mean.
// The extra columns are read whatever the outcome, and are meaningful
// only when Lookup returns a session.
type JoinedLookup struct {
	store *Store
	query string      // with ? placeholders: the extra ones first, the session id last
	stmt  *sqldb.Stmt // nil on a Store made on a transaction
}

// NewJoinedLookup returns a lookup that reads, after the session's
// columns, the select-list items columns (comma-separated), with joins
// (JOIN clauses) added after the join of sessions (alias s) with users
// (alias u). Both may hold ? placeholders; neither may come from a
// request. It is prepared on first use, like Lookup's statement.
func (s *Store) NewJoinedLookup(columns, joins string) *JoinedLookup {
	j := &JoinedLookup{store: s, query: `SELECT ` + lookupColumns + `, ` + columns + `
FROM ` + lookupFrom + `
` + joins + `
WHERE ` + lookupWhere}
	if root, ok := s.db.(*bun.DB); ok {
		j.stmt = sqldb.NewStmt(root, j.query)
	}
	return j
}

// Lookup is Store.Lookup (the same rules, errors and activity write) that
// also scans the extra columns into dest, in order. args are the values of
// the ? placeholders in the extra columns and joins, in order.
func (j *JoinedLookup) Lookup(ctx context.Context, id int64, token, ip string, args []any, dest ...any) (*Session, error) {
	s := j.store
	sess := new(Session)
	all := append(sess.dest(), dest...)
	qargs := append(append(make([]any, 0, len(args)+1), args...), id)
	var err error
	if j.stmt != nil {
		err = j.stmt.QueryRowContext(ctx, s.db, qargs...).Scan(all...)
	} else {
		err = s.db.QueryRowContext(ctx, j.query, qargs...).Scan(all...)
	}
	return s.validate(ctx, sess, err, id, token, ip, true)
}

// Close releases the prepared statement.
func (j *JoinedLookup) Close() error {
	if j.stmt == nil {
		return nil
	}
	return j.stmt.Close()
}

package patient

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/tabletapi/tabletapi/device"
)

// Store reads and writes the server's own patients: the current rows of
// the patient and patient_idnum tables that the server device owns (_era
// NOW, _current true). It works on a *bun.DB or a bun.Tx.
type Store struct {
	db  bun.IDB
	now func() time.Time
}

// NewStore returns a Store on db. Its writes are timed by time.Now;
// WithClock changes that.
func NewStore(db bun.IDB) *Store { return &Store{db: db, now: time.Now} }

// WithClock returns a Store whose writes are timed by now.
func (s *Store) WithClock(now func() time.Time) *Store { return &Store{db: s.db, now: now} }

// WithTx returns a Store that runs its queries inside tx.
func (s *Store) WithTx(tx bun.Tx) *Store { return &Store{db: tx, now: s.now} }

// serverPatientColumns are the columns scanServer reads, from patient AS p.
const serverPatientColumns = `p._pk, p.id, p.uuid, p._group_id, p.forename, p.surname, p.sex, p.dob,
  p.address, p.email, p.gp, p.other`

// ServerPatient returns the current server-created patient whose _pk is pk,
// with its current ID numbers, or nil if there is none. Other errors are
// database errors.
func (s *Store) ServerPatient(ctx context.Context, pk int64) (*ServerPatient, error) {
	return s.findServer(ctx, "p._pk = ?", pk)
}

// ServerPatientByUUID returns the current server-created patient whose
// patient.uuid is id (PROTOCOL 6.3 step 3), with its current ID numbers
// (step 4: IDNums is empty when it has none), or nil if there is none.
// Other errors are database errors.
func (s *Store) ServerPatientByUUID(ctx context.Context, id [16]byte) (*ServerPatient, error) {
	return s.findServer(ctx, "p.uuid = ?", FormatUUID(id))
}

// findServer reads the one current server patient that where selects.
func (s *Store) findServer(ctx context.Context, where string, arg any) (*ServerPatient, error) {
	row := s.db.QueryRowContext(ctx, `SELECT `+serverPatientColumns+`
FROM patient AS p JOIN devices AS d ON d.id = p._device_id AND d.name = ?
WHERE `+where+` AND p._era = 'NOW' AND p._current`, device.ServerName, arg)
	p, err := scanServer(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("patient: read server patient: %w", err)
	}
	ids, err := s.serverIDNums(ctx, "i.patient_id = ?", p.ID)
	if err != nil {
		return nil, err
	}
	p.IDNums = ids[p.ID]
	if p.IDNums == nil {
		p.IDNums = map[int64]int64{}
	}
	return p, nil
}

// scanServer reads one row of serverPatientColumns.
func scanServer(row interface{ Scan(...any) error }) (*ServerPatient, error) {
	var p ServerPatient
	var uuid *string
	if err := row.Scan(&p.PK, &p.ID, &uuid, &p.GroupID, &p.Forename, &p.Surname, &p.Sex, &p.DOB,
		&p.Address, &p.Email, &p.GP, &p.Other); err != nil {
		return nil, err
	}
	if uuid != nil {
		p.UUID = *uuid
	}
	if p.DOB != nil && len(*p.DOB) > 10 {
		d := (*p.DOB)[:10] // PostgreSQL DATE scans as a timestamp text
		p.DOB = &d
	}
	return &p, nil
}

// serverIDNums returns the current ID numbers of the server's patients
// that where selects (on patient_idnum AS i), by client patient id.
func (s *Store) serverIDNums(ctx context.Context, where string, args ...any) (map[int64]map[int64]int64, error) {
	rows, err := s.db.QueryContext(ctx, `
SELECT i.patient_id, i.which_idnum, i.idnum_value FROM patient_idnum AS i
WHERE i._device_id = (SELECT id FROM devices WHERE name = ?) AND i._era = 'NOW' AND i._current
  AND i.which_idnum IS NOT NULL AND i.idnum_value IS NOT NULL AND `+where,
		append([]any{device.ServerName}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("patient: read server patients' ID numbers: %w", err)
	}
	defer rows.Close()
	out := map[int64]map[int64]int64{}
	for rows.Next() {
		var id, n, v int64
		if err := rows.Scan(&id, &n, &v); err != nil {
			return nil, fmt.Errorf("patient: read server patients' ID numbers: %w", err)
		}
		if out[id] == nil {
			out[id] = map[int64]int64{}
		}
		out[id][n] = v
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("patient: read server patients' ID numbers: %w", err)
	}
	return out, nil
}

// ServerPatients returns the current server-created patients, of the group
// groupID only if it is not nil, in the order they were created, each with
// its current ID numbers; an empty slice when there are none. Its errors
// come from the database only.
func (s *Store) ServerPatients(ctx context.Context, groupID *int64) ([]ServerPatient, error) {
	q := `SELECT ` + serverPatientColumns + `
FROM patient AS p JOIN devices AS d ON d.id = p._device_id AND d.name = ?
WHERE p._era = 'NOW' AND p._current`
	args := []any{device.ServerName}
	if groupID != nil {
		q += " AND p._group_id = ?"
		args = append(args, *groupID)
	}
	rows, err := s.db.QueryContext(ctx, q+" ORDER BY p._pk", args...)
	if err != nil {
		return nil, fmt.Errorf("patient: list server patients: %w", err)
	}
	defer rows.Close()
	out := []ServerPatient{}
	for rows.Next() {
		p, err := scanServer(rows)
		if err != nil {
			return nil, fmt.Errorf("patient: list server patients: %w", err)
		}
		out = append(out, *p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("patient: list server patients: %w", err)
	}
	ids, err := s.serverIDNums(ctx, "TRUE")
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].IDNums = ids[out[i].ID]
		if out[i].IDNums == nil {
			out[i].IDNums = map[int64]int64{}
		}
	}
	return out, nil
}

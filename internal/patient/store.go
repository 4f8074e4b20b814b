package patient

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/tabletapi/tabletapi/device"
)

// Store reads the server's own patients: the current rows of the patient
// and patient_idnum tables that the server device owns. It works on a
// *bun.DB or a bun.Tx.
type Store struct {
	db bun.IDB
}

// NewStore returns a Store on db.
func NewStore(db bun.IDB) *Store { return &Store{db: db} }

// ServerPatient returns the current server-created patient whose _pk is pk,
// with its current ID numbers, or nil if there is none. Other errors are
// database errors.
func (s *Store) ServerPatient(ctx context.Context, pk int64) (*ServerPatient, error) {
	var p ServerPatient
	var id int64
	err := s.db.QueryRowContext(ctx, `
SELECT p.id, p.forename, p.surname, p.sex, p.dob, p.address, p.email, p.gp, p.other
FROM patient AS p JOIN devices AS d ON d.id = p._device_id AND d.name = ?
WHERE p._pk = ? AND p._era = 'NOW' AND p._current`, device.ServerName, pk).Scan(&id, &p.Forename, &p.Surname,
		&p.Sex, &p.DOB, &p.Address, &p.Email, &p.GP, &p.Other)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("patient: read server patient: %w", err)
	}
	if p.DOB != nil && len(*p.DOB) > 10 {
		d := (*p.DOB)[:10] // PostgreSQL DATE scans as a timestamp text
		p.DOB = &d
	}
	p.IDNums = map[int64]int64{}
	rows, err := s.db.QueryContext(ctx, `
SELECT i.which_idnum, i.idnum_value FROM patient_idnum AS i
WHERE i._device_id = (SELECT id FROM devices WHERE name = ?) AND i._era = 'NOW' AND i._current
  AND i.patient_id = ? AND i.which_idnum IS NOT NULL AND i.idnum_value IS NOT NULL`, device.ServerName, id)
	if err != nil {
		return nil, fmt.Errorf("patient: read server patient's ID numbers: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var n, v int64
		if err := rows.Scan(&n, &v); err != nil {
			return nil, fmt.Errorf("patient: read server patient's ID numbers: %w", err)
		}
		p.IDNums[n] = v
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("patient: read server patient's ID numbers: %w", err)
	}
	return &p, nil
}

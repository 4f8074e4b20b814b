package patient

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/uptrace/bun"

	"github.com/tabletapi/tabletapi/device"
	"github.com/tabletapi/tabletapi/internal/codec"
)

// CreateServer stores p as a new server-created patient of the group
// groupID, with its ID numbers, all in one transaction (a savepoint on a
// bun.Tx), and returns the stored patient with PK, ID, GroupID and a new
// random version 4 UUID filled in. The rows are owned by the server device
// (created if missing), _era NOW, _current true; their client ids follow
// the server's highest, under the server device's row lock, so concurrent
// creators cannot take one id twice. It writes p as given: checking it
// (Check) is the caller's. Its errors come from the database only; a
// database without the registry's patient and patient_idnum tables fails.
func (s *Store) CreateServer(ctx context.Context, groupID int64, p ServerPatient) (*ServerPatient, error) {
	now := s.now().UTC().Truncate(time.Microsecond)
	modified := codec.NewDateTime(now).String()
	p.GroupID, p.UUID = &groupID, NewUUID()
	p.IDNums = maps.Clone(p.IDNums)
	err := s.db.RunInTx(ctx, nil, func(_ context.Context, tx bun.Tx) error {
		// The callback's context is the outer transaction's for a
		// savepoint, not ours.
		devices := device.NewStore(tx, s.now)
		server, err := devices.ServerID(ctx)
		if err != nil {
			return err
		}
		if _, err := devices.LockForBatch(ctx, server); err != nil {
			return err
		}
		if p.ID, err = nextID(ctx, tx, "patient", server); err != nil {
			return err
		}
		// Bookkeeping as a one-step upload writes it (PROTOCOL 8.1), with no
		// adding user: an administrator made the row.
		const book = `_device_id, _era, _current, _addition_pending, _removal_pending, _forcibly_preserved,
  _manually_erased, _when_added_exact, _when_added_batch_utc, _group_id`
		bookVals := []any{server, "NOW", true, false, false, false, false, now, now, groupID}
		err = tx.NewRaw(`INSERT INTO patient (id, when_last_modified, _move_off_tablet, uuid, forename, surname,
  dob, sex, address, email, gp, other, `+book+`)
VALUES (?, ?, FALSE, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING _pk`,
			append([]any{p.ID, modified, p.UUID, p.Forename, p.Surname, p.DOB, p.Sex, p.Address, p.Email, p.GP, p.Other},
				bookVals...)...).Scan(ctx, &p.PK)
		if err != nil {
			return fmt.Errorf("patient: create server patient: %w", err)
		}
		idnumID, err := nextID(ctx, tx, "patient_idnum", server)
		if err != nil {
			return err
		}
		for _, which := range slices.Sorted(maps.Keys(p.IDNums)) {
			if _, err := tx.ExecContext(ctx, `INSERT INTO patient_idnum (id, when_last_modified, _move_off_tablet,
  patient_id, which_idnum, idnum_value, `+book+`)
VALUES (?, ?, FALSE, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				append([]any{idnumID, modified, p.ID, which, p.IDNums[which]}, bookVals...)...); err != nil {
				return fmt.Errorf("patient: create server patient's ID number: %w", err)
			}
			idnumID++
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// nextID returns the client id after the highest that the device has in
// table, in any era: a new row must not take the id of a preserved one.
func nextID(ctx context.Context, db bun.IDB, table string, deviceID int64) (int64, error) {
	var id int64
	err := db.NewRaw("SELECT COALESCE(MAX(id), 0) + 1 FROM "+table+" WHERE _device_id = ?", deviceID).Scan(ctx, &id)
	if err != nil {
		return 0, fmt.Errorf("patient: next %s id: %w", table, err)
	}
	return id, nil
}

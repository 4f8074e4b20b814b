package upload

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/tabletapi/tabletapi/internal/codec"
	"github.com/tabletapi/tabletapi/internal/fault"
	"github.com/tabletapi/tabletapi/internal/registry"
)

// WhichKeysToSend is which_keys_to_send (PROTOCOL 6.17): trim the table to
// the client's PKs, then ask only for records that are new or changed. An
// unchanged record whose move-off flag was just set is not asked for; the
// server flags it itself.
func (e *Engine) WhichKeysToSend(ctx context.Context, c *Call) (string, error) {
	t, err := e.tableParam(c)
	if err != nil {
		return "", err
	}
	if err := pknameParam(c, t); err != nil {
		return "", err
	}
	pkItems := codec.Decode(c.Get("pkvalues"))
	dateItems := codec.Decode(c.Get("datevalues"))
	if len(pkItems) != len(dateItems) {
		return "", userErrorf("Number of PK values (%d) doesn't match number of dates (%d)", len(pkItems), len(dateItems))
	}
	rawFlags, hasFlags := c.Raw("move_off_tablet_values")
	var flags []codec.Value
	if hasFlags {
		switch {
		case strings.TrimSpace(rawFlags) != "":
			flags = codec.Decode(rawFlags)
		case len(pkItems) == 1:
			// The client joins a single NULL flag into an empty string (C8).
			flags = []codec.Value{{Kind: codec.KindNull}}
		default:
			return "", fault.MissingVariable("move_off_tablet_values")
		}
		if len(flags) != len(pkItems) {
			return "", userErrorf("Number of move-off-tablet values (%d) doesn't match number of PKs (%d)", len(flags), len(pkItems))
		}
	}
	pks := make([]int64, len(pkItems))
	dates := make([]codec.DateTime, len(pkItems))
	for i, v := range pkItems {
		if v.Kind != codec.KindInt {
			return "", badClientPK(v)
		}
		pks[i] = v.Int
		d := dateItems[i]
		if d.Kind == codec.KindNull || (d.Kind == codec.KindText && d.Text == "") {
			return "", userErrorf("Missing date/time for client PK %d", v.Int)
		}
		text := d.Raw
		if d.Kind == codec.KindText {
			text = d.Text
		}
		dt, err := codec.ParseDateTime(text)
		if err != nil {
			return "", userErrorf("Bad date/time: %s", codec.Repr(text))
		}
		dates[i] = dt
	}

	b, err := e.begin(ctx, c)
	if err != nil {
		return "", err
	}
	live, err := e.trim(ctx, c, b, t, pks)
	if err != nil {
		return "", err
	}
	var preserved map[int64][]string // client PK → canonical dates of preserved rows
	if hasFlags && !patientKind(t) {
		if preserved, err = e.preservedDates(ctx, c, t, pks, live); err != nil {
			return "", err
		}
	}
	var needed []string
	var flagRoots []int64
	received := 0
	for i, pk := range pks {
		l := live[pk]
		switch {
		case !hasFlags:
			needed = append(needed, strconv.FormatInt(pk, 10))
		case l == nil:
			if contains(preserved[pk], canonical(dates[i], registry.DateTime)) {
				received++
				continue
			}
			needed = append(needed, strconv.FormatInt(pk, 10))
		case l.WLM == nil || !l.WLM.Equal(dates[i]):
			needed = append(needed, strconv.FormatInt(pk, 10))
		case l.MoveOff != flagTrue(flags[i]) && flagTrue(flags[i]):
			flagRoots = append(flagRoots, l.PK)
		}
	}
	if len(flagRoots) > 0 {
		if _, err := e.flagChains(ctx, c, b, t, flagRoots, false); err != nil {
			return "", err
		}
		if err := e.markDirty(ctx, c, t); err != nil {
			return "", err
		}
	}
	if received > 0 {
		if err := e.setAlreadyReceived(ctx, c, b); err != nil {
			return "", err
		}
	}
	return strings.Join(needed, ","), nil
}

// flagTrue reads a move-off flag: true for a non-zero number or a
// non-empty string.
func flagTrue(v codec.Value) bool {
	switch v.Kind {
	case codec.KindInt:
		return v.Int != 0
	case codec.KindReal:
		return v.Real != 0
	case codec.KindText:
		return v.Text != ""
	case codec.KindBytes:
		return len(v.Bytes) > 0
	}
	return false
}

// preservedDates returns the when_last_modified instants (canonical) of
// D's preserved rows for the PKs that have no live copy.
func (e *Engine) preservedDates(ctx context.Context, c *Call, t *registry.Table, pks []int64, live map[int64]*liveRow) (map[int64][]string, error) {
	var missing []int64
	for _, pk := range pks {
		if live[pk] == nil {
			missing = append(missing, pk)
		}
	}
	out := map[int64][]string{}
	for _, part := range chunks(missing) {
		rows, err := c.Tx.QueryContext(ctx, "SELECT "+ident(t.PK)+", when_last_modified FROM "+ident(t.Name)+
			" WHERE _device_id = ? AND _era <> 'NOW' AND "+ident(t.PK)+" IN ("+intList(part)+")", c.DeviceID)
		if err != nil {
			return nil, fmt.Errorf("upload: read preserved rows of %s: %w", t.Name, err)
		}
		for rows.Next() {
			var pk int64
			var wlm any
			if err := rows.Scan(&pk, &wlm); err != nil {
				rows.Close()
				return nil, fmt.Errorf("upload: read preserved rows of %s: %w", t.Name, err)
			}
			out[pk] = append(out[pk], canonical(wlm, registry.DateTime))
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

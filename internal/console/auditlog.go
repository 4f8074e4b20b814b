package console

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/tabletapi/tabletapi/device"
	"github.com/tabletapi/tabletapi/internal/audit"
)

// auditPage is how many entries a page of the audit log shows.
const auditPage = 50

// auditRow is an audit entry with its device's name ("" for none; the
// id when the device is gone).
type auditRow struct {
	audit.Entry
	Device string
}

// auditData is the data of the audit log.
type auditData struct {
	Entries    []auditRow
	Operations []string
	// The filter as given: user, device name, operation, from and to
	// (YYYY-MM-DD, UTC, both days included).
	User, Device, Operation, From, To string
	Message                           string // e.g. an unknown device
	Older                             string // the older page's URL; "" on the last page
}

// handleAudit lists the audit log, newest first, filtered by user,
// device, operation and a range of UTC days, older than ?before=ID.
func (c *Console) handleAudit(ec echo.Context) error {
	ctx := ec.Request().Context()
	d := auditData{Operations: audit.Operations(), User: ec.QueryParam("user"), Device: ec.QueryParam("device"),
		Operation: ec.QueryParam("operation"), From: ec.QueryParam("from"), To: ec.QueryParam("to")}
	before, err := intParam(ec, "before")
	if err != nil {
		return err
	}
	f := audit.Filter{Username: d.User, Operation: d.Operation, BeforeID: before, Limit: auditPage + 1}
	if f.Since, err = dayParam(d.From, "from"); err != nil {
		return err
	}
	if f.Until, err = dayParam(d.To, "to"); err != nil {
		return err
	}
	if !f.Until.IsZero() {
		f.Until = f.Until.AddDate(0, 0, 1) // the "to" day is included
	}
	list, err := device.NewStore(c.db, c.now).ListForConsole(ctx)
	if err != nil {
		return err
	}
	names := make(map[int64]string, len(list))
	for _, dev := range list {
		names[dev.ID] = dev.Name
	}
	if d.Device != "" {
		id, err := device.NewStore(c.db, c.now).IDByName(ctx, d.Device)
		if errors.Is(err, device.ErrNotFound) {
			d.Message = "No device is named " + strconv.Quote(d.Device) + "."
			return c.render(ec, http.StatusOK, "audit", "Audit log", d)
		}
		if err != nil {
			return err
		}
		f.DeviceID = id
	}
	entries, err := audit.List(ctx, c.db, f)
	if errors.Is(err, audit.ErrBadFilter) {
		return echo.NewHTTPError(http.StatusBadRequest, "Bad filter: an unknown operation, or the end before the start.")
	}
	if err != nil {
		return err
	}
	for i, e := range entries {
		if i == auditPage {
			break
		}
		r := auditRow{Entry: e}
		if e.DeviceID != nil {
			if r.Device = names[*e.DeviceID]; r.Device == "" {
				r.Device = strconv.FormatInt(*e.DeviceID, 10)
			}
		}
		d.Entries = append(d.Entries, r)
	}
	if len(entries) > auditPage {
		q := url.Values{"before": {strconv.FormatInt(entries[auditPage-1].ID, 10)}}
		for k, v := range map[string]string{"user": d.User, "device": d.Device, "operation": d.Operation,
			"from": d.From, "to": d.To} {
			if v != "" {
				q.Set(k, v)
			}
		}
		d.Older = c.url("/audit") + "?" + q.Encode()
	}
	return c.render(ec, http.StatusOK, "audit", "Audit log", d)
}

// dayParam parses a date of the form YYYY-MM-DD as midnight UTC; blank is
// the zero time, anything else a 400.
func dayParam(s, name string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, echo.NewHTTPError(http.StatusBadRequest, "The "+name+" date must be written YYYY-MM-DD.")
	}
	return t, nil
}

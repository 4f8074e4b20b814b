package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/tabletapi/tabletapi/device"
	"github.com/tabletapi/tabletapi/internal/audit"
)

func runAudit(ctx context.Context, e env, args []string) error {
	f := newFlags(e)
	since := f.Duration("since", 0, "only entries of this last duration, e.g. 24h or 90m (default all)")
	user := f.String("user", "", "only entries of this username")
	dev := f.String("device", "", "only entries of this device (its name, as device list prints it)")
	op := f.String("operation", "", "only entries of this operation: "+strings.Join(audit.Operations(), ", "))
	limit := f.Int("limit", audit.DefaultLimit, "print at most this many entries, newest first (1-"+strconv.Itoa(audit.MaxLimit)+")")
	var filter audit.Filter
	check := func(string) error {
		switch {
		case *since < 0:
			return usagef("--since must not be negative, not %v", *since)
		case *limit < 1 || *limit > audit.MaxLimit:
			return usagef("--limit must be 1-%d, not %d", audit.MaxLimit, *limit)
		case *op != "" && !slices.Contains(audit.Operations(), *op):
			return usagef("--operation %q is unknown; valid values: %s", *op, strings.Join(audit.Operations(), ", "))
		}
		filter = audit.Filter{Username: *user, Operation: *op, Limit: *limit}
		if *since > 0 {
			filter.Since = e.now().Add(-*since)
		}
		return nil
	}
	return runAdmin(ctx, e, f, args, "", check, func(db *bun.DB, _ string) error {
		devices := device.NewStore(db, nil)
		if *dev != "" {
			id, err := devices.IDByName(ctx, *dev)
			if errors.Is(err, device.ErrNotFound) {
				return fmt.Errorf("no device named %q", *dev)
			}
			if err != nil {
				return err
			}
			filter.DeviceID = id
		}
		entries, err := audit.List(ctx, db, filter)
		if err != nil {
			return err
		}
		names, err := deviceNames(ctx, devices)
		if err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, "TIME (UTC)\tSOURCE\tOPERATION\tUSER\tDEVICE\tIP\tDETAILS")
		for _, en := range entries {
			devName := "-"
			if en.DeviceID != nil {
				var ok bool
				if devName, ok = names[*en.DeviceID]; !ok {
					devName = "#" + strconv.FormatInt(*en.DeviceID, 10)
				}
			}
			fmt.Fprintf(e.stdout, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", en.When.UTC().Format(time.RFC3339),
				en.Source, dash(en.Operation), dash(en.Username), devName, dash(en.RemoteAddr), oneLine(en.Details))
		}
		return nil
	})
}

// deviceNames maps the id of each device, the server's included, to its
// name; the id of a device not listed prints as "#ID".
func deviceNames(ctx context.Context, devices *device.Store) (map[int64]string, error) {
	list, err := devices.List(ctx)
	if err != nil {
		return nil, err
	}
	names := map[int64]string{}
	for _, d := range list {
		names[d.ID] = d.Name
	}
	if srv, err := devices.ByName(ctx, device.ServerName); err == nil {
		names[srv.ID] = srv.Name
	} else if !errors.Is(err, device.ErrNotFound) {
		return nil, err
	}
	return names, nil
}

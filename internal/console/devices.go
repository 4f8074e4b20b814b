package console

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/tabletapi/tabletapi/device"
	"github.com/tabletapi/tabletapi/internal/audit"
)

// deviceView is a device as the device list and the overview show it.
type deviceView struct {
	ID            int64
	Name          string
	FriendlyName  string
	RegisteredBy  string
	Registered    time.Time // zero if unknown
	LastUpload    time.Time // the last upload the visitor may see; zero for none
	InProgress    bool      // a batch is open on the device
	UploadingUser string
	BatchSince    time.Time
	UploadsURL    string
}

// visibleDevices lists the registered devices the visitor may see: every
// one for a superuser (groups nil), else those with at least one upload
// into one of groups. LastUpload is the last upload into those groups.
func (c *Console) visibleDevices(ctx context.Context, groups []int64) ([]deviceView, error) {
	list, err := device.NewStore(c.db, c.now).ListForConsole(ctx)
	if err != nil {
		return nil, err
	}
	last, err := audit.LastUploads(ctx, c.db, groups)
	if err != nil {
		return nil, err
	}
	out := []deviceView{}
	for _, d := range list {
		lastUp, seen := last[d.ID]
		if groups != nil && !seen {
			continue
		}
		v := deviceView{ID: d.ID, Name: d.Name, RegisteredBy: d.RegisteredBy, LastUpload: lastUp,
			InProgress: d.BatchInProgress(), UploadingUser: d.UploadingUser,
			UploadsURL: c.url("/uploads") + "?" + url.Values{"device": {strconv.FormatInt(d.ID, 10)}}.Encode()}
		if d.FriendlyName != nil {
			v.FriendlyName = *d.FriendlyName
		}
		if d.WhenRegisteredUTC != nil {
			v.Registered = *d.WhenRegisteredUTC
		}
		if d.OngoingUploadBatchUTC != nil {
			v.BatchSince = *d.OngoingUploadBatchUTC
		}
		out = append(out, v)
	}
	return out, nil
}

// devicesData is the data of the device list.
type devicesData struct {
	Devices []deviceView
	Scoped  bool // the visitor is not a superuser: only their groups' devices
}

// handleDevices lists the devices the visitor may see.
func (c *Console) handleDevices(ec echo.Context) error {
	groups, err := c.visibleGroups(ec)
	if err != nil {
		return err
	}
	list, err := c.visibleDevices(ec.Request().Context(), groups)
	if err != nil {
		return err
	}
	return c.render(ec, http.StatusOK, "devices", "Devices", devicesData{Devices: list, Scoped: groups != nil})
}

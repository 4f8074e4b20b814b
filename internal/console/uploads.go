package console

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/tabletapi/tabletapi/internal/audit"
)

// uploadsPage is how many uploads a page lists.
const uploadsPage = 50

// uploadsData is the data of the upload list.
type uploadsData struct {
	Uploads  []audit.Upload
	DeviceID int64  // the device filtered by; 0 for all
	Older    string // the next (older) page's URL; "" on the last page
	Scoped   bool
}

// handleUploads lists the committed uploads the visitor may see, newest
// first, of one device with ?device=ID, older than an upload with
// ?before=AUDITID (keyset paging).
func (c *Console) handleUploads(ec echo.Context) error {
	dev, err := intParam(ec, "device")
	if err != nil {
		return err
	}
	before, err := intParam(ec, "before")
	if err != nil {
		return err
	}
	groups, err := c.visibleGroups(ec)
	if err != nil {
		return err
	}
	// One more than a page, to know whether an older page exists.
	list, err := audit.Uploads(ec.Request().Context(), c.db,
		audit.UploadFilter{DeviceID: dev, BeforeID: before, Limit: uploadsPage + 1, GroupIDs: groups})
	if err != nil {
		return err
	}
	d := uploadsData{Uploads: list, DeviceID: dev, Scoped: groups != nil}
	if len(list) > uploadsPage {
		d.Uploads = list[:uploadsPage]
		q := url.Values{"before": {strconv.FormatInt(d.Uploads[uploadsPage-1].AuditID, 10)}}
		if dev != 0 {
			q.Set("device", strconv.FormatInt(dev, 10))
		}
		d.Older = c.url("/uploads") + "?" + q.Encode()
	}
	return c.render(ec, http.StatusOK, "uploads", "Uploads", d)
}

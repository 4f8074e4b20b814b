package sim

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	neturl "net/url"
	"strings"

	"github.com/tabletapi/tabletapi/testclient"
)

// Probe sends one check_device_registered for a new device ID, as a
// tablet's first request, and returns nil if a CamCOPS tablet API answered
// (whatever it answered, short of a 5xx). Otherwise the error says in one
// line what is wrong: the server cannot be reached, does not answer in time
// or presents a certificate that hc does not trust, the URL is wrong (404,
// 405), or the server does not speak the API.
func Probe(ctx context.Context, url, user, password string, hc *http.Client) error {
	c := testclient.New(testclient.Config{
		URL: url, Device: testclient.NewDeviceID(), User: user, Password: password, HTTPClient: hc,
	})
	r, err := c.CheckDeviceRegistered(ctx)
	var ue *neturl.Error
	var cve *tls.CertificateVerificationError
	switch {
	case errors.As(err, &ue) && ue.Timeout():
		return fmt.Errorf("sim: no reply from %s within %s", url, hc.Timeout)
	case errors.As(err, &cve):
		return fmt.Errorf("sim: cannot reach %s: its certificate is not trusted: %v (give its CA with --ca-file)", url, cve.Err)
	case err != nil && strings.Contains(err.Error(), "connection refused"):
		return fmt.Errorf("sim: cannot reach %s: %s (is the server running?)", url, transportMessage(err))
	case err != nil:
		return fmt.Errorf("sim: cannot reach %s: %s", url, transportMessage(err))
	}
	rerr := r.Err()
	switch {
	case r.IsAPIReply() && r.Status >= 500:
		return fmt.Errorf("sim: %s answered HTTP %d: %s", url, r.Status, r.Error())
	case r.IsAPIReply():
		return nil
	case r.Status == http.StatusNotFound || r.Status == http.StatusMethodNotAllowed:
		return fmt.Errorf("sim: %s answered HTTP %d %s: wrong URL? (tabletapi serves POST …/api and …/database)",
			url, r.Status, http.StatusText(r.Status))
	case errors.Is(rerr, testclient.ErrHTTPStatus):
		return fmt.Errorf("sim: %s answered HTTP %d %s, body %s: not a CamCOPS tablet API",
			url, r.Status, http.StatusText(r.Status), bodyStart(r.Body))
	}
	return fmt.Errorf("sim: %s is not a CamCOPS tablet API: its reply lacks success and session keys (body %s)",
		url, bodyStart(r.Body))
}

package testclient

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"sync"
	"time"
)

// Defaults applied by New.
const (
	DefaultCamcopsVersion = "2.4.24"
	DefaultTimeout        = 30 * time.Second
)

// maxReplyBytes bounds what Do reads, so a runaway server cannot exhaust a
// test's memory.
const maxReplyBytes = 256 << 20

// Config configures a Client. Only URL and Device are needed in practice.
type Config struct {
	URL            string       // full endpoint URL, e.g. http://127.0.0.1:8088/api
	Device         string       // device ID, e.g. NewDeviceID()
	User, Password string       // "" User means: send neither user nor password (register_patient style)
	CamcopsVersion string       // default DefaultCamcopsVersion
	HTTPClient     *http.Client // optional; the default has a DefaultTimeout timeout
	UserAgent      string       // default "Mozilla/5.0 (Linux x86_64) CamCOPS/<CamcopsVersion>"
}

// Client sends tablet API requests as the real CamCOPS client does and keeps
// the current session between the requests of a sequence. It is safe for
// concurrent use, though a sequence only makes sense one request at a time.
type Client struct {
	url       string
	http      *http.Client
	version   string
	device    string
	userAgent string

	mu           sync.Mutex
	user         string
	password     string
	sessionID    string
	sessionToken string
}

// New returns a Client for cfg with no session. It does not contact the
// server; a bad URL shows up as an error of the first request.
func New(cfg Config) *Client {
	c := &Client{
		url:       cfg.URL,
		http:      cfg.HTTPClient,
		version:   cfg.CamcopsVersion,
		device:    cfg.Device,
		userAgent: cfg.UserAgent,
		user:      cfg.User,
		password:  cfg.Password,
	}
	if c.http == nil {
		c.http = &http.Client{Timeout: DefaultTimeout}
	}
	if c.version == "" {
		c.version = DefaultCamcopsVersion
	}
	if c.userAgent == "" {
		c.userAgent = "Mozilla/5.0 (Linux x86_64) CamCOPS/" + c.version
	}
	return c
}

// Device returns the device ID the client sends.
func (c *Client) Device() string { return c.device }

// SetCredentials replaces the user and password sent from the next request
// on; "" user means send neither. The session is kept, as the real client
// keeps it.
func (c *Client) SetCredentials(user, password string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.user, c.password = user, password
}

// Session returns the stored session, which is sent with the next request
// only if both parts are non-empty.
func (c *Client) Session() (id, token string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sessionID, c.sessionToken
}

// ResetSession forgets the session, so that the next request starts a new
// sequence.
func (c *Client) ResetSession() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sessionID, c.sessionToken = "", ""
}

// Do sends one request: operation, the common parameters (camcops_version,
// device, and user and password when the user is not ""), the stored session
// (session_id and session_token, only if both are non-empty) and params. An
// entry of params replaces a common parameter of the same name, so tests can
// send a bad version or device; the real client never does that.
//
// Like the real client, after an accepted reply (Reply.Err is nil) Do stores
// the reply's session_id and session_token for the next request, even when
// they are empty, and after any failure (transport error, non-2xx status, a
// reply not in key:value form, success:0) it forgets the session.
//
// The error is non-nil only for transport failures (including a reply body
// over 256 MiB). Any reply, whatever its status, is returned; use Reply.Err
// to see whether the client would accept it.
func (c *Client) Do(ctx context.Context, operation string, params map[string]string) (*Reply, error) {
	form := c.form(operation, params)
	r, err := c.post(ctx, FormContentType, []byte(EncodeForm(form)))

	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil || r.Err() != nil {
		c.sessionID, c.sessionToken = "", ""
	} else {
		c.sessionID, c.sessionToken = r.Values["session_id"], r.Values["session_token"]
	}
	if err != nil {
		return nil, fmt.Errorf("testclient: %s: %w", operation, err)
	}
	return r, nil
}

// form builds the full parameter set of a request.
func (c *Client) form(operation string, params map[string]string) map[string]string {
	c.mu.Lock()
	defer c.mu.Unlock()
	form := map[string]string{
		"operation":       operation,
		"camcops_version": c.version,
		"device":          c.device,
	}
	if c.user != "" {
		form["user"] = c.user
		form["password"] = c.password
	}
	if c.sessionID != "" && c.sessionToken != "" {
		form["session_id"] = c.sessionID
		form["session_token"] = c.sessionToken
	}
	maps.Copy(form, params)
	return form
}

// Post sends body as it stands with the given Content-Type and the client's
// User-Agent, and parses the reply. It neither adds parameters nor reads or
// changes the session, so tests can send malformed requests. The error is
// non-nil only for transport failures.
func (c *Client) Post(ctx context.Context, contentType string, body []byte) (*Reply, error) {
	r, err := c.post(ctx, contentType, body)
	if err != nil {
		return nil, fmt.Errorf("testclient: post: %w", err)
	}
	return r, nil
}

func (c *Client) post(ctx context.Context, contentType string, body []byte) (*Reply, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("User-Agent", c.userAgent)
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxReplyBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading reply: %w", err)
	}
	if len(data) > maxReplyBytes {
		return nil, fmt.Errorf("reply body over %d bytes", maxReplyBytes)
	}
	return ParseReply(resp.StatusCode, resp.Header, data), nil
}

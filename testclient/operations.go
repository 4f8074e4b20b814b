package testclient

import (
	"context"
	"fmt"
)

// The convenience methods below send one request each, exactly as the real
// client does (PROTOCOL 12.2 and 6.2–6.9). Their errors and session handling
// are those of Do.

// CheckDeviceRegistered sends check_device_registered, the first request of
// an upload.
func (c *Client) CheckDeviceRegistered(ctx context.Context) (*Reply, error) {
	return c.Do(ctx, "check_device_registered", nil)
}

// Register sends register with devicefriendlyname, which the client always
// sends, blank or not.
func (c *Client) Register(ctx context.Context, friendlyName string) (*Reply, error) {
	return c.Do(ctx, "register", map[string]string{"devicefriendlyname": friendlyName})
}

// GetAllowedTables sends get_allowed_tables.
func (c *Client) GetAllowedTables(ctx context.Context) (*Reply, error) {
	return c.Do(ctx, "get_allowed_tables", nil)
}

// GetExtraStrings sends get_extra_strings.
func (c *Client) GetExtraStrings(ctx context.Context) (*Reply, error) {
	return c.Do(ctx, "get_extra_strings", nil)
}

// GetIDInfo sends get_id_info.
func (c *Client) GetIDInfo(ctx context.Context) (*Reply, error) {
	return c.Do(ctx, "get_id_info", nil)
}

// CheckUploadUserAndDevice sends check_upload_user_and_device.
func (c *Client) CheckUploadUserAndDevice(ctx context.Context) (*Reply, error) {
	return c.Do(ctx, "check_upload_user_and_device", nil)
}

// RegisterReplies holds the replies of a registration sequence; a reply is
// nil when its request was not sent or got no reply.
type RegisterReplies struct {
	Register      *Reply
	AllowedTables *Reply
	ExtraStrings  *Reply
}

// RegisterSequence runs the clinician-mode registration of PROTOCOL 12.2:
// register (with friendlyName), get_allowed_tables and get_extra_strings. It
// starts with no session, carries the session from reply to request, stops
// at the first request that fails, and leaves the client with no session.
//
// It always returns the replies received so far. The error is that of Do
// for a transport failure, or Reply.Err of the first reply the client would
// reject, with the operation named.
func (c *Client) RegisterSequence(ctx context.Context, friendlyName string) (*RegisterReplies, error) {
	c.ResetSession()
	defer c.ResetSession()
	out := &RegisterReplies{}
	steps := []struct {
		op     string
		params map[string]string
		dst    **Reply
	}{
		{"register", map[string]string{"devicefriendlyname": friendlyName}, &out.Register},
		{"get_allowed_tables", nil, &out.AllowedTables},
		{"get_extra_strings", nil, &out.ExtraStrings},
	}
	for _, s := range steps {
		r, err := c.Do(ctx, s.op, s.params)
		if err != nil {
			return out, err
		}
		*s.dst = r
		if err := r.Err(); err != nil {
			return out, fmt.Errorf("%w (operation %s)", err, s.op)
		}
	}
	return out, nil
}

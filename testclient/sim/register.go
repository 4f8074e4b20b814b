package sim

import (
	"context"
	"strconv"

	"github.com/tabletapi/tabletapi/testclient"
)

// Register runs the clinician-mode registration of PROTOCOL 12.2 as one
// sequence: register (with the friendly name), get_allowed_tables and
// get_extra_strings. It stores the server ID info and checks that the
// server defines Config.IDNumType and publishes at least one table. The
// error is a *RequestError.
func (t *Tablet) Register(ctx context.Context) error {
	t.client.ResetSession()
	defer t.client.ResetSession()
	r, err := t.do(ctx, "register", map[string]string{"devicefriendlyname": t.cfg.FriendlyName})
	if err != nil {
		return err
	}
	info := parseServerInfo(r)
	if err := info.check("register", nil); err != nil {
		return err
	}
	idType := strconv.FormatInt(t.cfg.IDNumType, 10)
	if _, ok := info["idDescription"+idType]; !ok {
		return localError("register", "the server defines no ID number type %s (tabletapi idnum add %s …)", idType, idType)
	}
	r, err = t.do(ctx, "get_allowed_tables", nil)
	if err != nil {
		return err
	}
	if _, err := allowedTables(r); err != nil {
		return err
	}
	r, err = t.do(ctx, "get_extra_strings", nil)
	if err != nil {
		return err
	}
	if _, err := r.Select(); err != nil {
		return protocolError("get_extra_strings", "%v", err)
	}
	t.info, t.registered = info, true
	return nil
}

// allowedTables parses get_allowed_tables' SELECT block into table name →
// minimum client version. An empty list is an error: the client would
// refuse to upload.
func allowedTables(r *testclient.Reply) (map[string]string, error) {
	b, err := r.Select()
	if err != nil {
		return nil, protocolError("get_allowed_tables", "%v", err)
	}
	out := map[string]string{}
	for _, m := range b.Maps() {
		out[m["tablename"].Text] = m["min_client_version"].Text
	}
	if len(out) == 0 {
		return nil, protocolError("get_allowed_tables", "the server allows no tables")
	}
	return out, nil
}

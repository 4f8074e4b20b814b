package sim

import (
	"maps"
	"strconv"
	"strings"

	"github.com/tabletapi/tabletapi/testclient"
)

// serverInfo is the part of the server ID info block (PROTOCOL 6.1) that
// the client stores at registration and requires unchanged at each upload:
// the server version, both policies and the ID descriptions.
type serverInfo map[string]string

// parseServerInfo extracts the stored keys of an ID info reply.
func parseServerInfo(r *testclient.Reply) serverInfo {
	info := serverInfo{}
	for k, v := range r.Values {
		switch {
		case k == "serverCamcopsVersion", k == "idPolicyUpload", k == "idPolicyFinalize",
			strings.HasPrefix(k, "idDescription"), strings.HasPrefix(k, "idShortDescription"):
			info[k] = v
		}
	}
	return info
}

// check returns nil if the server can take uploads from this client: its
// version is at least 2.4.0 and, when stored is not nil, nothing differs
// from what was stored.
func (info serverInfo) check(op string, stored serverInfo) error {
	v := info["serverCamcopsVersion"]
	if !versionAtLeast(v, "2.4.0") {
		return protocolError(op, "server version %q is older than 2.4.0", v)
	}
	if stored != nil && !maps.Equal(info, stored) {
		return localError(op, "the server's ID information has changed since registration; register again")
	}
	return nil
}

// versionAtLeast compares dotted versions numerically; a malformed version
// is less than any other.
func versionAtLeast(v, min string) bool {
	a, okA := parseVersion(v)
	b, _ := parseVersion(min)
	if !okA {
		return false
	}
	for i := range 3 {
		if a[i] != b[i] {
			return a[i] > b[i]
		}
	}
	return true
}

// parseVersion parses "major.minor.patch" (missing parts are 0).
func parseVersion(s string) ([3]int, bool) {
	var out [3]int
	parts := strings.Split(strings.TrimSpace(s), ".")
	if len(parts) > 3 {
		return out, false
	}
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return out, false
		}
		out[i] = n
	}
	return out, true
}

package testclient

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
)

// Errors reported by Reply.Err, in the real client's words. Test with
// errors.Is.
var (
	// ErrHTTPStatus means the reply came with a non-2xx status; the real
	// client then reports a network failure and ignores the body.
	ErrHTTPStatus = errors.New("testclient: HTTP error status")
	// ErrNotAPIReply means the reply lacks success, session_id or
	// session_token.
	ErrNotAPIReply = errors.New("testclient: Reply is not from CamCOPS API")
	// ErrServer means the reply has success:0; the wrapping error carries
	// the server's message.
	ErrServer = errors.New("testclient: Server reported an error")
)

// replyLineRE is the client's RECORD_RE, ^(\S+?):\s*([\s\S]*). The
// whitespace class is spelled out because the client's PCRE \s includes
// vertical tab and Go's \s does not.
var replyLineRE = regexp.MustCompile(`^([^\t\n\v\f\r ]+?):[\t\n\v\f\r ]*((?s:.*))`)

// Reply is one HTTP reply, parsed as the real client parses it.
type Reply struct {
	Status int         // HTTP status code
	Header http.Header // reply headers
	Body   []byte      // the raw body

	Keys   []string          // keys in order of first appearance
	Values map[string]string // value of each key; a repeated key's last value wins
}

// ParseReply builds a Reply from a status, headers and body. The body is split
// on LF and each line matched against ^(\S+?):\s*([\s\S]*): the key is the
// text before the first colon, the value is the rest with its leading white
// space removed (a CR before the LF stays in the value). Lines that do not
// match are ignored and a repeated key overwrites the earlier value. Parsing
// never fails.
func ParseReply(status int, header http.Header, body []byte) *Reply {
	r := &Reply{Status: status, Header: header, Body: body, Values: map[string]string{}}
	for line := range bytes.SplitSeq(body, []byte{'\n'}) {
		m := replyLineRE.FindSubmatch(line)
		if m == nil {
			continue
		}
		key := string(m[1])
		if _, seen := r.Values[key]; !seen {
			r.Keys = append(r.Keys, key)
		}
		r.Values[key] = string(m[2])
	}
	return r
}

// Get returns the value of key and whether the reply has it.
func (r *Reply) Get(key string) (string, bool) {
	v, ok := r.Values[key]
	return v, ok
}

// Success reports whether success, read as the client reads it (a 32-bit
// integer, surrounding white space ignored, anything unparsable is 0), is
// non-zero. A reply without success is not a success.
func (r *Reply) Success() bool {
	return clientInt(r.Values["success"]) != 0
}

// Error returns the error value with the newline-escaping undone: \\ becomes
// \, \n LF and \r CR (and, as in the client, \ before any other character is
// dropped). It is "" when the reply has no error key.
func (r *Reply) Error() string {
	return unescapeNewlines(r.Values["error"])
}

// IsAPIReply reports whether the reply has the success, session_id and
// session_token keys, without which the client rejects it.
func (r *Reply) IsAPIReply() bool {
	for _, k := range []string{"success", "session_id", "session_token"} {
		if _, ok := r.Values[k]; !ok {
			return false
		}
	}
	return true
}

// Err returns nil if the real client would accept the reply and carry on.
// Otherwise it returns, in the client's order of checks, an error wrapping
// ErrHTTPStatus (status outside 200–299), ErrNotAPIReply (IsAPIReply is
// false) or ErrServer (Success is false; the text ends with Error()).
func (r *Reply) Err() error {
	switch {
	case r.Status < 200 || r.Status > 299:
		return fmt.Errorf("%w %d %s", ErrHTTPStatus, r.Status, http.StatusText(r.Status))
	case !r.IsAPIReply():
		return ErrNotAPIReply
	case !r.Success():
		return fmt.Errorf("%w: %s", ErrServer, r.Error())
	}
	return nil
}

// clientInt converts s as QString::toInt does: base 10, 32 bits, leading and
// trailing white space ignored, and 0 when the conversion fails.
func clientInt(s string) int64 {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 32)
	if err != nil {
		return 0
	}
	return n
}

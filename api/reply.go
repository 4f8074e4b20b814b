package api

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
)

// Reply is an operation's own keys, in order (PROTOCOL 1.3). The envelope
// keys success, session_id and session_token are added when it is written.
type Reply struct {
	keys   []string
	values []string
	wire   []byte // set by freeze: the keys on the wire, written as they stand
}

// Add appends a raw value: CR and LF become spaces and leading white space
// is dropped, as the client would drop it anyway.
func (r *Reply) Add(key, value string) *Reply {
	if strings.ContainsAny(value, "\r\n") {
		// Only then: a Replacer costs more to build than a short reply.
		value = strings.NewReplacer("\r", " ", "\n", " ").Replace(value)
	}
	value = strings.TrimLeft(value, " \t\v\f")
	return r.addVerbatim(key, value)
}

// AddOpt appends a nullable column's value with Add; NULL goes on the wire
// as an empty value (PROTOCOL 6.1).
func (r *Reply) AddOpt(key string, value *string) *Reply {
	if value == nil {
		return r.addVerbatim(key, "")
	}
	return r.Add(key, *value)
}

// AddLiteral appends a value that is already a one-line literal, such as a
// record<N> CSV of SQL literals.
func (r *Reply) AddLiteral(key, value string) *Reply { return r.addVerbatim(key, value) }

func (r *Reply) addVerbatim(key, value string) *Reply {
	r.keys = append(r.keys, key)
	r.values = append(r.values, value)
	return r
}

// freeze encodes r once for a reply that is sent unchanged to many
// requests, such as the extra strings (hundreds of KB, fetched at every
// registration). r must not be changed afterwards.
func (r *Reply) freeze() *Reply {
	r.wire = r.encode()
	r.keys, r.values = nil, nil
	return r
}

// encode returns the keys as they go on the wire.
func (r *Reply) encode() []byte {
	if r.wire != nil {
		return r.wire
	}
	n := 0
	for i, k := range r.keys {
		n += len(k) + len(r.values[i]) + 2
	}
	b := make([]byte, 0, n)
	for i, k := range r.keys {
		b = append(b, k...)
		b = append(b, ':')
		b = append(b, r.values[i]...)
		b = append(b, '\n')
	}
	return b
}

// result is the reply of an operation that returns nothing or a string.
func result(s string) *Reply { return new(Reply).Add("result", s) }

// escapeError newline-escapes an error message for the error key.
func escapeError(msg string) string {
	return strings.NewReplacer(`\`, `\\`, "\n", `\n`, "\r", `\r`).Replace(msg)
}

// session is what the envelope's session keys carry; zero means none.
type session struct {
	id    int64
	token string
}

func (s session) idString() string {
	if s.id == 0 {
		return ""
	}
	return strconv.FormatInt(s.id, 10)
}

// writeSuccess sends r with success:1 and the session keys.
func writeSuccess(c echo.Context, r *Reply, s session) error {
	var b strings.Builder
	b.WriteString("success:1\n")
	writeSessionKeys(&b, s)
	return send(c, http.StatusOK, r.encode(), []byte(b.String()))
}

// writeFailure sends success:0 with the message and the session keys.
func writeFailure(c echo.Context, status int, msg string, s session) error {
	var b strings.Builder
	b.WriteString("success:0\nerror:")
	b.WriteString(escapeError(msg))
	b.WriteByte('\n')
	writeSessionKeys(&b, s)
	return send(c, status, []byte(b.String()))
}

func writeSessionKeys(b *strings.Builder, s session) {
	b.WriteString("session_id:")
	b.WriteString(s.idString())
	b.WriteString("\nsession_token:")
	b.WriteString(s.token)
	b.WriteByte('\n')
}

// send writes a plain-text body, given in parts so that a frozen reply is
// not copied, with the headers every API reply carries.
func send(c echo.Context, status int, parts ...[]byte) error {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "text/plain; charset=utf-8")
	h.Set(echo.HeaderContentLength, strconv.Itoa(n))
	h.Set("Cache-Control", "no-store")
	c.Response().WriteHeader(status)
	for _, p := range parts {
		if _, err := c.Response().Write(p); err != nil {
			return err
		}
	}
	return nil
}

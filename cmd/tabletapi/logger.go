package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"unicode/utf8"

	"github.com/tabletapi/tabletapi/internal/requestid"
)

// Caps on what one log value may hold. Request values reach the log (an
// operation, a table name quoted in an error), and a client must not be
// able to write megabytes into it; a panic's stack is ours and may be
// long.
const (
	maxLogValue = 200
	maxLogStack = 16 << 10
)

// newLogger returns the one logger of the process: text or JSON lines,
// every value capped, and each line written while serving a request
// naming its request_id.
func newLogger(w io.Writer, format string) *slog.Logger {
	var h slog.Handler = slog.NewTextHandler(w, nil)
	if format == "json" {
		h = slog.NewJSONHandler(w, nil)
	}
	return slog.New(cappedHandler{h})
}

// cappedHandler cuts every attribute value to maxLogValue bytes (a stack
// to maxLogStack), marking the cut, before the handler writes it. It adds
// the request id that ctx carries (requestid.With), so code deep in a
// request names it just by logging with the request's context.
type cappedHandler struct{ slog.Handler }

// Handle writes r with its values capped, and the request id last.
func (h cappedHandler) Handle(ctx context.Context, r slog.Record) error {
	if len(r.Message) <= maxLogValue && allFit(r) {
		// Nothing to cut (every request's line): r goes on as it is,
		// without a copy of each attribute. Clone, so the request id
		// added here cannot land in storage another copy of r shares.
		r = r.Clone()
		if id := requestid.From(ctx); id != "" {
			r.AddAttrs(slog.String("request_id", id))
		}
		return h.Handler.Handle(ctx, r)
	}
	out := slog.NewRecord(r.Time, r.Level, capString(r.Message, maxLogValue), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(capAttr(a))
		return true
	})
	if id := requestid.From(ctx); id != "" {
		out.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, out)
}

// WithAttrs caps attrs too.
func (h cappedHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	capped := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		capped[i] = capAttr(a)
	}
	return cappedHandler{h.Handler.WithAttrs(capped)}
}

// WithGroup keeps the cap inside the group.
func (h cappedHandler) WithGroup(name string) slog.Handler {
	return cappedHandler{h.Handler.WithGroup(name)}
}

// allFit reports whether capAttr would leave every attribute of r as it
// is. Kinds it cannot tell cheaply (any, group, a LogValuer) count as not
// fitting, and go through capAttr.
func allFit(r slog.Record) bool {
	fit := true
	r.Attrs(func(a slog.Attr) bool {
		switch a.Value.Kind() {
		case slog.KindString:
			fit = len(a.Value.String()) <= maxLogValue || a.Key == "stack" && len(a.Value.String()) <= maxLogStack
		case slog.KindInt64, slog.KindUint64, slog.KindFloat64, slog.KindBool, slog.KindDuration, slog.KindTime:
		default:
			fit = false
		}
		return fit
	})
	return fit
}

// capAttr caps a's value: strings, and errors, stringers and other values
// that the handler would print as text.
func capAttr(a slog.Attr) slog.Attr {
	limit := maxLogValue
	if a.Key == "stack" {
		limit = maxLogStack
	}
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		if len(v.String()) > limit {
			return slog.String(a.Key, capString(v.String(), limit))
		}
	case slog.KindGroup:
		group := v.Group()
		capped := make([]any, len(group))
		for i, g := range group {
			capped[i] = capAttr(g)
		}
		return slog.Group(a.Key, capped...)
	case slog.KindAny:
		if s, ok := text(v.Any()); ok && len(s) > limit {
			return slog.String(a.Key, capString(s, limit))
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}

// text returns x as the handler would print it. A method that panics (a
// nil pointer behind an error) reports false, and the handler's own
// recovery prints it.
func text(x any) (s string, ok bool) {
	defer func() {
		if recover() != nil {
			s, ok = "", false
		}
	}()
	switch x := x.(type) {
	case error:
		return x.Error(), true
	case fmt.Stringer:
		return x.String(), true
	case []byte:
		return string(x), true
	}
	return fmt.Sprint(x), true
}

// capString cuts s to at most limit bytes, on a character boundary, and
// says how long it was.
func capString(s string, limit int) string {
	if len(s) <= limit {
		return s
	}
	cut := limit
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…[cut: " + strconv.Itoa(len(s)) + " bytes]"
}

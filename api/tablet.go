package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/tabletapi/tabletapi/internal/upload"
	"github.com/tabletapi/tabletapi/tabletsession"
)

// errPanic stands for a recovered panic; it maps to 503 Internal server
// error.
var errPanic = errors.New("api: panic while serving")

// notValid is the body of the plain 400 (PROTOCOL 2.2).
const notValid = "Not a valid CamCOPS API request"

// handleTablet runs one tablet request through the pipeline of PROTOCOL
// 2.3 and writes one log line for it.
func (s *server) handleTablet(c echo.Context) error {
	// Also the receipt time of PROTOCOL 8.3.2 step 4: before the body is
	// read, and on the real clock, not s.now (upload.Call.Received).
	start := time.Now()
	req := c.Request()
	ctx := req.Context()
	if req.Method != http.MethodPost {
		s.metrics.observe(opUnknown, http.StatusMethodNotAllowed, false, start)
		c.Response().Header().Set("Allow", http.MethodPost)
		return plain(c, http.StatusMethodNotAllowed, "Method not allowed; use POST")
	}
	ip := c.RealIP()
	l := s.bodies.lease()
	defer l.release() // the form's values are views of the body
	body, err := readBody(req.Body, req.ContentLength, s.cfg.MaxBodyBytes, l)
	var form *tabletsession.Form
	var ferr error
	if err == nil {
		form, ferr = decodeForm(req.Header.Get(echo.HeaderContentType), body, l)
		if errors.Is(ferr, errBodiesBusy) {
			err = ferr
		}
	}
	switch {
	case errors.Is(err, errBodyTooLarge):
		s.metrics.observe(opUnknown, http.StatusRequestEntityTooLarge, false, start)
		s.log.WarnContext(ctx, "request body too large", "ip", ip, "content_length", req.ContentLength, "limit_bytes", s.cfg.MaxBodyBytes)
		return plain(c, http.StatusRequestEntityTooLarge, "Request body too large")
	case errors.Is(err, errBodiesBusy):
		f := classify(err)
		s.metrics.observe(opUnknown, f.status, false, start)
		s.log.WarnContext(ctx, "request refused: memory for request bodies exhausted", "ip", ip,
			"limit_bytes", s.cfg.MaxInflightBodyBytes, "status", f.status)
		return writeFailure(c, f.status, f.msg, session{})
	case err != nil:
		s.metrics.observe(opUnknown, http.StatusBadRequest, false, start)
		s.log.InfoContext(ctx, "request body unreadable", "ip", ip, "err", err)
		return plain(c, http.StatusBadRequest, notValid)
	}
	r, err := tabletsession.Parse(form, ip)
	if err != nil {
		attrs := []any{"ip", ip, "status", http.StatusBadRequest, "reason", err.Error()}
		if ferr != nil {
			attrs = append(attrs, "decode_error", ferr.Error())
		}
		s.metrics.observe(opUnknown, http.StatusBadRequest, false, start)
		s.log.InfoContext(ctx, "invalid request", attrs...)
		return plain(c, http.StatusBadRequest, notValid)
	}

	reply, sess, opErr := s.serve(ctx, r, start)
	f := failure{status: http.StatusOK, outcome: "ok"} // until the operation fails
	switch {
	case opErr == nil:
		err = writeSuccess(c, reply, sess)
	case ctx.Err() != nil:
		f = disconnected()
		err = writeFailure(c, f.status, f.msg, sess)
	default:
		f = classify(opErr)
		if f.serverFault {
			s.log.ErrorContext(ctx, "request failed", "operation", r.Operation, "device", r.Device, "user", r.User, "err", opErr)
		}
		err = writeFailure(c, f.status, f.msg, sess)
	}
	s.metrics.observe(r.Operation, f.status, opErr != nil, start)
	// Typed attributes: the same line as key-value pairs would give,
	// without boxing each value.
	attrs := make([]slog.Attr, 0, 8)
	attrs = append(attrs, slog.String("operation", r.Operation), slog.String("device", r.Device),
		slog.String("user", r.User), slog.String("ip", ip), slog.Int("status", f.status),
		slog.String("outcome", f.outcome), slog.Float64("duration_ms", milliseconds(time.Since(start))))
	if f.reason != "" {
		attrs = append(attrs, slog.String("reason", f.reason))
	}
	s.log.LogAttrs(ctx, f.level(), "request", attrs...)
	return err
}

// serve runs phase A, dispatch, the permission checks and phase B of a
// request received at received. The session it returns goes into the
// reply whatever the outcome.
func (s *server) serve(ctx context.Context, r *tabletsession.Request, received time.Time) (reply *Reply, sess session, err error) {
	defer func() {
		// A bug must still get the documented 503, not a dropped
		// connection; phase B's transaction has been rolled back by then.
		if p := recover(); p != nil {
			s.log.ErrorContext(ctx, "panic serving request", "operation", r.Operation, "panic", p, "stack", string(debug.Stack()))
			reply, err = nil, errPanic
		}
	}()
	id, err := s.auth.Resolve(ctx, r)
	if err != nil {
		return nil, session{}, err
	}
	sess = session{id: id.SessionID, token: id.Token}
	op, ok := s.ops[r.Operation]
	if !ok {
		return nil, sess, notSupported(r.Operation)
	}
	rights, err := s.auth.Authorize(ctx, id, op.class, r.Device)
	if err != nil {
		return nil, sess, err
	}
	x := &opContext{db: s.db, req: r, rights: rights, now: s.now().UTC().Truncate(time.Microsecond), received: received}
	if !op.writes {
		reply, err := op.run(ctx, x)
		return reply, sess, err
	}
	// Phase B is all or nothing: any error rolls the transaction back.
	err = upload.InTransaction(ctx, s.db, func(ctx context.Context, tx *upload.Tx) error {
		x.db, x.tx = tx, tx
		var err error
		reply, err = op.run(ctx, x)
		return err
	})
	return reply, sess, err
}

// milliseconds is d in milliseconds, to the microsecond, as the log
// writes every duration.
func milliseconds(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

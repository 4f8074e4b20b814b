package api

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/tabletapi/tabletapi/internal/account"
	"github.com/tabletapi/tabletapi/internal/audit"
	"github.com/tabletapi/tabletapi/internal/fault"
	"github.com/tabletapi/tabletapi/internal/password"
	"github.com/tabletapi/tabletapi/internal/patient"
	"github.com/tabletapi/tabletapi/internal/pyjson"
	"github.com/tabletapi/tabletapi/internal/upload"
	"github.com/tabletapi/tabletapi/websession"
)

// registerPatient: PROTOCOL 6.3. It is listed as not writing, and begins
// its own transaction once the key is checked and the password hashed: a
// bcrypt at the configured cost, or a wait of up to --bcrypt-wait for a
// worker, must not hold a pooled connection in a transaction, nor SQLite's
// one write lock, which every other writer would wait for. The checks of
// steps 2–4 run again inside the transaction, so the writes and the reply
// rest on what the transaction reads: phase B's writes are still all or
// nothing.
func (s *server) registerPatient(ctx context.Context, x *opContext) (*Reply, error) {
	if _, err := s.patientByKey(ctx, x.db, x); err != nil { // steps 1–4
		return nil, err
	}
	if x.req.Device == "" { // step 5
		return nil, fault.MissingVariable("device")
	}
	pw := password.Generate()
	hash, err := s.auth.HashPassword(ctx, pw)
	if err != nil {
		return nil, err
	}
	var reply *Reply
	err = upload.InTransaction(ctx, s.db, func(ctx context.Context, tx *upload.Tx) error {
		p, err := s.patientByKey(ctx, tx, x)
		if err != nil {
			return err
		}
		accounts := account.NewStore(tx, func() time.Time { return x.now })
		g, err := patientGroup(ctx, accounts, p)
		if err != nil {
			return err
		}
		u, err := accounts.SetAutoUser(ctx, account.AutoUser{
			Username: account.AutoUsername(x.req.Device, p.PK), HashedPW: hash, GroupID: g.ID, SinglePatientPK: p.PK,
		})
		if err != nil {
			return err
		}
		// A new password ends the sessions begun with the old one, as a
		// password change does (PROTOCOL 3.1).
		if _, err := websession.NewStore(tx, websession.Config{}, nil).EndUserSessions(ctx, u.ID); err != nil {
			return err
		}
		if err := audit.Write(ctx, tx, audit.Entry{
			When: x.now, RemoteAddr: x.req.ClientIP, UserID: &u.ID, Username: u.Username,
			Operation: audit.OpRegisterPatient,
			Details:   fmt.Sprintf("register_patient, patient_pk=%d, user=%s", p.PK, u.Username),
		}); err != nil {
			return err
		}
		reply = new(Reply).
			Add("patient_info", patient.InfoJSON(p)).
			Add("user", u.Username).
			Add("password", pw).
			Add("ip_use_info", ipUseJSON(g.IPUse()))
		s.log.InfoContext(ctx, "patient registered", "key_prefix", patient.KeyPrefix(x.req.Form.Get("patient_proquint")),
			"patient_pk", p.PK, "user", u.Username, "device", x.req.Device)
		return nil
	})
	return reply, err
}

// patientByKey finds the patient of the request's access key on db
// (PROTOCOL 6.3 steps 1–4) under the per-IP throttle of 4.4: a throttled
// client is refused before the look-up, and a key that finds no patient
// takes a token, as a failed login does.
func (s *server) patientByKey(ctx context.Context, db bun.IDB, x *opContext) (*patient.ServerPatient, error) {
	key := x.req.Form.Get("patient_proquint")
	if key == "" {
		return nil, fault.MissingVariable("patient_proquint")
	}
	if err := s.auth.CheckKeyThrottle(x.req.ClientIP); err != nil {
		s.log.WarnContext(ctx, "access key refused: client IP throttled", "ip", x.req.ClientIP,
			"key_prefix", patient.KeyPrefix(key))
		return nil, err
	}
	p, err := patient.NewStore(db).ServerPatientByKey(ctx, key)
	if patient.IsNoPatient(err) {
		s.auth.KeyFailed(x.req.ClientIP)
	}
	return p, err
}

// patientGroup returns the group of the server patient p. A patient whose
// group has gone cannot be registered: that is a server fault, logged with
// the reason, and nothing is written.
func patientGroup(ctx context.Context, accounts *account.Store, p *patient.ServerPatient) (*account.Group, error) {
	if p.GroupID == nil {
		return nil, fault.Errorf(fault.Internal, "register_patient: server patient %d has no group", p.PK)
	}
	g, err := accounts.GroupByID(ctx, *p.GroupID)
	if errors.Is(err, account.ErrGroupNotFound) {
		return nil, fault.Errorf(fault.Internal, "register_patient: the group %d of server patient %d no longer exists", *p.GroupID, p.PK)
	}
	return g, err
}

// ipUseJSON is the ip_use_info value of register_patient (PROTOCOL 6.3),
// written as the reference's Python json.dumps writes it.
func ipUseJSON(u account.IPUse) string {
	flag := func(b bool) int {
		if b {
			return 1
		}
		return 0
	}
	b, err := pyjson.Marshal(pyjson.Object{
		{Key: "ip_use_commercial", Value: flag(u.Commercial)}, {Key: "ip_use_clinical", Value: flag(u.Clinical)},
		{Key: "ip_use_educational", Value: flag(u.Educational)}, {Key: "ip_use_research", Value: flag(u.Research)},
	})
	if err != nil {
		panic(err) // cannot happen: every value is an int
	}
	return string(b)
}

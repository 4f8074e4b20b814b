package websession_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/tabletapi/tabletapi/internal/dbtest"
	"github.com/tabletapi/tabletapi/websession"
)

var tokenPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{22}==$`)

func TestStore_Login(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, websession.DefaultConfig())
		uid := MustCreateUser(t, e.db, "alice")
		sess, token := MustLogin(t, e.store, uid, "192.0.2.7", true)

		if len(token) != 24 || !tokenPattern.MatchString(token) {
			t.Fatalf("token %q: want 24 URL-safe base64 characters ending in ==", token)
		}
		want := e.clock.stamp()
		if sess.ID <= 0 || sess.UserID != uid || sess.IPAddress != "192.0.2.7" || !sess.IsAPI ||
			!sess.CreatedAt.Equal(want) || !sess.LastActivity.Equal(want) {
			t.Fatalf("session = %+v, want id > 0, user %d, ip 192.0.2.7, API, times %v", sess, uid, want)
		}
		if got := storedLastActivity(t, e.db, sess.ID); !got.Equal(want) {
			t.Fatalf("stored last_activity_utc = %v, want %v", got, want)
		}
	})

	t.Run("OnlyHashStored", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, websession.DefaultConfig())
		sess, token := MustLogin(t, e.store, MustCreateUser(t, e.db, "alice"), "192.0.2.7", true)

		var digest []byte
		if err := e.db.NewSelect().TableExpr("sessions").Column("token_sha256").
			Where("id = ?", sess.ID).Scan(t.Context(), &digest); err != nil {
			t.Fatal(err)
		}
		if want := sha256.Sum256([]byte(token)); !bytes.Equal(digest, want[:]) {
			t.Fatalf("token_sha256 = %x, want sha256(token) = %x", digest, want)
		}

		raw, err := base64.URLEncoding.DecodeString(token)
		if err != nil {
			t.Fatal(err)
		}
		row := map[string]any{}
		if err := e.db.NewSelect().TableExpr("sessions").Where("id = ?", sess.ID).Scan(t.Context(), &row); err != nil {
			t.Fatal(err)
		}
		for col, v := range row {
			b, ok := v.([]byte)
			if !ok {
				b = fmt.Append(nil, v)
			}
			if bytes.Contains(b, []byte(token)) || bytes.Contains(b, raw) {
				t.Errorf("column %s holds the token", col)
			}
		}
	})

	t.Run("OneHumanSessionPerUser", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, websession.DefaultConfig())
		alice := MustCreateUser(t, e.db, "alice")
		bob := MustCreateUser(t, e.db, "bob")
		h1, h1tok := MustLogin(t, e.store, alice, "192.0.2.7", false)
		a1, a1tok := MustLogin(t, e.store, alice, "192.0.2.7", true)
		a2, a2tok := MustLogin(t, e.store, alice, "192.0.2.7", true)
		b1, b1tok := MustLogin(t, e.store, bob, "192.0.2.7", false)
		h2, h2tok := MustLogin(t, e.store, alice, "192.0.2.7", false)

		if _, err := e.store.LookupHuman(t.Context(), h1.ID, h1tok, "192.0.2.7"); !errors.Is(err, websession.ErrNotFound) {
			t.Fatalf("first human session: err = %v, want ErrNotFound", err)
		}
		if _, err := e.store.LookupHuman(t.Context(), h2.ID, h2tok, "192.0.2.7"); err != nil {
			t.Fatalf("second human session: %v", err)
		}
		MustLookup(t, e.store, a1.ID, a1tok, "192.0.2.7")
		MustLookup(t, e.store, a2.ID, a2tok, "192.0.2.7")
		if _, err := e.store.LookupHuman(t.Context(), b1.ID, b1tok, "192.0.2.7"); err != nil {
			t.Fatalf("bob's human session: %v", err)
		}
	})

	t.Run("ErrUnknownUser", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, websession.DefaultConfig())
		if _, _, err := e.store.Login(t.Context(), 999, "192.0.2.7", true); err == nil {
			t.Fatal("Login for a missing user succeeded")
		}
	})

	t.Run("WithTxRolledBack", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, websession.DefaultConfig())
		uid := MustCreateUser(t, e.db, "alice")
		errRollback := errors.New("roll back")
		err := e.db.RunInTx(t.Context(), nil, func(ctx context.Context, tx bun.Tx) error {
			if _, _, err := e.store.WithTx(tx).Login(ctx, uid, "192.0.2.7", false); err != nil {
				return err
			}
			return errRollback
		})
		if !errors.Is(err, errRollback) {
			t.Fatalf("RunInTx: %v", err)
		}
		if ids := sessionIDs(t, e.db); len(ids) != 0 {
			t.Fatalf("sessions after rollback = %v, want none", ids)
		}
	})

	t.Run("RealClock", func(t *testing.T) {
		t.Parallel()
		db := dbtest.New(t)
		s := websession.NewStore(db, websession.DefaultConfig(), nil)
		before := time.Now().Truncate(time.Microsecond)
		sess, _ := MustLogin(t, s, MustCreateUser(t, db, "alice"), "192.0.2.7", true)
		if sess.CreatedAt.Before(before) || sess.CreatedAt.After(time.Now()) || sess.CreatedAt.Location() != time.UTC {
			t.Fatalf("CreatedAt = %v, want UTC now", sess.CreatedAt)
		}
	})
}

func TestStore_Logout(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, websession.DefaultConfig())
		sess, token := MustLogin(t, e.store, MustCreateUser(t, e.db, "alice"), "192.0.2.7", true)
		if err := e.store.Logout(t.Context(), sess.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.store.Lookup(t.Context(), sess.ID, token, "192.0.2.7"); !errors.Is(err, websession.ErrNotFound) {
			t.Fatalf("Lookup after Logout: err = %v, want ErrNotFound", err)
		}
		if err := e.store.Logout(t.Context(), sess.ID); err != nil {
			t.Fatalf("second Logout: %v", err)
		}
	})

	// IDsNotReused deletes the row with the highest id, which is the case
	// where SQLite without AUTOINCREMENT would hand the id out again.
	t.Run("IDsNotReused", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, websession.DefaultConfig())
		uid := MustCreateUser(t, e.db, "alice")
		MustLogin(t, e.store, uid, "192.0.2.7", true)
		last, lastTok := MustLogin(t, e.store, uid, "192.0.2.7", true)
		if err := e.store.Logout(t.Context(), last.ID); err != nil {
			t.Fatal(err)
		}
		next, nextTok := MustLogin(t, e.store, uid, "192.0.2.7", true)
		if next.ID <= last.ID {
			t.Fatalf("new session id %d, want > deleted max id %d", next.ID, last.ID)
		}
		if _, err := e.store.Lookup(t.Context(), last.ID, lastTok, "192.0.2.7"); !errors.Is(err, websession.ErrNotFound) {
			t.Fatalf("old session: err = %v, want ErrNotFound", err)
		}

		if _, err := e.store.EndUserSessions(t.Context(), uid); err != nil {
			t.Fatal(err)
		}
		again, _ := MustLogin(t, e.store, uid, "192.0.2.7", true)
		if again.ID <= next.ID {
			t.Fatalf("id after emptying the table = %d, want > %d", again.ID, next.ID)
		}
		if _, err := e.store.Lookup(t.Context(), next.ID, nextTok, "192.0.2.7"); !errors.Is(err, websession.ErrNotFound) {
			t.Fatalf("ended session: err = %v, want ErrNotFound", err)
		}
	})
}

func TestStore_EndUserSessions(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, websession.DefaultConfig())
		alice := MustCreateUser(t, e.db, "alice")
		bob := MustCreateUser(t, e.db, "bob")
		MustLogin(t, e.store, alice, "192.0.2.7", false)
		MustLogin(t, e.store, alice, "192.0.2.7", true)
		MustLogin(t, e.store, alice, "192.0.2.8", true)
		b, bTok := MustLogin(t, e.store, bob, "192.0.2.7", true)

		n, err := e.store.EndUserSessions(t.Context(), alice)
		if err != nil || n != 3 {
			t.Fatalf("EndUserSessions = %d, %v; want 3, nil", n, err)
		}
		if ids := sessionIDs(t, e.db); len(ids) != 1 || ids[0] != b.ID {
			t.Fatalf("sessions left = %v, want only bob's %d", ids, b.ID)
		}
		MustLookup(t, e.store, b.ID, bTok, "192.0.2.7")
		if n, err := e.store.EndUserSessions(t.Context(), alice); err != nil || n != 0 {
			t.Fatalf("second EndUserSessions = %d, %v; want 0, nil", n, err)
		}
	})
}

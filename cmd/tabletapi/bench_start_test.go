package main_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	tabletapi "github.com/tabletapi/tabletapi/cmd/tabletapi"
	"github.com/tabletapi/tabletapi/internal/dbtest"
	"github.com/tabletapi/tabletapi/internal/registry/registrytest"
)

// BenchmarkServeStart measures `serve` from the call of run to the first
// 200 from /readyz, with a registry the size of the full CamCOPS one (150
// tables, 5,250 fields; --tables): on a database with no tables at all
// (Empty: migrations, then every client table created) and on one a server
// has already set up (Unchanged: every later start). SQLite, or PostgreSQL
// when TABLETAPI_TEST_DATABASE_URL is set.
func BenchmarkServeStart(b *testing.B) {
	path := filepath.Join(b.TempDir(), "synthetic.tables")
	if err := os.WriteFile(path, []byte(registrytest.Synthetic(150, 35)), 0o600); err != nil {
		b.Fatal(err)
	}
	b.Run("Empty", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			u := dbtest.NewEmptyURL(b)
			b.StartTimer()
			stop := benchServe(b, u, path)
			b.StopTimer()
			stop()
			b.StartTimer()
		}
	})
	b.Run("Unchanged", func(b *testing.B) {
		u := dbtest.NewEmptyURL(b)
		benchServe(b, u, path)()
		for b.Loop() {
			stop := benchServe(b, u, path)
			b.StopTimer()
			stop()
			b.StartTimer()
		}
	})
}

// benchServe starts serve on dbURL with the registry at path, returns once
// /readyz answers 200, and returns the function that stops the server.
func benchServe(b *testing.B, dbURL, path string) (stop func()) {
	b.Helper()
	log := new(syncBuffer)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- tabletapi.Run(ctx, []string{"tabletapi", "serve", "--listen", "127.0.0.1:0", "--database", dbURL, "--tables", path},
			tabletapi.Deps{Stderr: log})
	}()
	stop = func() {
		cancel()
		if err := <-done; err != nil {
			b.Fatalf("serve: %v", err)
		}
	}
	waitServing(b, log, done)
	return stop
}

// Package upload is the upload engine of the tablet API (PROTOCOL 6.11–6.19
// and 8): multi-step batches with pending additions and removals, commit
// and rollback, eras and preservation, the recordwise BLOB path, one-step
// upload, and the idempotent-retry rules that keep a repeated upload from
// storing anything twice.
//
// Every operation runs inside the request's transaction, a Tx that
// InTransaction begins and ends (phase B), and holds the device's row lock
// for its length, so requests for one device never interleave, across
// server processes too. An operation that fails leaves no trace: the
// transaction is rolled back. The values each rule writes into the
// bookkeeping columns are in rules.go, all but the version links; the
// device row's batch columns are written through package device.
//
// Each registry table is a real table named after the client table, with
// a typed column per field and the bookkeeping columns of PROTOCOL 8.1
// (see schema.SyncTables). Identifiers in SQL come only from the registry,
// never from a request.
package upload

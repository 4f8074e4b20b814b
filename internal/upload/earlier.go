package upload

import "time"

// From an earlier attempt (PROTOCOL 8.3.2 step 4). A tablet whose request
// times out sends the upload again from start_upload, but the request it
// gave up on may still be on its way: waiting for the device lock, for the
// bcrypt pool or for the rest of its body. If it arrives after the retry's
// start_upload, it must not act in the retry's batch; an end_upload would
// commit that batch half sent. Such a request was received before the batch
// it meets began, and no request of that batch can be: the client sends
// each request after the reply to the one before, and start_upload replies
// only after its batch start is committed.
//
// Both times must come from one clock. The batch start is
// batch_started_db_utc, written by StartBatch. On PostgreSQL it is
// statement_timestamp() of the StartBatch UPDATE, the database's clock,
// which every gateway instance shares. The receipt time is then estimated on
// the same clock by onBatchClock. On SQLite, one process on one machine,
// both are the machine's clock, time.Now: the batch start is read when
// StartBatch writes it, and the receipt time is Call.Received itself.
// Neither is Call.Now: that comes from the server's injectable clock (tests
// move it), which cannot order physical events.

// onBatchClock returns when the request was received, on the database's
// clock: dbNow, the statement_timestamp() of the device-lock statement,
// less the time the server spent between receiving the request and
// sending that statement (sent), measured with Go's monotonic clock, so
// that the gateway's wall clock, however far it is off, plays no part.
//
// The estimate can only be late, by the time the lock statement took to
// reach the database (one network latency): statement_timestamp() is when
// the database received the statement, not when it was sent. Late is the
// safe side: a request of the open batch, received after that batch's
// start, is never refused; a stale request received less than one latency
// before the start may slip through, which needs its client to have retried
// within that latency.
func onBatchClock(dbNow, sent, received time.Time) time.Time {
	return dbNow.Add(-sent.Sub(received))
}

// fromEarlierAttempt reports whether the request was received before U's
// open batch began (call it only when U owns the open batch). A batch
// opened before batch_started_db_utc existed has no start to compare with.
func fromEarlierAttempt(st *deviceState) bool {
	return st.BatchStarted != nil && st.Received.Before(*st.BatchStarted)
}

package audit

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/tabletapi/tabletapi/internal/sqldb"
)

// Upload methods, as the console shows them: how the tablet sent the
// batch, and whether it preserved (finalized) its records.
const (
	MethodMultiStep           = "multi-step"
	MethodMultiStepPreserving = "multi-step, preserving"
	MethodOneStep             = "one-step"
	MethodOneStepPreserving   = "one-step, preserving"
)

// TableCounts is what one upload did to one table: records added,
// modified (a new version replaced them), deleted (removed) and preserved.
type TableCounts struct {
	Table     string
	Added     int
	Modified  int
	Deleted   int
	Preserved int
}

// UploadDetail is the structured part of an upload's audit: the batch
// time, the method (one of the Method constants), the group whose rows it
// wrote (the uploader's upload group; 0 for none) and the tables changed.
type UploadDetail struct {
	BatchUTC time.Time
	Method   string
	GroupID  int64
	Tables   []TableCounts
}

// uploadRow is a row of audit_uploads.
type uploadRow struct {
	bun.BaseModel `bun:"table:audit_uploads"`

	AuditID  int64     `bun:"audit_id,pk"`
	BatchUTC time.Time `bun:"batch_utc"`
	Method   string    `bun:"method"`
	GroupID  int64     `bun:"group_id,nullzero"`
}

// uploadTableRow is a row of audit_upload_tables.
type uploadTableRow struct {
	bun.BaseModel `bun:"table:audit_upload_tables"`

	AuditID   int64  `bun:"audit_id,pk"`
	Table     string `bun:"tablename,pk"`
	Added     int    `bun:"added"`
	Modified  int    `bun:"modified"`
	Deleted   int    `bun:"deleted"`
	Preserved int    `bun:"preserved"`
}

// WriteUpload writes e (whose Operation it sets to OpUpload) and the
// structured record of the upload, u, in three statements whatever the
// number of tables: call it inside the upload's transaction, so that the
// audit and the data commit together.
func WriteUpload(ctx context.Context, db bun.IDB, e Entry, u UploadDetail) error {
	e.Operation = OpUpload
	id, err := write(ctx, db, e)
	if err != nil {
		return err
	}
	row := &uploadRow{AuditID: id, BatchUTC: u.BatchUTC.UTC().Truncate(time.Microsecond), Method: u.Method,
		GroupID: u.GroupID}
	if _, err := db.NewInsert().Model(row).Exec(ctx); err != nil {
		return fmt.Errorf("audit: write upload: %w", err)
	}
	if len(u.Tables) == 0 {
		return nil
	}
	rows := make([]uploadTableRow, len(u.Tables))
	for i, t := range u.Tables {
		rows[i] = uploadTableRow{AuditID: id, Table: t.Table, Added: t.Added, Modified: t.Modified,
			Deleted: t.Deleted, Preserved: t.Preserved}
	}
	if _, err := db.NewInsert().Model(&rows).Exec(ctx); err != nil {
		return fmt.Errorf("audit: write upload tables: %w", err)
	}
	return nil
}

// Upload is one committed upload as the console lists it.
type Upload struct {
	AuditID    int64
	DeviceID   int64
	DeviceName string // empty if the device is gone
	Username   string
	BatchUTC   time.Time // the batch's time: when it started
	EndUTC     time.Time // when it was committed
	Method     string
	GroupID    int64         // the group its rows went to; 0 if unknown
	Tables     []TableCounts // in table name order; none for "No changes"
}

// UploadFilter selects uploads. Zero values select everything.
type UploadFilter struct {
	DeviceID int64 // only this device's uploads; 0 for all
	BeforeID int64 // only uploads with AuditID < BeforeID (the next page); 0 for the newest
	Limit    int   // at most this many; 0 or less means 50
	// GroupIDs keeps the uploads into these groups: nil keeps all, an
	// empty slice none (a console user who may see no group).
	GroupIDs []int64
}

// Uploads returns the uploads f selects, newest first, with their tables,
// in two queries. Its errors come from the database only.
func Uploads(ctx context.Context, db bun.IDB, f UploadFilter) ([]Upload, error) {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	if f.GroupIDs != nil && len(f.GroupIDs) == 0 {
		return []Upload{}, nil
	}
	var rows []struct {
		AuditID  int64     `bun:"audit_id"`
		DeviceID *int64    `bun:"device_id"`
		Name     *string   `bun:"name"`
		Username *string   `bun:"username"`
		BatchUTC time.Time `bun:"batch_utc"`
		When     time.Time `bun:"when_utc"`
		Method   string    `bun:"method"`
		GroupID  *int64    `bun:"group_id"`
	}
	q := db.NewSelect().TableExpr("audit_uploads AS u").
		Join("JOIN audit_log AS a ON a.id = u.audit_id").
		Join("LEFT JOIN devices AS d ON d.id = a.device_id").
		ColumnExpr("u.audit_id, a.device_id, d.name, a.username, u.batch_utc, a.when_utc, u.method, u.group_id").
		OrderExpr("u.audit_id DESC").Limit(int64(f.Limit))
	if f.DeviceID != 0 {
		q = q.Where("a.device_id = ?", f.DeviceID)
	}
	if f.BeforeID != 0 {
		q = q.Where("u.audit_id < ?", f.BeforeID)
	}
	if f.GroupIDs != nil {
		q = q.Where("u.group_id IN (?)", bun.List(f.GroupIDs))
	}
	if err := q.Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("audit: uploads: %w", err)
	}
	out := make([]Upload, len(rows))
	byID := make(map[int64]*Upload, len(rows))
	ids := make([]int64, len(rows))
	for i, r := range rows {
		out[i] = Upload{AuditID: r.AuditID, BatchUTC: r.BatchUTC.UTC(), EndUTC: r.When.UTC(), Method: r.Method}
		if r.DeviceID != nil {
			out[i].DeviceID = *r.DeviceID
		}
		if r.Name != nil {
			out[i].DeviceName = *r.Name
		}
		if r.Username != nil {
			out[i].Username = *r.Username
		}
		if r.GroupID != nil {
			out[i].GroupID = *r.GroupID
		}
		byID[r.AuditID] = &out[i]
		ids[i] = r.AuditID
	}
	if len(ids) == 0 {
		return out, nil
	}
	var tables []uploadTableRow
	if err := db.NewSelect().Model(&tables).Where("audit_id IN (?)", bun.List(ids)).
		Order("audit_id", "tablename").Scan(ctx); err != nil {
		return nil, fmt.Errorf("audit: upload tables: %w", err)
	}
	for _, t := range tables {
		u := byID[t.AuditID]
		u.Tables = append(u.Tables, TableCounts{Table: t.Table, Added: t.Added, Modified: t.Modified,
			Deleted: t.Deleted, Preserved: t.Preserved})
	}
	return out, nil
}

// DayCount is the number of uploads committed on one UTC day.
type DayCount struct {
	Day   time.Time // midnight UTC
	Count int
}

// UploadsPerDay counts the uploads committed on each UTC day from since's
// day to now's, oldest first, days without uploads included: the console's
// bar chart. now is the caller's clock. groupIDs keeps the uploads into
// those groups as UploadFilter.GroupIDs does (nil: all; empty: none). The
// database groups the rows.
func UploadsPerDay(ctx context.Context, db bun.IDB, since, now time.Time, groupIDs []int64) ([]DayCount, error) {
	first := since.UTC().Truncate(24 * time.Hour)
	last := now.UTC().Truncate(24 * time.Hour)
	// Both give the UTC day as YYYY-MM-DD: SQLite stores the (UTC) time as
	// text that starts with it.
	day := "substr(a.when_utc, 1, 10)"
	if sqldb.IsPostgres(db) {
		day = "to_char(a.when_utc AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
	}
	var rows []struct {
		Day   string `bun:"day"`
		Count int    `bun:"n"`
	}
	q := db.NewSelect().TableExpr("audit_uploads AS u").
		Join("JOIN audit_log AS a ON a.id = u.audit_id").
		ColumnExpr(day+" AS day, count(*) AS n").
		Where("a.when_utc >= ?", first).
		GroupExpr("1")
	switch {
	case groupIDs == nil:
	case len(groupIDs) == 0:
		q = q.Where("1 = 0")
	default:
		q = q.Where("u.group_id IN (?)", bun.List(groupIDs))
	}
	if err := q.Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("audit: uploads per day: %w", err)
	}
	counts := make(map[string]int, len(rows))
	for _, r := range rows {
		counts[r.Day] = r.Count
	}
	var out []DayCount
	for d := first; !d.After(last); d = d.AddDate(0, 0, 1) {
		out = append(out, DayCount{Day: d, Count: counts[d.Format(time.DateOnly)]})
	}
	return out, nil
}

// LastUploads returns, for each device with an upload into one of
// groupIDs (nil: any group; empty: none), when its last such upload was
// committed, in UTC: the console's device list, which shows a user who is
// not a superuser only the devices that uploaded into their groups. Its
// errors come from the database only.
func LastUploads(ctx context.Context, db bun.IDB, groupIDs []int64) (map[int64]time.Time, error) {
	out := map[int64]time.Time{}
	if groupIDs != nil && len(groupIDs) == 0 {
		return out, nil
	}
	var rows []struct {
		DeviceID int64     `bun:"device_id"`
		Last     time.Time `bun:"last"`
	}
	q := db.NewSelect().TableExpr("audit_uploads AS u").
		Join("JOIN audit_log AS a ON a.id = u.audit_id").
		ColumnExpr("a.device_id, max(a.when_utc) AS last").
		Where("a.device_id IS NOT NULL").GroupExpr("a.device_id")
	if groupIDs != nil {
		q = q.Where("u.group_id IN (?)", bun.List(groupIDs))
	}
	if err := q.Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("audit: last uploads: %w", err)
	}
	for _, r := range rows {
		out[r.DeviceID] = r.Last.UTC()
	}
	return out, nil
}

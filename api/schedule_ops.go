package api

import (
	"context"
	"time"

	"github.com/tabletapi/tabletapi/internal/patient"
	"github.com/tabletapi/tabletapi/internal/schedule"
)

// getTaskSchedules: PROTOCOL 6.7. It writes (the missing start times), so
// it runs in the request's transaction: a failure keeps no start.
func (s *server) getTaskSchedules(ctx context.Context, x *opContext) (*Reply, error) {
	p, err := s.patientByKey(ctx, x.db, x) // with the throttle of failed keys
	if err != nil {
		return nil, err
	}
	schedules, err := schedule.NewStore(x.db, func() time.Time { return x.now }).
		TaskSchedulesJSON(ctx, s.registry, p.PK, p.IDNums)
	if err != nil {
		return nil, err
	}
	// Both values are one line of JSON, as these keys need (PROTOCOL 1.3).
	return new(Reply).AddLiteral("patient_info", patient.InfoJSON(p)).AddLiteral("task_schedules", string(schedules)), nil
}

package console

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/tabletapi/tabletapi/device"
	"github.com/tabletapi/tabletapi/internal/records"
)

// patientData is the data of the patient view.
type patientData struct {
	Patient *records.Patient
	Devices map[int64]string // device names by id
	Scoped  bool
}

// handlePatient shows the patients with one ID number (?which=N&value=V)
// and their current task rows, across devices and eras.
func (c *Console) handlePatient(ec echo.Context) error {
	has, which, value, err := idNumParams(ec)
	if err != nil {
		return err
	}
	if !has {
		return echo.NewHTTPError(http.StatusBadRequest, "Give a patient's ID number: its type (which) and value.")
	}
	groups, err := c.visibleGroups(ec)
	if err != nil {
		return err
	}
	ctx := ec.Request().Context()
	p, err := records.PatientView(ctx, c.db, c.registry, which, value, groups)
	if errors.Is(err, records.ErrNoPatient) {
		return echo.NewHTTPError(http.StatusBadRequest, "The table registry has no patient or ID number table.")
	}
	if err != nil {
		return err
	}
	list, err := device.NewStore(c.db, c.now).ListForConsole(ctx)
	if err != nil {
		return err
	}
	names := make(map[int64]string, len(list))
	for _, d := range list {
		names[d.ID] = d.Name
	}
	return c.render(ec, http.StatusOK, "patient", "Patient", patientData{Patient: p, Devices: names, Scoped: groups != nil})
}

package console

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/tabletapi/tabletapi/internal/records"
	"github.com/tabletapi/tabletapi/internal/registry"
)

// tablesData is the data of the table picker.
type tablesData struct {
	Tables []*registry.Table
}

// handleTables lists the registry's client tables, each a link to its
// records.
func (c *Console) handleTables(ec echo.Context) error {
	return c.render(ec, http.StatusOK, "tables", "Records", tablesData{Tables: c.registry.Tables()})
}

// recordsFilter is the filter of a records page as the request gave it.
type recordsFilter struct {
	Device, Which, Value int64
	HasIDNum             bool
}

// query is the filter as URL parameters, after after unless 0.
func (f recordsFilter) query(after int64) url.Values {
	q := url.Values{}
	if f.Device != 0 {
		q.Set("device", strconv.FormatInt(f.Device, 10))
	}
	if f.HasIDNum {
		q.Set("which", strconv.FormatInt(f.Which, 10))
		q.Set("value", strconv.FormatInt(f.Value, 10))
	}
	if after != 0 {
		q.Set("after", strconv.FormatInt(after, 10))
	}
	return q
}

// recordsData is the data of a records page.
type recordsData struct {
	Page       *records.TablePage
	Filter     recordsFilter
	Next       string // the next page's URL; "" on the last page
	PatientURL string // the patient view of the ID number filtered by; "" without one
	Scoped     bool
}

// handleRecords shows a page of a table's current rows, filtered by
// ?device=ID and by a patient's ID number (?which=N&value=V), after the
// row with _pk ?after=PK (keyset paging). The table name is looked up in
// the registry by records.Page before any SQL uses it: an unknown one is
// a 404.
func (c *Console) handleRecords(ec echo.Context) error {
	table := ec.Param("table")
	var f recordsFilter
	var err error
	if f.Device, err = intParam(ec, "device"); err != nil {
		return err
	}
	after, err := intParam(ec, "after")
	if err != nil {
		return err
	}
	if f.HasIDNum, f.Which, f.Value, err = idNumParams(ec); err != nil {
		return err
	}
	groups, err := c.visibleGroups(ec)
	if err != nil {
		return err
	}
	rf := records.Filter{DeviceID: f.Device, GroupIDs: groups}
	if f.HasIDNum {
		rf.IDNum = &records.IDNumRef{Which: f.Which, Value: f.Value}
	}
	p, err := records.Page(ec.Request().Context(), c.db, c.registry, table, rf, after, records.DefaultLimit)
	switch {
	case errors.Is(err, records.ErrUnknownTable):
		return echo.NewHTTPError(http.StatusNotFound, "There is no table named "+strconv.Quote(table)+".")
	case errors.Is(err, records.ErrNoPatient):
		return echo.NewHTTPError(http.StatusBadRequest,
			"The rows of table "+table+" have no patient, so they cannot be filtered by ID number.")
	case err != nil:
		return err
	}
	d := recordsData{Page: p, Filter: f, Scoped: groups != nil}
	if p.Next != 0 {
		d.Next = c.url("/records/"+p.Table) + "?" + f.query(p.Next).Encode()
	}
	if f.HasIDNum {
		d.PatientURL = c.url("/patient") + "?" + recordsFilter{Which: f.Which, Value: f.Value, HasIDNum: true}.query(0).Encode()
	}
	return c.render(ec, http.StatusOK, "records", "Records: "+p.Table, d)
}

// idNumParams reads a patient's ID number, ?which=N&value=V: both or
// neither (a 400 otherwise, or for numbers that are not whole).
func idNumParams(ec echo.Context) (has bool, which, value int64, err error) {
	w, v := ec.QueryParam("which"), ec.QueryParam("value")
	if w == "" && v == "" {
		return false, 0, 0, nil
	}
	if w == "" || v == "" {
		return false, 0, 0, echo.NewHTTPError(http.StatusBadRequest,
			"An ID number needs both its type (which) and its value.")
	}
	if which, err = intParam(ec, "which"); err != nil {
		return false, 0, 0, err
	}
	if value, err = intParam(ec, "value"); err != nil {
		return false, 0, 0, err
	}
	return true, which, value, nil
}

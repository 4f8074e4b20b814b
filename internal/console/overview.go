package console

import (
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/tabletapi/tabletapi/internal/audit"
	"github.com/tabletapi/tabletapi/tabletsession"
)

// chartDays is how many days the overview's bar chart covers, today
// included.
const chartDays = 30

// The bar chart's geometry, in SVG user units.
const (
	barWidth    = 20
	barGap      = 4
	chartHeight = 120
)

// bar is one day of the chart, placed by the server: no script draws it.
type bar struct {
	X, Y, Height int
	Day          string // YYYY-MM-DD
	Count        int
	Title        string // the bar's tooltip and accessible name
}

// chart is the uploads-per-day bar chart.
type chart struct {
	Width, Height, BarWidth int
	Bars                    []bar
	First, Last             string
	Summary                 string // the chart in words
}

// overviewData is the data of the overview.
type overviewData struct {
	Devices   int
	Uploads   int // in the chart's days
	Chart     chart
	Batches   []deviceView // devices with a batch in progress
	Lockouts  []tabletsession.Lockout
	Superuser bool
	Scoped    bool
}

// handleOverview is the console's home page: counts, the uploads of the
// last 30 days as a bar chart, the batches in progress and, for
// superusers, the locked-out users.
func (c *Console) handleOverview(ec echo.Context) error {
	ctx := ec.Request().Context()
	groups, err := c.visibleGroups(ec)
	if err != nil {
		return err
	}
	devices, err := c.visibleDevices(ctx, groups)
	if err != nil {
		return err
	}
	now := c.now().UTC()
	days, err := audit.UploadsPerDay(ctx, c.db, now.AddDate(0, 0, -(chartDays-1)), now, groups)
	if err != nil {
		return err
	}
	d := overviewData{Devices: len(devices), Chart: barChart(days), Superuser: userOf(ec).Superuser,
		Scoped: groups != nil}
	for _, day := range days {
		d.Uploads += day.Count
	}
	for _, dev := range devices {
		if dev.InProgress {
			d.Batches = append(d.Batches, dev)
		}
	}
	if d.Superuser {
		if d.Lockouts, err = c.lockouts.Active(ctx); err != nil {
			return err
		}
	}
	return c.render(ec, http.StatusOK, "overview", "Overview", d)
}

// barChart lays out one bar per day, the tallest bar the chart's height.
func barChart(days []audit.DayCount) chart {
	ch := chart{Width: len(days) * (barWidth + barGap), Height: chartHeight, BarWidth: barWidth}
	top, busiest, total := 0, "", 0
	for _, d := range days {
		total += d.Count
		if d.Count > top {
			top, busiest = d.Count, d.Day.Format(time.DateOnly)
		}
	}
	for i, d := range days {
		h := 0
		if top > 0 {
			h = d.Count * (chartHeight - 1) / top
		}
		if d.Count > 0 {
			h = max(h, 2) // a day with uploads stays visible
		}
		day := d.Day.Format(time.DateOnly)
		ch.Bars = append(ch.Bars, bar{X: i * (barWidth + barGap), Y: chartHeight - h, Height: h,
			Day: day, Count: d.Count, Title: fmt.Sprintf("%s: %d %s", day, d.Count, plural(d.Count, "upload"))})
	}
	if len(days) > 0 {
		ch.First, ch.Last = days[0].Day.Format(time.DateOnly), days[len(days)-1].Day.Format(time.DateOnly)
	}
	ch.Summary = fmt.Sprintf("%d %s from %s to %s (UTC days)", total, plural(total, "upload"), ch.First, ch.Last)
	if top > 0 {
		ch.Summary += fmt.Sprintf("; the most, %d, on %s", top, busiest)
	}
	ch.Summary += "."
	return ch
}

// plural is word, with an s unless n is 1.
func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

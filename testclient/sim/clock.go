package sim

import "time"

// WLMLayout is the client's date-time format: milliseconds and a ±HH:MM
// offset, UTC written +00:00 (PROTOCOL 7.4).
const WLMLayout = "2006-01-02T15:04:05.000-07:00"

// clock gives a tablet's date-times in its own time zone. Each reading is at
// least a millisecond after the previous one, so a record modified twice
// never keeps its when_last_modified (the server compares only that, 8.4.2).
type clock struct {
	now  func() time.Time
	zone *time.Location
	last time.Time
}

// next returns the current time, formatted as the client writes it.
func (c *clock) next() string {
	t := c.now().In(c.zone).Truncate(time.Millisecond)
	if !t.After(c.last) {
		t = c.last.Add(time.Millisecond)
	}
	c.last = t
	return t.Format(WLMLayout)
}

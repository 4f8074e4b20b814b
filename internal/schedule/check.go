package schedule

import (
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/tabletapi/tabletapi/internal/pyjson"
	"github.com/tabletapi/tabletapi/internal/registry"
)

// maxNameLen is the length of task_schedules.name, VARCHAR(191).
const maxNameLen = 191

// checkName refuses an empty or over-long schedule name.
func checkName(name string) error {
	if strings.TrimSpace(name) == "" || utf8.RuneCountInString(name) > maxNameLen {
		return invalidf("the name must be 1-%d characters, not blank", maxNameLen)
	}
	return nil
}

// CheckItem checks it against reg: its table must be a task table of the
// registry (kind task), DueFromDays at least 0 and DueWithinDays at least
// 1. The error wraps ErrInvalid and says which rule it breaks.
func CheckItem(reg *registry.Registry, it Item) error {
	t, ok := reg.Table(it.Table)
	switch {
	case !ok || t.Kind != registry.KindTask:
		return invalidf("%q is not a task table of the registry", it.Table)
	case it.DueFromDays < 0:
		return invalidf("the due-from days must be at least 0, not %d", it.DueFromDays)
	case it.DueWithinDays < 1:
		return invalidf("the due-within days must be at least 1, not %d", it.DueWithinDays)
	}
	return nil
}

// CheckSettings checks an assignment's settings text for sc: a JSON object
// whose every key is a table of one of sc's items and whose every value is
// a JSON object ({"phq9": {…}}), with no key repeated in any object. The
// error wraps ErrInvalid and says which rule it breaks.
func CheckSettings(settings string, sc *Schedule) error {
	var byTable map[string]json.RawMessage
	if err := json.Unmarshal([]byte(settings), &byTable); err != nil || byTable == nil {
		return invalidf("settings must be a JSON object keyed by table name")
	}
	// The reply writes the settings again (pyjson.Raw); a repeated key
	// would leave which value counts to chance.
	if _, err := pyjson.Marshal(pyjson.Raw(settings)); errors.Is(err, pyjson.ErrDuplicateKey) {
		return invalidf("settings must not repeat a key within an object")
	}
	for _, table := range slices.Sorted(maps.Keys(byTable)) {
		if !slices.ContainsFunc(sc.Items, func(it Item) bool { return it.Table == table }) {
			return invalidf("settings name table %q, which schedule %q does not have", table, sc.Name)
		}
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(byTable[table], &obj); err != nil || obj == nil {
			return invalidf("the settings of table %q must be a JSON object", table)
		}
	}
	return nil
}

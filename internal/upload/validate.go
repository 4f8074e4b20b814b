package upload

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/tabletapi/tabletapi/internal/codec"
	"github.com/tabletapi/tabletapi/internal/fault"
	"github.com/tabletapi/tabletapi/internal/registry"
)

// mandatory returns the value of a parameter that must be present.
func mandatory(c *Call, name string) (string, error) {
	v := c.Get(name)
	if v == "" {
		return "", fault.MissingVariable(name)
	}
	return v, nil
}

var intParamRE = regexp.MustCompile(`\A\s*[+-]?[0-9]+\s*\z`)

// intParam parses an integer parameter (PROTOCOL 10.1).
func intParam(c *Call, name string) (int64, error) {
	raw, err := mandatory(c, name)
	if err != nil {
		return 0, err
	}
	if intParamRE.MatchString(raw) {
		if n, err := strconv.ParseInt(strings.TrimSpace(raw), 10, 64); err == nil {
			return n, nil
		}
	}
	return 0, userErrorf("Variable %s is not a valid integer; was %s", name, codec.Repr(raw))
}

// badClientPK is the refusal of a client PK that is not a non-NULL
// integer (PROTOCOL 8.4.1 step 2), in a record or in a list of PKs.
func badClientPK(v codec.Value) error {
	return userErrorf("Bad (non-integer) client PK: %s", codec.ReprValue(v))
}

// table checks a table name against the registry and the client version.
func (e *Engine) table(c *Call, name string) (*registry.Table, error) {
	t, ok := e.reg.Table(name)
	if !ok {
		return nil, userErrorf("Invalid client table name: %s", name)
	}
	if !c.AtLeast(t.MinVersion) {
		return nil, userErrorf("Client CamCOPS version %s is less than the version (%s) required to handle table %s",
			c.VersionText(), t.MinVersion, t.Name)
	}
	return t, nil
}

// tableParam reads and checks the mandatory "table" parameter.
func (e *Engine) tableParam(c *Call) (*registry.Table, error) {
	name, err := mandatory(c, "table")
	if err != nil {
		return nil, err
	}
	return e.table(c, name)
}

// field checks one field name of t (PROTOCOL 6, shared name rules).
func field(t *registry.Table, name string) (registry.Field, error) {
	name = strings.TrimSpace(name)
	if registry.IsReserved(name) {
		return registry.Field{}, userErrorf("Reserved field name for table '%s': '%s'", t.Name, name)
	}
	f, ok := t.Field(name)
	if !ok {
		return registry.Field{}, userErrorf("Invalid field name for table '%s': '%s'", t.Name, name)
	}
	return f, nil
}

// pkname checks that name is t's client PK.
func pkname(t *registry.Table, name string) error {
	f, err := field(t, name)
	if err != nil {
		return err
	}
	if f.Name != t.PK {
		return userErrorf("Invalid field name for table '%s': '%s'", t.Name, f.Name)
	}
	return nil
}

// pknameParam reads and checks the mandatory "pkname" parameter.
func pknameParam(c *Call, t *registry.Table) error {
	name, err := mandatory(c, "pkname")
	if err != nil {
		return err
	}
	return pkname(t, name)
}

// fieldsParam reads and checks the mandatory "fields" parameter.
func fieldsParam(c *Call, t *registry.Table) ([]registry.Field, error) {
	raw, err := mandatory(c, "fields")
	if err != nil {
		return nil, err
	}
	var fields []registry.Field
	for _, name := range strings.Split(raw, ",") {
		f, err := field(t, name)
		if err != nil {
			return nil, err
		}
		fields = append(fields, f)
	}
	return fields, nil
}

package registrytest_test

import (
	"strings"
	"testing"

	"github.com/tabletapi/tabletapi/internal/registry"
	"github.com/tabletapi/tabletapi/internal/registry/registrytest"
)

func TestSynthetic(t *testing.T) {
	reg, err := registry.Parse(strings.NewReader(registrytest.Synthetic(150, 35)), "synthetic")
	if err != nil {
		t.Fatal(err)
	}
	tables, fields := 0, 0
	types := map[registry.FieldType]int{}
	for _, tb := range reg.Tables() {
		tables++
		for _, f := range tb.Fields {
			fields++
			types[f.Type]++
		}
	}
	if tables != 150 || fields < 5000 {
		t.Errorf("%d tables, %d fields; want 150 and at least 5,000", tables, fields)
	}
	if len(types) != 8 {
		t.Errorf("field types %v, want all 8", types)
	}
}

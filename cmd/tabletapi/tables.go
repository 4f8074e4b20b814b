package main

import (
	"github.com/tabletapi/tabletapi/internal/registry"
)

// tablesHelp is the help of --tables, the flag of every command that uses
// the serve registry.
const tablesHelp = "table registry file replacing the built-in one"

// loadRegistry returns the registry of --tables: the built-in one when
// path is "", else the file's. A file that does not load is a bad
// command line.
func loadRegistry(path string) (*registry.Registry, error) {
	if path == "" {
		return registry.Default(), nil
	}
	r, err := registry.Load(path)
	if err != nil {
		return nil, usagef("--tables: %v", err)
	}
	return r, nil
}

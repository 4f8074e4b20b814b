package extrastrings

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Set is the extra strings of a directory.
type Set struct {
	Strings []String  // sorted by task, name and language, in byte order
	Files   int       // how many files were read
	Ignored []Ignored // per file that held skipped parts, in file-name order
}

// Load reads every *.xml file of dir (not those whose name starts with a
// dot, as the CamCOPS server's glob does not match them), in file-name
// order. Its error names the directory, or the file and line at fault:
// dir missing or not a directory, a file unreadable or malformed, or a
// string defined twice.
func Load(dir string) (*Set, error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("extrastrings: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("extrastrings: %s: not a directory", dir)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("extrastrings: %w", err)
	}
	type key struct{ task, name, language string }
	type place struct {
		file string
		line int
	}
	seen := map[key]place{}
	set := &Set{}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".xml") || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		path := filepath.Join(dir, e.Name())
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("extrastrings: %w", err)
		}
		f, err := Parse(data, path)
		if err != nil {
			return nil, err
		}
		set.Files++
		if f.Ignored != nil {
			set.Ignored = append(set.Ignored, *f.Ignored)
		}
		for i, s := range f.Strings {
			k := key{s.Task, s.Name, s.Language}
			// The CamCOPS server keeps the last one read, which depends on
			// file names and says nothing; a second definition is nearly
			// always a copied file or a slip, and its own files have none.
			if first, ok := seen[k]; ok {
				return nil, fmt.Errorf("extrastrings: %s:%d: string %q of task %q, locale %q, defined again (first at %s:%d)",
					path, f.Lines[i], s.Name, s.Task, s.Language, first.file, first.line)
			}
			seen[k] = place{path, f.Lines[i]}
			set.Strings = append(set.Strings, s)
		}
	}
	slices.SortFunc(set.Strings, func(a, b String) int {
		return cmp.Or(strings.Compare(a.Task, b.Task), strings.Compare(a.Name, b.Name), strings.Compare(a.Language, b.Language))
	})
	return set, nil
}

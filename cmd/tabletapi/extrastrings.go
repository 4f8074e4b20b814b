package main

import (
	"log/slog"

	"github.com/tabletapi/tabletapi/internal/extrastrings"
)

// logExtraStrings logs what --extra-strings loaded. A folder without
// files, or a file with skipped parts, is worth a warning: tablets show
// "[string not downloaded: …]" where a missing text should be.
func logExtraStrings(log *slog.Logger, s *serveSettings) {
	if s.extraSet == nil {
		return
	}
	if s.extraSet.Files == 0 {
		log.Warn("no extra string files (*.xml) found; get_extra_strings will send none", "dir", s.extraStrings)
		return
	}
	log.Info("extra strings loaded", "dir", s.extraStrings, "files", s.extraSet.Files, "strings", len(s.extraSet.Strings))
	for _, ig := range s.extraSet.Ignored {
		log.Warn("extra strings: parts of a file skipped, as CamCOPS skips them "+
			"(only <task name=…> in the root and <string name=…> in a task are read)",
			"file", ig.File, "line", ig.Line, "first", ig.What, "count", ig.Count)
	}
}

// extraStringList returns the extra strings to serve; none without
// --extra-strings.
func (s *serveSettings) extraStringList() []extrastrings.String {
	if s.extraSet == nil {
		return nil
	}
	return s.extraSet.Strings
}

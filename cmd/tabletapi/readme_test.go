package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// readmeLinkRE finds the target of a Markdown link.
var readmeLinkRE = regexp.MustCompile(`\]\(([^)#\s]+)(#[^)]*)?\)`)

// TestREADMELinks: every relative link of the README names a file or folder
// of this repository, so a clone alone is enough to follow it (the wire
// contract used to be linked outside it).
func TestREADMELinks(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	links := 0
	for _, m := range readmeLinkRE.FindAllStringSubmatch(string(readme), -1) {
		target := m[1]
		if strings.Contains(target, "://") {
			continue
		}
		links++
		path := filepath.Join(root, filepath.FromSlash(target))
		if rel, err := filepath.Rel(root, path); err != nil || strings.HasPrefix(rel, "..") {
			t.Errorf("README links %q, outside the repository", target)
			continue
		}
		if _, err := os.Stat(path); err != nil {
			t.Errorf("README links %q: %v", target, err)
		}
	}
	if links == 0 {
		t.Fatal("no relative links found; the pattern is wrong")
	}
	if !strings.Contains(string(readme), "](docs/protocol.md)") {
		t.Error("README does not link the wire contract, docs/protocol.md")
	}
}

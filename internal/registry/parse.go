package registry

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Parse reads a registry in the file format of the package documentation.
// source names the input in error messages, which have the form
// "registry: SOURCE:LINE: problem"; the error for an input without tables,
// or for a failed read, has no line number. Parse never panics.
func Parse(r io.Reader, source string) (*Registry, error) {
	p := &parser{source: source, tableNames: nameSet{}}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		p.line++
		if err := p.parseLine(sc.Text()); err != nil {
			return nil, err
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, p.errorf(p.line+1, "line longer than %d bytes", bufio.MaxScanTokenSize)
		}
		return nil, fmt.Errorf("registry: %s: read: %w", source, err)
	}
	if err := p.endTable(); err != nil {
		return nil, err
	}
	if len(p.tables) == 0 {
		return nil, fmt.Errorf("registry: %s: no tables", source)
	}
	return newRegistry(p.tables), nil
}

// parser holds the state of one Parse call.
type parser struct {
	source     string
	line       int      // number of the line being parsed, from 1
	tables     []*Table // finished tables, in file order
	tableNames nameSet
	cur        *tableState // the table whose field lines are being read
}

// tableState is a table whose field lines are being read.
type tableState struct {
	table      *Table
	line       int // line of the table declaration
	fieldNames nameSet
}

// errorf returns an error that names the source and the line.
func (p *parser) errorf(line int, format string, args ...any) error {
	return fmt.Errorf("registry: %s:%d: %s", p.source, line, fmt.Sprintf(format, args...))
}

// parseLine parses one line, without its line ending.
func (p *parser) parseLine(text string) error {
	if i := strings.IndexByte(text, '#'); i >= 0 {
		text = text[:i]
	}
	words := strings.FieldsFunc(text, isBlank)
	switch {
	case len(words) == 0:
		return nil
	case isBlank(rune(text[0])):
		return p.parseField(words)
	case words[0] != "table":
		return p.errorf(p.line, "unknown keyword %q", words[0])
	}
	if err := p.endTable(); err != nil {
		return err
	}
	return p.parseTable(words[1:])
}

// isBlank reports whether r separates words. Other white space is part of a
// word, so it makes the name or keyword invalid.
func isBlank(r rune) bool { return r == ' ' || r == '\t' }

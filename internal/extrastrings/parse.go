package extrastrings

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// String is one extra string.
type String struct {
	Task     string // the name attribute of its <task>
	Name     string // its name attribute
	Language string // the locale attribute of its <task>; "" when absent
	Value    string
}

// File is what one file holds.
type File struct {
	Strings []String // in document order
	Lines   []int    // Lines[i] is the line of the start tag of Strings[i]
	// Ignored is what the file held that is skipped (see the package
	// documentation), or nil.
	Ignored *Ignored
}

// Ignored describes the skipped parts of one file.
type Ignored struct {
	File  string
	Line  int    // the line of the first
	What  string // the first, e.g. `<locale> in <task>`
	Count int
}

// utf8BOM is the byte-order mark that some editors put first.
var utf8BOM = []byte("\xef\xbb\xbf")

// Parse reads one file in the format of the package documentation. source
// names it in errors, which have the form "extrastrings: SOURCE:LINE:
// problem". Parse does not check for strings defined twice (Load does).
// It never panics.
func Parse(data []byte, source string) (*File, error) {
	d := xml.NewDecoder(bytes.NewReader(bytes.TrimPrefix(data, utf8BOM)))
	// The CamCOPS server reads every file as UTF-8, whatever encoding its
	// declaration names; invalid UTF-8 is still refused by the decoder.
	d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	p := &parser{d: d, source: source, file: &File{}}
	root, err := p.prolog()
	if err != nil {
		return nil, err
	}
	if err := p.root(root); err != nil {
		return nil, err
	}
	if err := p.epilog(); err != nil {
		return nil, err
	}
	return p.file, nil
}

// parser holds the state of one Parse call.
type parser struct {
	d      *xml.Decoder
	source string
	line   int // the line where the token last returned by next starts
	file   *File
}

// errorf returns an error that names the source and the line.
func (p *parser) errorf(line int, format string, args ...any) error {
	return fmt.Errorf("extrastrings: %s:%d: %s", p.source, line, fmt.Sprintf(format, args...))
}

// next returns the next token, checking what encoding/xml leaves to its
// callers. At the end of the input it returns io.EOF, unwrapped.
func (p *parser) next() (xml.Token, error) {
	p.line, _ = p.d.InputPos()
	t, err := p.d.Token()
	var se *xml.SyntaxError
	switch {
	case err == io.EOF:
		return nil, err
	case errors.As(err, &se):
		return nil, p.errorf(se.Line, "%s", se.Msg)
	case err != nil:
		return nil, p.errorf(p.line, "%v", err)
	}
	if el, ok := t.(xml.StartElement); ok {
		return t, p.checkNames(el)
	}
	return t, nil
}

// checkNames refuses namespaces and repeated attributes, which expat (the
// CamCOPS server's parser) rejects but encoding/xml lets through.
func (p *parser) checkNames(el xml.StartElement) error {
	if el.Name.Space != "" {
		return p.errorf(p.line, "element <%s>: namespaces are not supported", el.Name.Local)
	}
	seen := make(map[string]bool, len(el.Attr))
	for _, a := range el.Attr {
		if a.Name.Space != "" || a.Name.Local == "xmlns" {
			return p.errorf(p.line, "attribute %q of <%s>: namespaces are not supported", a.Name.Local, el.Name.Local)
		}
		if seen[a.Name.Local] {
			return p.errorf(p.line, "attribute %q repeated in <%s>", a.Name.Local, el.Name.Local)
		}
		seen[a.Name.Local] = true
	}
	return nil
}

// ignore records a skipped part at the current line.
func (p *parser) ignore(what string) {
	if p.file.Ignored == nil {
		p.file.Ignored = &Ignored{File: p.source, Line: p.line, What: what}
	}
	p.file.Ignored.Count++
}

// prolog reads up to the root element's start tag and returns it.
func (p *parser) prolog() (xml.StartElement, error) {
	for {
		t, err := p.next()
		if err == io.EOF {
			return xml.StartElement{}, p.errorf(p.line, "no root element")
		}
		if err != nil {
			return xml.StartElement{}, err
		}
		switch t := t.(type) {
		case xml.StartElement:
			return t, nil
		case xml.CharData:
			if !isSpace(t) {
				p.textAt(t)
				return xml.StartElement{}, p.errorf(p.line, "text before the root element")
			}
		}
	}
}

// epilog reads what follows the root element: only white space, comments
// and processing instructions may.
func (p *parser) epilog() error {
	for {
		t, err := p.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		switch t := t.(type) {
		case xml.StartElement:
			return p.errorf(p.line, "second root element <%s>", t.Name.Local)
		case xml.CharData:
			if !isSpace(t) {
				p.textAt(t)
				return p.errorf(p.line, "text after the root element")
			}
		}
	}
}

// root reads the root element's content, after its start tag.
func (p *parser) root(el xml.StartElement) error {
	return p.children(el, "task", p.task)
}

// task reads a <task name=…> element's content, after its start tag.
func (p *parser) task(el xml.StartElement) error {
	name, _ := attr(el, "name")
	locale, _ := attr(el, "locale")
	return p.children(el, "string", func(s xml.StartElement) error {
		line := p.line
		value, err := p.content()
		if err != nil {
			return err
		}
		sname, _ := attr(s, "name")
		p.file.Strings = append(p.file.Strings, String{Task: name, Name: sname, Language: locale, Value: value})
		p.file.Lines = append(p.file.Lines, line)
		return nil
	})
}

// children reads the content of parent up to its end tag. It passes each
// child element named want that has a name attribute to read, just after
// its start tag, and skips the rest.
func (p *parser) children(parent xml.StartElement, want string, read func(xml.StartElement) error) error {
	for {
		t, err := p.next()
		if err != nil {
			return p.noEOF(err)
		}
		switch t := t.(type) {
		case xml.StartElement:
			_, named := attr(t, "name")
			var err error
			switch {
			case t.Name.Local == want && named:
				err = read(t)
			case t.Name.Local == want:
				p.ignore(fmt.Sprintf("<%s> without a name attribute", want))
				err = p.skip()
			default:
				p.ignore(fmt.Sprintf("<%s> in <%s>", t.Name.Local, parent.Name.Local))
				err = p.skip()
			}
			if err != nil {
				return err
			}
		case xml.CharData:
			if !isSpace(t) {
				p.textAt(t)
				p.ignore(fmt.Sprintf("text in <%s>", parent.Name.Local))
			}
		case xml.EndElement:
			return nil
		}
	}
}

// skip reads up to the end tag of the element whose start tag was read
// last.
func (p *parser) skip() error {
	for depth := 1; depth > 0; {
		t, err := p.next()
		if err != nil {
			return p.noEOF(err)
		}
		switch t.(type) {
		case xml.StartElement:
			depth++
		case xml.EndElement:
			depth--
		}
	}
	return nil
}

// noEOF turns an end of input inside an element into an error (the
// decoder reports one itself; this is a guard).
func (p *parser) noEOF(err error) error {
	if err == io.EOF {
		return p.errorf(p.line, "unexpected end of file")
	}
	return err
}

// attr returns the value of el's attribute name, normalized as an XML
// parser must: tabs and line breaks become spaces (encoding/xml does not).
func attr(el xml.StartElement, name string) (string, bool) {
	for _, a := range el.Attr {
		if a.Name.Local == name {
			return normalizeAttr(a.Value), true
		}
	}
	return "", false
}

func normalizeAttr(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return ' '
		}
		return r
	}, s)
}

// isSpace reports whether text is XML white space only.
func isSpace(text []byte) bool {
	return len(bytes.Trim(text, " \t\r\n")) == 0
}

// textAt moves p.line to where the text last read, which is not all white
// space, has its first other character.
func (p *parser) textAt(text []byte) {
	i := bytes.IndexFunc(text, func(r rune) bool { return !strings.ContainsRune(" \t\r\n", r) })
	p.line += bytes.Count(text[:i], []byte("\n"))
}

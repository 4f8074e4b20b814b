package extrastrings

import (
	"encoding/xml"
	"strings"
)

// content reads a <string> element's content up to its end tag and
// returns its value (see the package documentation).
func (p *parser) content() (string, error) {
	var text, markup strings.Builder // before the first child; from it on
	children := 0
	for {
		t, err := p.next()
		if err != nil {
			return "", p.noEOF(err)
		}
		switch t := t.(type) {
		case xml.CharData:
			if children == 0 {
				text.Write(t) // as the CamCOPS server does: not escaped
			} else {
				markup.WriteString(escapeText(string(t)))
			}
		case xml.StartElement:
			children++
			if err := p.element(&markup, t); err != nil {
				return "", err
			}
		case xml.EndElement:
			return unescapeNewlines(strings.TrimSpace(text.String() + markup.String())), nil
		}
	}
}

// element writes el, whose start tag was read last, and its content to w
// as XML text, the way Python's ElementTree writes it.
func (p *parser) element(w *strings.Builder, el xml.StartElement) error {
	w.WriteString("<" + el.Name.Local)
	for _, a := range el.Attr {
		w.WriteString(" " + a.Name.Local + `="` + escapeAttr(normalizeAttr(a.Value)) + `"`)
	}
	var inner strings.Builder
	for {
		t, err := p.next()
		if err != nil {
			return p.noEOF(err)
		}
		switch t := t.(type) {
		case xml.CharData:
			inner.WriteString(escapeText(string(t)))
		case xml.StartElement:
			if err := p.element(&inner, t); err != nil {
				return err
			}
		case xml.EndElement:
			if inner.Len() == 0 {
				w.WriteString(" />")
				return nil
			}
			w.WriteString(">" + inner.String() + "</" + el.Name.Local + ">")
			return nil
		}
	}
}

// The escapes of ElementTree's writer. It also writes tab, line feed and
// carriage return in attributes as character references, but
// normalizeAttr has made them spaces.
var (
	textEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")
	attrEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")
)

func escapeText(s string) string { return textEscaper.Replace(s) }
func escapeAttr(s string) string { return attrEscaper.Replace(s) }

// unescapeNewlines undoes the CamCOPS server's newline escaping: \n is a
// line feed, \r a carriage return, any other character after a backslash
// stands for itself, and a final lone backslash is dropped.
func unescapeNewlines(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		i++
		switch {
		case i == len(s):
		case s[i] == 'n':
			b.WriteByte('\n')
		case s[i] == 'r':
			b.WriteByte('\r')
		default:
			b.WriteByte(s[i]) // the bytes of a multi-byte character follow unchanged
		}
	}
	return b.String()
}

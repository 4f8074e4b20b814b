package extrastrings_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tabletapi/tabletapi/internal/extrastrings"
)

// TestParse_Values: each value is read as the CamCOPS server reads it (the
// expected values were checked against its reader, cc_string.py, run on
// the same content).
func TestParse_Values(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, content, want string }{
		{"Plain", "  hello world \n ", "hello world"},
		{"EntitiesUnescaped", "a &lt;b&gt; &amp; &#233;", "a <b> & é"},
		{
			"MarkupKept", `x &lt; <b class="k" id='q"&amp;'>bold &amp; <i>it</i> tail</b> &amp; <br/><br></br><e><!--c--></e> end`,
			`x < <b class="k" id="q&quot;&amp;">bold &amp; <i>it</i> tail</b> &amp; <br /><br /><e /> end`,
		},
		{"AttributeWhiteSpace", "<a href=\"x\ny\tz\">k</a>", `<a href="x y z">k</a>`},
		{"NestedString", `<string name="inner">in</string>`, `<string name="inner">in</string>`},
		{"Escapes", `line1\nline2\r\\back\x\`, "line1\nline2\r\\backx"},
		{"StrippedBeforeUnescaped", `  \n  x\n  `, "\n  x\n"},
		{"CDATA", "<![CDATA[ <raw> & ]]>", "<raw> &"},
		{"CommentDropped", "a<!-- x -->b", "ab"},
		{"ProcessingInstructionDropped", "a<?foo bar?>b", "ab"},
		{"UnicodeSpaceStripped", "&#x2003; café &#xa0;", "café"},
		{"Empty", "", ""},
		{"CRLF", "a\r\nb", "a\nb"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			content := `<resources><task name="t"><string name="s">` + tc.content + `</string></task></resources>`
			f, err := extrastrings.Parse([]byte(content), "test.xml")
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			want := []extrastrings.String{{Task: "t", Name: "s", Value: tc.want}}
			if diff := cmp.Diff(want, f.Strings); diff != "" {
				t.Fatalf("Strings (-want +got):\n%s", diff)
			}
		})
	}
}

// TestParse_Shapes: what the CamCOPS server also accepts.
func TestParse_Shapes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, content string }{
		{"ByteOrderMark", "\xef\xbb\xbf<resources><task name=\"t\"><string name=\"s\">v</string></task></resources>"},
		{"OtherDeclaredEncoding", `<?xml version="1.0" encoding="ISO-8859-1"?><resources><task name="t"><string name="s">v</string></task></resources>`},
		{"OtherRootName", `<strings><task name="t"><string name="s">v</string></task></strings>`},
		{"ExtraAttributes", `<resources><task name="t" x="1"><string name="s" formatted="false">v</string></task></resources>`},
		{"SelfClosingString", `<resources><task name="t"><string name="s"/></task></resources>`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := extrastrings.Parse([]byte(tc.content), "test.xml")
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if len(f.Strings) != 1 || f.Strings[0].Task != "t" || f.Strings[0].Name != "s" || f.Ignored != nil {
				t.Fatalf("Parse = %+v, want the one string t/s", f)
			}
		})
	}
}

// TestParse_Errors: a malformed file is refused with its line.
func TestParse_Errors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, content, want string }{
		{"Empty", "", "test.xml:1: no root element"},
		{"OnlyDeclaration", "<?xml version=\"1.0\"?>\n\n", "test.xml:3: no root element"},
		{"TextBeforeRoot", "\n\n  hello\n<resources/>", "test.xml:3: text before the root element"},
		{"TwoRoots", "<resources/>\n<resources/>", "test.xml:2: second root element <resources>"},
		{"TextAfterRoot", "<resources/>\n\njunk", "test.xml:3: text after the root element"},
		{"Unclosed", "<resources>\n<task name=\"t\">\n", "test.xml:3: unexpected EOF"},
		{"Mismatched", "<resources>\n<task name=\"t\"><string name=\"s\"><b>x</string>", "test.xml:2: element <b> closed by </string>"},
		{"UnknownEntity", "<resources>\n<task name=\"t\">\n<string name=\"s\">&nbsp;</string>", "test.xml:3: invalid character entity &nbsp;"},
		{"RepeatedAttribute", "<resources>\n<task name=\"a\" name=\"b\"/></resources>", `test.xml:2: attribute "name" repeated in <task>`},
		{
			"RepeatedAttributeInMarkup", "<resources><task name=\"t\"><string name=\"s\">\n<b x=\"1\" x=\"2\"/></string></task></resources>",
			`test.xml:2: attribute "x" repeated in <b>`,
		},
		{"Namespace", "<resources xmlns:h=\"urn:h\"><task name=\"t\">\n<h:task/></task></resources>", `test.xml:1: attribute "h" of <resources>: namespaces are not supported`},
		{"UnboundPrefix", "<resources><task name=\"t\"><string name=\"s\">\n<h:b/></string></task></resources>", "test.xml:2: element <b>: namespaces are not supported"},
		{"InvalidUTF8", "<resources>\n<task name=\"t\"><string name=\"s\">\xff</string></task></resources>", "test.xml:2: invalid UTF-8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := extrastrings.Parse([]byte(tc.content), "test.xml")
			if want := "extrastrings: " + tc.want; err == nil || err.Error() != want {
				t.Fatalf("err = %v, want %s", err, want)
			}
		})
	}
}

// TestParse_AttributesNormalized: tabs and line breaks in attribute
// values are spaces, as an XML parser (and so the CamCOPS server) reads
// them.
func TestParse_AttributesNormalized(t *testing.T) {
	t.Parallel()
	f, err := extrastrings.Parse([]byte("<resources><task name=\"a\tb\" locale=\"en\r\nGB\"><string name=\"x\ny\">v</string></task></resources>"), "test.xml")
	if err != nil {
		t.Fatal(err)
	}
	want := []extrastrings.String{{Task: "a b", Name: "x y", Language: "en GB", Value: "v"}}
	if diff := cmp.Diff(want, f.Strings); diff != "" {
		t.Fatalf("Strings (-want +got):\n%s", diff)
	}
}

// TestParse_Lines: each string carries the line of its start tag.
func TestParse_Lines(t *testing.T) {
	t.Parallel()
	content := "<?xml version=\"1.0\"?>\n<resources>\n  <task name=\"t\">\n    <string name=\"a\">1\n2</string>\n\n" +
		"    <!-- a comment\n    -->\n    <string\n      name=\"b\">3</string>\n  </task>\n</resources>\n"
	f, err := extrastrings.Parse([]byte(content), "test.xml")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int{4, 9}, f.Lines); diff != "" {
		t.Fatalf("Lines (-want +got):\n%s", diff)
	}
}

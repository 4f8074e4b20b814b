// Package extrastrings loads the CamCOPS "extra strings": the task texts
// that tablets download with get_extra_strings (PROTOCOL 6.6), kept in XML
// files in the format of the CamCOPS server's extra_strings folder, so that
// an admin can point the gateway at that folder unchanged.
//
// # File format
//
//	<?xml version="1.0" encoding="UTF-8"?>
//	<resources>
//	    <task name="phq9" locale="en_GB">
//	        <string name="q1">Little interest or <b>pleasure</b> in doing things</string>
//	    </task>
//	</resources>
//
// Every <task> child of the root element that has a name attribute holds
// strings; its locale attribute is the strings' language, "" when absent.
// Every <string> child of such a task that has a name attribute is one
// string. Its value is its content, read as the CamCOPS server reads it:
//
//   - Child elements are kept as markup: each is written back as XML text,
//     as Python's ElementTree writes it (attributes in document order,
//     "&", "<" and ">" escaped, an element without content as <br />).
//     The text before the first child is taken as it stands, unescaped.
//     Comments and processing instructions are dropped.
//   - Leading and trailing white space is stripped.
//   - Then a backslash escapes the next character: \n is a line feed, \r a
//     carriage return, and \x is x (so \\ is one backslash).
//
// The file is read as UTF-8 whatever its XML declaration says, as the
// CamCOPS server does; a leading byte-order mark is allowed.
//
// # What is skipped, and what is refused
//
// Like the CamCOPS server, Load skips the elements it does not read: a
// root child other than <task name=…>, a task child other than
// <string name=…> (the <locale name=…> nesting that the CamCOPS source
// once considered was never implemented and is skipped too), and text
// outside strings. Unlike it, Load reports them (File.Ignored), so that a
// misspelt tag does not lose strings without a word.
//
// A file that is not well-formed XML is refused, with its name and line.
// So is a string defined twice (same task, name and locale), in one file
// or in two: the CamCOPS server keeps the one it reads last, in file-name
// order, which silently depends on how the files are named. Namespaces are
// refused too: the CamCOPS server would skip namespaced tasks and strings
// and write namespaced markup with made-up prefixes.
//
// Two small differences from the CamCOPS server remain, neither seen in
// its own files. A string with child elements does not get the text that
// follows its end tag appended (the server's reader does, by accident).
// Tab, line feed and carriage return in attribute values become spaces,
// as XML requires; the server keeps those written as character references
// (&#10;), which encoding/xml cannot tell apart.
package extrastrings

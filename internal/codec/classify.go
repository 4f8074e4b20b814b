package codec

import (
	"strings"
	"unicode/utf8"
)

// Classify decodes one item, as Split returns it (PROTOCOL.md, 7.2 step 2).
// It tries the rules in order, and the first that matches decides:
//
//  1. the empty item is NULL;
//  2. NULL in any letter case is NULL;
//  3. X'hex' (capital X, pairs of hex digits), once all white space is
//     removed, is bytes;
//  4. 64'base64' (standard alphabet, canonical padding; an empty body is
//     the empty byte string), once all white space is removed, is bytes;
//  5. an item of at least two characters that starts and ends with ' is
//     text: the outer quotes are stripped, each doubled quote becomes one,
//     then \n becomes LF, \r becomes CR, \ before any other character is
//     dropped, and a lone trailing \ is dropped;
//  6. [+-]?[0-9]+ that fits in an int64 is an integer;
//  7. a decimal number (see ParseReal) is a real;
//  8. anything else is text: the item as it stands.
//
// The returned Value's Raw is item. Its Text may share memory with item.
func Classify(item string) Value {
	switch {
	case item == "":
		return Value{Kind: KindNull}
	case isNull(item):
		return Value{Kind: KindNull, Raw: item}
	}
	// Rules 3 and 4 need X or 6 first, once white space is removed, and a
	// quote; checking these first keeps numbers and text fast.
	if c := item[0]; (c == 'X' || c == '6' || asciiSpace(c) || c >= utf8.RuneSelf) &&
		strings.IndexByte(item, '\'') >= 0 {
		if b, ok := blob(item); ok {
			return Value{Kind: KindBytes, Bytes: b, Raw: item}
		}
	}
	if len(item) >= 2 && item[0] == '\'' && item[len(item)-1] == '\'' {
		return Value{Kind: KindText, Text: unquote(item[1 : len(item)-1]), Raw: item}
	}
	if i, ok := parseInt(item); ok {
		return Value{Kind: KindInt, Int: i, Raw: item}
	}
	if f, ok := ParseReal(item); ok {
		return Value{Kind: KindReal, Real: f, Raw: item}
	}
	return Value{Kind: KindText, Text: item, Raw: item}
}

// isNull reports whether s is NULL in any (ASCII) letter case.
func isNull(s string) bool {
	return len(s) == 4 &&
		s[0]|0x20 == 'n' && s[1]|0x20 == 'u' && s[2]|0x20 == 'l' && s[3]|0x20 == 'l'
}

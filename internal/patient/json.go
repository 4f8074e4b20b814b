package patient

import (
	"encoding/json"
	"errors"
	"strings"
)

// jkind is the type of a JSON value.
type jkind int

const (
	jNull jkind = iota
	jBool
	jNumber
	jString
	jArray
	jObject
)

// jvalue is a decoded JSON value that keeps the order of object keys, which
// encoding/json's map decoding loses.
type jvalue struct {
	kind  jkind
	b     bool      // jBool
	s     string    // jString, or the literal of a jNumber
	elems []*jvalue // jArray
	keys  []string  // jObject, in order of first occurrence
	vals  []*jvalue // jObject, parallel to keys; a repeated key keeps its last value
}

// errJSON is returned by decodeJSON for text that is not JSON.
var errJSON = errors.New("patient: bad JSON")

// decodeJSON decodes text, which the caller has checked with json.Valid.
func decodeJSON(text string) (*jvalue, error) {
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	return readValue(dec)
}

// readValue reads the next complete value from dec.
func readValue(dec *json.Decoder) (*jvalue, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, errJSON
	}
	switch t := tok.(type) {
	case nil:
		return &jvalue{kind: jNull}, nil
	case bool:
		return &jvalue{kind: jBool, b: t}, nil
	case json.Number:
		return &jvalue{kind: jNumber, s: string(t)}, nil
	case string:
		return &jvalue{kind: jString, s: t}, nil
	case json.Delim:
		switch t {
		case '[':
			return readArray(dec)
		case '{':
			return readObject(dec)
		}
	}
	return nil, errJSON
}

// readArray reads the elements of an array and its closing bracket.
func readArray(dec *json.Decoder) (*jvalue, error) {
	v := &jvalue{kind: jArray}
	for dec.More() {
		e, err := readValue(dec)
		if err != nil {
			return nil, err
		}
		v.elems = append(v.elems, e)
	}
	if _, err := dec.Token(); err != nil {
		return nil, errJSON
	}
	return v, nil
}

// readObject reads the members of an object and its closing brace, with
// the duplicate-key behaviour of Python's dict.
func readObject(dec *json.Decoder) (*jvalue, error) {
	v := &jvalue{kind: jObject}
	index := map[string]int{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, errJSON
		}
		key, ok := tok.(string)
		if !ok {
			return nil, errJSON
		}
		val, err := readValue(dec)
		if err != nil {
			return nil, err
		}
		if i, seen := index[key]; seen {
			v.vals[i] = val
			continue
		}
		index[key] = len(v.keys)
		v.keys = append(v.keys, key)
		v.vals = append(v.vals, val)
	}
	if _, err := dec.Token(); err != nil {
		return nil, errJSON
	}
	return v, nil
}

// isInteger reports whether a number literal is a JSON integer: no
// fraction and no exponent.
func isInteger(lit string) bool {
	return !strings.ContainsAny(lit, ".eE")
}

// Package codec implements the server side of the CamCOPS value encoding
// (PROTOCOL.md, section 7): the comma-separated list of SQL literals that the
// tablet client sends and receives, the conversion of decoded values to
// registry field types, the date-time grammar, and the Python-style repr used
// in client-visible error texts.
//
// Decoding never fails: Split and Classify turn any string into values, and
// type errors are found by Convert, which returns ErrInvalidValue. The
// upload engine then reports them with InvalidValueError, a refusal whose
// Message is the exact wire text.
//
// White space, wherever the protocol mentions it (trimming items, and the
// white space removed before matching a blob literal), means what
// unicode.IsSpace reports.
//
// The package holds no state; every function is safe for concurrent use.
package codec

package tabletsession

import (
	"bytes"
	"strings"
	"unsafe"
)

// paramSlots numbers every parameter that some operation reads, besides
// record<N>. The body decoder keeps only these (Wants): a key no operation
// reads is dropped as it is decoded, so a body of millions of unused keys
// costs time in proportion to its size and no memory. An operation that
// reads a new parameter must be listed here, or it will always read as
// absent.
var paramSlots = map[string]int{
	"operation": 0, "camcops_version": 1, "device": 2, "user": 3, "password": 4,
	"session_id": 5, "session_token": 6, "devicefriendlyname": 7, "patient_info": 8,
	"tables": 9, "table": 10, "fields": 11, "nrecords": 12, "pkname": 13, "values": 14,
	"pkvalues": 15, "datevalues": 16, "move_off_tablet_values": 17, "finalizing": 18,
	"pknameinfo": 19, "dbdata": 20, "patient_proquint": 21,
}

// shortestParam and longestParam bound the names of paramSlots, so that
// most keys no operation reads are passed over without a map lookup.
const (
	shortestParam = len("user")
	longestParam  = len("move_off_tablet_values")
)

// paramSlot returns key's index in paramSlots. It allocates nothing.
func paramSlot(key []byte) (int, bool) {
	if len(key) < shortestParam || len(key) > longestParam {
		return 0, false
	}
	i, ok := paramSlots[string(key)]
	return i, ok
}

// judgesOwnContent lists the parameters, besides record<N>, whose own rules
// judge a NUL byte in them (PROTOCOL 2.2 rule 6): record values (7.5) and
// JSON.
var judgesOwnContent = map[string]bool{"values": true, "dbdata": true, "patient_info": true, "pknameinfo": true}

// minRecordPair is the fewest body bytes a record<N> parameter that can
// pass the record checks takes: "record0=" and three values ("1,,"), then
// "&". upload_table reads records in order and stops at the first bad one,
// so when the body has room for at most L/minRecordPair good records, a
// record numbered beyond that is never reached, and dropping it changes no
// reply. It bounds what a hostile body can make the form hold: an index
// entry of 8 bytes per 12 bytes of body.
const minRecordPair = 12

// MaxSource is the largest body a Form can index (its spans are 32-bit).
const MaxSource = 1<<32 - 1

// span is a value: n bytes of the source from off.
type span struct{ off, n uint32 }

// Form holds a request's decoded body parameters. When a key repeats, the
// last occurrence wins (PROTOCOL 1.2). The body decoder fills it pair by
// pair with Wants and Add; each value is a range of one source buffer, the
// decoded body, which must not change afterwards.
type Form struct {
	src        []byte
	named      []span // by paramSlots
	present    []bool // by paramSlots: the key was sent, even if blank
	records    []span // record<N> by N
	maxRecords int    // records numbered from here on are dropped
	nul        string // the first plain parameter that holds a NUL byte
	reserve    func(bytes int) bool
	refused    bool // reserve refused the index room for a record
}

// NewForm returns an empty form for a body of bodySize bytes, at most
// MaxSource. Before the record index grows, reserve (unless nil) is asked
// for the bytes; if it refuses, the record is dropped and Refused reports
// it. The index can reach two thirds of the body, so it must count against
// the memory that bodies may take.
func NewForm(bodySize int, reserve func(bytes int) bool) *Form {
	return &Form{
		named:      make([]span, len(paramSlots)),
		present:    make([]bool, len(paramSlots)),
		maxRecords: bodySize/minRecordPair + 1,
		reserve:    reserve,
	}
}

// Refused reports whether a record was dropped because the index could
// not grow; the form is then incomplete and must not be used.
func (f *Form) Refused() bool { return f.refused }

// SetSource sets the buffer that the values added are ranges of. The
// decoder may set it again as the buffer grows; values keep their offsets.
func (f *Form) SetSource(src []byte) { f.src = src }

// Wants reports whether the form keeps the value of key. It allocates
// nothing.
func (f *Form) Wants(key []byte) bool {
	if _, ok := paramSlot(key); ok {
		return true
	}
	n, ok := recordNumber(key)
	return ok && n < f.maxRecords
}

// Add offers one decoded parameter, whose value is the n bytes of the
// source from off, and reports whether the form keeps it. A value the form
// does not keep still counts for the NUL rule of PROTOCOL 2.2.
func (f *Form) Add(key []byte, off, n int) bool {
	value := f.src[off : off+n]
	if f.nul == "" && (bytes.IndexByte(value, 0) >= 0 || bytes.IndexByte(key, 0) >= 0) && !judgesNUL(key) {
		// Only a name's start, for the log: the key may be the body.
		f.nul = string(key[:min(len(key), maxNULName)])
	}
	v := span{off: uint32(off), n: uint32(n)}
	if i, ok := paramSlot(key); ok {
		f.named[i], f.present[i] = v, true
		return true
	}
	r, ok := recordNumber(key)
	if !ok || r >= f.maxRecords {
		return false
	}
	if r >= len(f.records) {
		// Grow fourfold (what is left behind adds up to a third), but
		// never past maxRecords, so a sparse hostile record number cannot
		// make the index larger than the body could hold.
		size := min(max(4*len(f.records), r+1), f.maxRecords)
		if f.reserve != nil && !f.reserve((size-len(f.records))*int(unsafe.Sizeof(span{}))) {
			f.refused = true
			return false
		}
		grown := make([]span, size)
		copy(grown, f.records)
		f.records = grown
	}
	f.records[r] = v
	return true
}

// maxNULName is the most of a key NULParam keeps.
const maxNULName = 32

// NULParam names (by at most its first 32 bytes) the first parameter that holds a NUL byte where PROTOCOL
// 2.2 rule 6 forbids one, or returns "".
func (f *Form) NULParam() string { return f.nul }

// Get returns the value of key, or "" when it is absent or blank: a blank
// value counts as absent.
func (f *Form) Get(key string) string {
	v, _ := f.Raw(key)
	if isBlank(v) {
		return ""
	}
	return v
}

// Raw returns the value of key as sent, and whether the key was present at
// all. Only move_off_tablet_values needs the difference between a blank and
// an absent value.
func (f *Form) Raw(key string) (string, bool) {
	if i, ok := paramSlots[key]; ok {
		return f.value(f.named[i]), f.present[i]
	}
	if r, ok := recordNumber([]byte(key)); ok && r < len(f.records) {
		v := f.value(f.records[r])
		return v, v != ""
	}
	return "", false
}

// value returns v's bytes as a string without copying them: a one-step
// upload's dbdata is tens of MiB, held once (BENCHMARKS.md, F6b).
func (f *Form) value(v span) string {
	if v.n == 0 {
		return ""
	}
	return unsafe.String(&f.src[v.off], int(v.n))
}

// recordNumber parses N of a record<N> key, written as the client writes
// it: decimal digits without leading zeros. It allocates nothing.
func recordNumber(key []byte) (int, bool) {
	if !isRecordKey(key) {
		return 0, false
	}
	digits := key[len("record"):]
	if len(digits) > 9 || (digits[0] == '0' && len(digits) > 1) {
		return 0, false // beyond any body, or not how the client writes it
	}
	n := 0
	for _, c := range digits {
		n = n*10 + int(c-'0')
	}
	return n, true
}

// isRecordKey reports whether key names a record value at all, even one
// numbered beyond what the form keeps or written with leading zeros.
func isRecordKey(key []byte) bool {
	digits, ok := bytes.CutPrefix(key, []byte("record"))
	if !ok || len(digits) == 0 {
		return false
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// judgesNUL reports whether key's own rules judge a NUL in its value.
func judgesNUL(key []byte) bool {
	return judgesOwnContent[string(key)] || isRecordKey(key)
}

func isBlank(s string) bool { return strings.TrimSpace(s) == "" }

package api

import (
	"strconv"
	"strings"
)

// literalEscaper is built once: a Replacer per literal made the 7,560
// literals of a large extra-strings reply allocate 200 MB.
var literalEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`, "\r", `\r`, "'", "''")

// textLiteral encodes s as a quoted SQL literal for a SELECT block (PROTOCOL
// 7.3): newline-escaped, wrapped in single quotes, each quote doubled.
func textLiteral(s string) string {
	return "'" + literalEscaper.Replace(s) + "'"
}

// selectBlock builds the SELECT block of PROTOCOL 6.1 from text rows.
func selectBlock(fields []string, rows [][]string) *Reply {
	r := new(Reply).
		Add("nfields", strconv.Itoa(len(fields))).
		Add("fields", strings.Join(fields, ",")).
		Add("nrecords", strconv.Itoa(len(rows)))
	for i, row := range rows {
		lits := make([]string, len(row))
		for j, v := range row {
			lits[j] = textLiteral(v)
		}
		r.AddLiteral("record"+strconv.Itoa(i), strings.Join(lits, ","))
	}
	return r
}

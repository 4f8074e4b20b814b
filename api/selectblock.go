package api

import (
	"strconv"
	"strings"

	"github.com/tabletapi/tabletapi/internal/codec"
)

// selectBlock builds the SELECT block of PROTOCOL 6.1 from text rows. Each
// record is its row's values as text literals, which codec.EncodeList
// writes (PROTOCOL 7.3).
func selectBlock(fields []string, rows [][]string) *Reply {
	r := new(Reply).
		Add("nfields", strconv.Itoa(len(fields))).
		Add("fields", strings.Join(fields, ",")).
		Add("nrecords", strconv.Itoa(len(rows)))
	vs := make([]codec.Value, 0, len(fields)) // reused: EncodeList keeps none of it
	for i, row := range rows {
		vs = vs[:0]
		for _, v := range row {
			vs = append(vs, codec.Text(v))
		}
		r.AddLiteral("record"+strconv.Itoa(i), codec.EncodeList(vs))
	}
	return r
}

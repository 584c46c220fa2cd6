// Package importer reads stay and order files (CSV or JSON) for bulk imports and feeds their
// rows to the domain Service in chunks. The CLI (concierge import) and the admin API
// (POST …/stays/import, …/orders/import) share it, so a file means the same through both.
//
// A file is a CSV file with a header row naming its columns (in any order, any letter case,
// with or without _ - or spaces: booking_reference, bookingReference and "Booking Reference"
// are the same column), or a JSON array of objects with the same names as keys (camelCase,
// matched the same way; unknown keys are ignored). Rows that cannot be read (a wrong number of
// columns, a value that is not a string, an element that is not an object) are rejected with
// their line number and reason; the Service rejects rows that break a rule the same way. A
// file that cannot be read at all (no header, an unknown or repeated column, a missing
// required column, invalid JSON, not an array) is an error and imports nothing.
package importer

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"concierge/internal/concierge"
)

// Format is the syntax of an import file.
type Format int

// The import file formats.
const (
	CSV Format = iota + 1
	JSON
)

// String names the format.
func (f Format) String() string {
	switch f {
	case CSV:
		return "CSV"
	case JSON:
		return "JSON"
	}
	return "unknown"
}

// Detect returns the format of a file: by its name's extension (.csv, .json) when it has one
// of those, else by its content: JSON when the first character that is not a space (or
// byte-order mark) is '[', CSV otherwise.
func Detect(name string, data []byte) Format {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv":
		return CSV
	case ".json":
		return JSON
	}
	trimmed := bytes.TrimSpace(bytes.TrimPrefix(data, []byte(utf8BOM)))
	if len(trimmed) > 0 && trimmed[0] == '[' {
		return JSON
	}
	return CSV
}

// utf8BOM is the byte-order mark some tools write at the start of UTF-8 files.
const utf8BOM = "\xef\xbb\xbf"

// ChunkSize is how many rows Stays and Orders hand to the Service at a time (and so how often
// they report progress).
const ChunkSize = 500

// Kind is what a file holds.
type Kind int

// The kinds of import files.
const (
	Stays Kind = iota + 1
	Orders
)

// columns returns the canonical column names of a kind, and which of them a CSV header must
// have.
func columns(k Kind) (all, required []string) {
	if k == Orders {
		all = []string{"code", "bookingReference", "outletCode", "status"}
		return all, all
	}
	return []string{"bookingReference", "roomNumber", "firstName", "lastName", "languageCode", "arrival", "departure"},
		[]string{"bookingReference", "roomNumber", "lastName", "arrival", "departure"}
}

// canonical returns the canonical column a header or key names for kind k, or "".
func canonical(k Kind, name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(name)) {
		if r != '_' && r != '-' && r != ' ' {
			b.WriteRune(r)
		}
	}
	key := b.String()
	switch key { // aliases
	case "room":
		key = "roomnumber"
	case "language", "lang":
		key = "languagecode"
	case "booking", "bookingref":
		key = "bookingreference"
	case "outlet":
		key = "outletcode"
	case "ordercode", "order":
		if k == Orders {
			key = "code"
		}
	}
	all, _ := columns(k)
	for _, c := range all {
		if strings.ToLower(c) == key {
			return c
		}
	}
	return ""
}

// record is one row of a file: its line (of its first character), and its values by canonical
// column, or why it cannot be read.
type record struct {
	line   int
	values map[string]string
	reason string
}

// fileError is the error of a file that cannot be read at all.
func fileError(format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	return &concierge.Error{Code: concierge.CodeValidationFailed, Message: "The file cannot be imported: " + msg,
		Fields: []concierge.FieldError{{Field: "file", Message: msg}}}
}

// parse reads every record of data.
func parse(k Kind, data []byte, f Format) ([]record, error) {
	data = bytes.TrimPrefix(data, []byte(utf8BOM))
	if f == JSON {
		return parseJSON(k, data)
	}
	return parseCSV(k, data)
}

func parseCSV(k Kind, data []byte) ([]record, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return nil, fileError("it is empty: a CSV file needs a header row")
	}
	if err != nil {
		return nil, fileError("its header row cannot be read: %v", err)
	}
	cols := make([]string, len(header))
	for i, h := range header {
		c := canonical(k, h)
		if c == "" {
			return nil, fileError("its header names an unknown column %q", h)
		}
		if slices.Contains(cols, c) {
			return nil, fileError("its header names the column %q twice", c)
		}
		cols[i] = c
	}
	_, required := columns(k)
	for _, c := range required {
		if !slices.Contains(cols, c) {
			return nil, fileError("its header lacks the column %q", c)
		}
	}
	var out []record
	for {
		fields, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		var perr *csv.ParseError
		if errors.As(err, &perr) {
			out = append(out, record{line: perr.StartLine, reason: "not valid CSV: " + perr.Err.Error()})
			continue
		}
		if err != nil {
			return nil, fileError("%v", err)
		}
		line, _ := r.FieldPos(0)
		if len(fields) != len(cols) {
			out = append(out, record{line: line, reason: fmt.Sprintf("has %d columns, the header has %d", len(fields), len(cols))})
			continue
		}
		values := make(map[string]string, len(cols))
		for i, c := range cols {
			values[c] = fields[i]
		}
		out = append(out, record{line: line, values: values})
	}
}

func parseJSON(k Kind, data []byte) ([]record, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	lineAt := lineCounter(data)
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('[') {
		return nil, fileError("a JSON file must hold one array of objects")
	}
	var out []record
	for dec.More() {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, fileError("it is not valid JSON near line %d", lineAt(errorOffset(err, dec, data)))
		}
		line := lineAt(int(dec.InputOffset()) - len(raw))
		out = append(out, jsonRecord(k, line, raw))
	}
	if _, err := dec.Token(); err != nil {
		return nil, fileError("it is not valid JSON near line %d", lineAt(errorOffset(err, dec, data)))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fileError("it holds more than one JSON value")
	}
	return out, nil
}

// errorOffset returns the byte offset of a JSON decoding error.
func errorOffset(err error, dec *json.Decoder, data []byte) int {
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		return int(se.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return len(data)
	}
	return int(dec.InputOffset())
}

// lineCounter returns a function giving the line (from 1) of a byte offset of data; offsets
// must not decrease from one call to the next.
func lineCounter(data []byte) func(offset int) int {
	line, pos := 1, 0
	return func(offset int) int {
		offset = min(max(offset, pos), len(data))
		line += bytes.Count(data[pos:offset], []byte{'\n'})
		pos = offset
		return line
	}
}

// jsonRecord reads one array element.
func jsonRecord(k Kind, line int, raw json.RawMessage) record {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
		return record{line: line, reason: "is not a JSON object"}
	}
	values := map[string]string{}
	keys := make([]string, 0, len(obj))
	for key := range obj {
		keys = append(keys, key)
	}
	slices.Sort(keys)
	for _, key := range keys {
		c := canonical(k, key)
		if c == "" {
			continue
		}
		v := bytes.TrimSpace(obj[key])
		if string(v) == "null" {
			continue
		}
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return record{line: line, reason: c + ": must be a string"}
		}
		values[c] = s
	}
	return record{line: line, values: values}
}

// ParseStays reads a stay file: the rows to import, and the rows that could not be read.
// Errors: ValidationFailed (field file) when the file cannot be read at all.
func ParseStays(data []byte, f Format) ([]concierge.StayRow, []concierge.Rejection, error) {
	return parseRows(Stays, data, f, func(line int, v map[string]string) concierge.StayRow {
		return concierge.StayRow{Line: line, BookingReference: v["bookingReference"],
			StayInput: concierge.StayInput{RoomNumber: v["roomNumber"], FirstName: v["firstName"],
				LastName: v["lastName"], Language: v["languageCode"], Arrival: v["arrival"], Departure: v["departure"]}}
	})
}

// ParseOrders reads an order file: the rows to import, and the rows that could not be read.
// Errors: ValidationFailed (field file) when the file cannot be read at all.
func ParseOrders(data []byte, f Format) ([]concierge.OrderRow, []concierge.Rejection, error) {
	return parseRows(Orders, data, f, func(line int, v map[string]string) concierge.OrderRow {
		return concierge.OrderRow{Line: line, Code: v["code"],
			OrderInput: concierge.OrderInput{BookingReference: v["bookingReference"], OutletCode: v["outletCode"], Status: v["status"]}}
	})
}

// parseRows reads a file of kind into rows built by row, and rejections for the records that
// could not be read.
func parseRows[T any](kind Kind, data []byte, f Format, row func(line int, values map[string]string) T) ([]T, []concierge.Rejection, error) {
	recs, err := parse(kind, data, f)
	if err != nil {
		return nil, nil, err
	}
	var rows []T
	var rejected []concierge.Rejection
	for _, r := range recs {
		if r.reason != "" {
			rejected = append(rejected, concierge.Rejection{Line: r.line, Reason: r.reason})
			continue
		}
		rows = append(rows, row(r.line, r.values))
	}
	return rows, rejected, nil
}

// Progress is told, after each chunk, how many of the file's readable rows are done.
type Progress func(done, total int)

// Import reads a file of kind k and upserts its rows at the property through svc as p, ChunkSize
// rows at a time, calling progress (when not nil) after each chunk. The summary lists every
// rejected row, those that could not be read and those the Service refused, by line. Access is
// checked before the file is read. Errors: those of concierge.Service.CheckStayOrderAccess;
// ValidationFailed (field file) when the file cannot be read at all (nothing is imported);
// those of ImportStays / ImportOrders (earlier chunks stay imported).
func Import(ctx context.Context, svc *concierge.Service, p *concierge.Principal, property string, k Kind, data []byte, f Format, progress Progress) (concierge.ImportSummary, error) {
	if err := svc.CheckStayOrderAccess(ctx, p, property); err != nil {
		return concierge.ImportSummary{}, err
	}
	var sum concierge.ImportSummary
	var err error
	switch k {
	case Stays:
		rows, rejected, perr := ParseStays(data, f)
		if perr != nil {
			return sum, perr
		}
		sum.Rejected = rejected
		err = chunked(len(rows), progress, func(i, j int) error {
			s, err := svc.ImportStays(ctx, p, property, rows[i:j])
			sum.Add(s)
			return err
		})
	case Orders:
		rows, rejected, perr := ParseOrders(data, f)
		if perr != nil {
			return sum, perr
		}
		sum.Rejected = rejected
		err = chunked(len(rows), progress, func(i, j int) error {
			s, err := svc.ImportOrders(ctx, p, property, rows[i:j])
			sum.Add(s)
			return err
		})
	default:
		return sum, fmt.Errorf("importer: unknown kind %d", k)
	}
	slices.SortStableFunc(sum.Rejected, func(a, b concierge.Rejection) int { return a.Line - b.Line })
	if sum.Rejected == nil {
		sum.Rejected = []concierge.Rejection{}
	}
	return sum, err
}

// chunked calls fn on [i, j) slices of n rows, ChunkSize at a time, reporting progress.
func chunked(n int, progress Progress, fn func(i, j int) error) error {
	if progress != nil {
		progress(0, n)
	}
	for i := 0; i < n; i += ChunkSize {
		j := min(i+ChunkSize, n)
		if err := fn(i, j); err != nil {
			return err
		}
		if progress != nil {
			progress(j, n)
		}
	}
	return nil
}

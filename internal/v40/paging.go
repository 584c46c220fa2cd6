package v40

import (
	"strconv"
	"strings"

	"concierge/internal/concierge"
)

// maxPageNumber bounds PageNumber so that offsets never overflow.
const maxPageNumber = 1_000_000

// defaultPageLength is the page length of a list asked for without PageLength: the longest
// page, so that a guest with fewer messages (or conversations) gets them all, as before, and
// a larger history is answered a page at a time instead of whole.
const defaultPageLength = concierge.MaxPageLength

// paging is a parsed PageNumber / PageLength / DescendingOrder triple.
type paging struct {
	Number     int
	Length     int // 0: not given (pages are defaultPageLength long)
	Descending bool
}

// page converts to the store's offset/limit form.
func (p paging) page() concierge.Page {
	n := p.Length
	if n == 0 {
		n = defaultPageLength
	}
	return concierge.Page{Offset: (p.Number - 1) * n, Limit: n, Descending: p.Descending}
}

// parsePaging reads PageNumber (default 1), PageLength (default defaultPageLength; at most
// concierge.MaxPageLength) and DescendingOrder (default false) from the call's JSON body or
// query string (see params.get). ValidationFailed names each bad parameter.
func parsePaging(q params) (paging, error) {
	number, _ := q.get("PageNumber")
	length, hasLength := q.get("PageLength")
	desc, _ := q.get("DescendingOrder")
	return parsePagingValues(number, length, hasLength, desc)
}

func parsePagingValues(number, length string, hasLength bool, desc string) (paging, error) {
	p := paging{Number: 1}
	var v concierge.Validation
	if s := strings.TrimSpace(number); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxPageNumber {
			v.Add("PageNumber", "must be a whole number from 1 to 1000000")
		} else {
			p.Number = n
		}
	}
	if s := strings.TrimSpace(length); hasLength && s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > concierge.MaxPageLength {
			v.Add("PageLength", "must be a whole number from 1 to 200")
		} else {
			p.Length = n
		}
	}
	if s := strings.TrimSpace(desc); s != "" {
		b, err := strconv.ParseBool(s)
		if err != nil {
			v.Add("DescendingOrder", "must be true or false")
		} else {
			p.Descending = b
		}
	}
	return p, v.Err()
}

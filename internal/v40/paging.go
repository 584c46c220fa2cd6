package v40

import (
	"net/http"
	"strconv"
	"strings"

	"concierge/internal/concierge"
)

// maxPageNumber bounds PageNumber so that offsets never overflow.
const maxPageNumber = 1_000_000

// paging is a parsed PageNumber / PageLength / DescendingOrder triple.
type paging struct {
	Number     int
	Length     int // 0: all
	Descending bool
}

// page converts to the store's offset/limit form.
func (p paging) page() concierge.Page {
	if p.Length == 0 {
		return concierge.Page{Descending: p.Descending}
	}
	return concierge.Page{Offset: (p.Number - 1) * p.Length, Limit: p.Length, Descending: p.Descending}
}

// parsePaging reads PageNumber (default 1), PageLength (default: all; at most
// concierge.MaxPageLength) and DescendingOrder (default false) from the query string.
// ValidationFailed names each bad parameter.
func parsePaging(r *http.Request) (paging, error) {
	number, _ := query(r, "PageNumber")
	length, hasLength := query(r, "PageLength")
	desc, _ := query(r, "DescendingOrder")
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

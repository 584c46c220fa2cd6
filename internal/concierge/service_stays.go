package concierge

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Who may use the stay and order administration (admin API, imports): admins at every
// property, managers (staff users and API keys of hotel systems) at their properties. Agents
// may not: they see a conversation's stay and order through the conversation itself, and the
// stay lists hold every guest's personal data.

// importBatchSize is how many rows an import writes per store transaction.
const importBatchSize = 500

// LocalOperator returns the principal of the operator running a command on the server itself
// (concierge import): an admin, with no staff user or API key behind it.
func LocalOperator() *Principal { return &Principal{Role: RoleAdmin} }

// adminProperty returns the property with code if p may administer its stays and orders.
// Errors: Forbidden unless p is an admin or a manager (agents never may); PropertyNotFound
// when no property has the code or p may not see it (the two are not told apart).
func (s *Service) adminProperty(ctx context.Context, p *Principal, code string) (Property, error) {
	if p == nil || (p.Role != RoleAdmin && p.Role != RoleManager) {
		return Property{}, Errorf(CodeForbidden, "Only managers and administrators may manage stays and orders.")
	}
	return s.visibleProperty(ctx, p, code)
}

// StayInput is a stay as the PMS sends it. Text fields are trimmed; Language is a BCP 47 tag
// (empty: the property's default language); Arrival and Departure are "YYYY-MM-DD".
type StayInput struct {
	RoomNumber string
	FirstName  string
	LastName   string
	Language   string
	Arrival    string
	Departure  string
}

// StayRow is one row of a stay import: its line in the file, booking reference and fields.
type StayRow struct {
	Line             int
	BookingReference string
	StayInput
}

// Rejection is a row an import skipped: its line in the file and why.
type Rejection struct {
	Line   int
	Reason string
}

// ImportSummary counts what an import did; rejected rows are listed in line order.
type ImportSummary struct {
	Created   int
	Updated   int
	Unchanged int
	Rejected  []Rejection
}

// Add adds the counts and rejections of o to m.
func (m *ImportSummary) Add(o ImportSummary) {
	m.Created += o.Created
	m.Updated += o.Updated
	m.Unchanged += o.Unchanged
	m.Rejected = append(m.Rejected, o.Rejected...)
}

func (m *ImportSummary) count(r UpsertResult) {
	switch r {
	case UpsertCreated:
		m.Created++
	case UpsertUpdated:
		m.Updated++
	default:
		m.Unchanged++
	}
}

// checkText records a broken rule of a free-text field: required, length, UTF-8, NUL.
func checkText(v *Validation, field, value string, required bool) {
	if !utf8.ValidString(value) {
		v.Add(field, "must be valid UTF-8")
		return
	}
	checkShortText(v, field, value, required)
}

// checkDate parses a required "YYYY-MM-DD" field.
func checkDate(v *Validation, field, value string) Date {
	value = strings.TrimSpace(value)
	if value == "" {
		v.Add(field, "is required")
		return ""
	}
	d, err := ParseDate(value)
	if err != nil {
		v.Add(field, "must be a date YYYY-MM-DD")
		return ""
	}
	return d
}

// stayOf validates a stay of prop and returns it, ready to upsert. Errors: ValidationFailed
// (fields bookingReference, roomNumber, firstName, lastName, languageCode, arrival, departure).
func stayOf(prop Property, ref string, in StayInput) (Stay, error) {
	var v Validation
	checkText(&v, "bookingReference", ref, true)
	checkText(&v, "roomNumber", in.RoomNumber, true)
	checkText(&v, "firstName", in.FirstName, false)
	checkText(&v, "lastName", in.LastName, true)
	lang := prop.DefaultLanguage
	if strings.TrimSpace(in.Language) != "" {
		l, ok := NormalizeLanguage(in.Language)
		if !ok {
			v.Add("languageCode", "is not a known BCP 47 language tag")
		}
		lang = l
	}
	arrival := checkDate(&v, "arrival", in.Arrival)
	departure := checkDate(&v, "departure", in.Departure)
	if arrival != "" && departure != "" && departure < arrival {
		v.Add("departure", "must not be before arrival")
	}
	if err := v.Err(); err != nil {
		return Stay{}, err
	}
	return Stay{
		PropertyID:       prop.ID,
		RoomNumber:       strings.TrimSpace(in.RoomNumber),
		FirstName:        strings.TrimSpace(in.FirstName),
		LastName:         strings.TrimSpace(in.LastName),
		Language:         lang,
		Arrival:          arrival,
		Departure:        departure,
		BookingReference: strings.TrimSpace(ref),
	}, nil
}

// rejectionReason renders a row's error for an import summary: each broken rule as
// "field: message", joined by "; ".
func rejectionReason(err error) string {
	var e *Error
	if errors.As(err, &e) {
		if len(e.Fields) == 0 {
			return e.Message
		}
		parts := make([]string, len(e.Fields))
		for i, f := range e.Fields {
			parts[i] = f.Field + ": " + f.Message
		}
		return strings.Join(parts, "; ")
	}
	return "internal error"
}

// UpsertStay creates or updates the stay with booking reference ref at the property with
// propertyCode and says which (UpsertUnchanged when every field is already so). Errors, in
// this order: Forbidden unless p is an admin or a manager; PropertyNotFound (unknown, or not
// p's); ValidationFailed (fields bookingReference, roomNumber, firstName, lastName,
// languageCode, arrival, departure).
func (s *Service) UpsertStay(ctx context.Context, p *Principal, propertyCode, ref string, in StayInput) (Stay, UpsertResult, error) {
	prop, err := s.adminProperty(ctx, p, propertyCode)
	if err != nil {
		return Stay{}, "", err
	}
	st, err := stayOf(prop, ref, in)
	if err != nil {
		return Stay{}, "", err
	}
	res, err := s.store.UpsertStays(ctx, []*Stay{&st})
	if err != nil {
		return Stay{}, "", s.internal(ctx, "upsert stays", err)
	}
	noteOwner(ctx, Owner{PropertyID: prop.ID, StayID: &st.ID})
	if res[0] != UpsertUnchanged {
		s.logger.InfoContext(ctx, "stay upserted", "stay_id", st.ID, "result", string(res[0]), "by", p.String())
	}
	return st, res[0], nil
}

// ImportStays upserts rows as UpsertStay does, at the property with propertyCode: each valid
// row is written (in transactions of a few hundred rows), each invalid one is skipped and
// listed in the summary with its line and reason, never half-written. A booking reference
// repeated in rows is upserted once per row, in order. Errors (nothing is written): Forbidden;
// PropertyNotFound; InternalError when the store fails (rows of earlier transactions stay
// written).
func (s *Service) ImportStays(ctx context.Context, p *Principal, propertyCode string, rows []StayRow) (ImportSummary, error) {
	prop, err := s.adminProperty(ctx, p, propertyCode)
	if err != nil {
		return ImportSummary{}, err
	}
	var sum ImportSummary
	batch := make([]*Stay, 0, importBatchSize)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		res, err := s.store.UpsertStays(ctx, batch)
		if err != nil {
			return s.internal(ctx, "upsert stays", err)
		}
		for _, r := range res {
			sum.count(r)
		}
		batch = batch[:0]
		return nil
	}
	for _, row := range rows {
		st, err := stayOf(prop, row.BookingReference, row.StayInput)
		if err != nil {
			sum.Rejected = append(sum.Rejected, Rejection{Line: row.Line, Reason: rejectionReason(err)})
			continue
		}
		batch = append(batch, &st)
		if len(batch) == importBatchSize {
			if err := flush(); err != nil {
				return sum, err
			}
		}
	}
	if err := flush(); err != nil {
		return sum, err
	}
	s.logger.InfoContext(ctx, "stays imported", "property", prop.Code, "created", sum.Created,
		"updated", sum.Updated, "unchanged", sum.Unchanged, "rejected", len(sum.Rejected), "by", p.String())
	return sum, nil
}

// Stay returns the stay with booking reference ref at the property with propertyCode.
// Errors: Forbidden; PropertyNotFound; StayNotFound.
func (s *Service) Stay(ctx context.Context, p *Principal, propertyCode, ref string) (Stay, error) {
	prop, err := s.adminProperty(ctx, p, propertyCode)
	if err != nil {
		return Stay{}, err
	}
	ref = strings.TrimSpace(ref)
	st, err := s.store.StayByReference(ctx, prop.ID, ref)
	if errors.Is(err, ErrNotFound) || ref == "" {
		return Stay{}, Errorf(CodeStayNotFound, "There is no stay '%s' at this property.", ref)
	}
	if err != nil {
		return Stay{}, s.internal(ctx, "stay by reference", err)
	}
	return st, nil
}

// StayListFilter narrows ListStays: CurrentOn "YYYY-MM-DD" (empty: any day), Room (empty: any).
type StayListFilter struct {
	CurrentOn string
	Room      string
}

// ListStays lists the stays of the property with propertyCode matching f whose id is greater
// than afterID, ascending by id, at most limit (1 to MaxPageLength), and reports whether more
// follow. Errors: Forbidden; PropertyNotFound; ValidationFailed (fields currentOn, room,
// limit).
func (s *Service) ListStays(ctx context.Context, p *Principal, propertyCode string, f StayListFilter, afterID int64, limit int) ([]Stay, bool, error) {
	prop, err := s.adminProperty(ctx, p, propertyCode)
	if err != nil {
		return nil, false, err
	}
	var v Validation
	var filter StayFilter
	if strings.TrimSpace(f.CurrentOn) != "" {
		filter.CurrentOn = checkDate(&v, "currentOn", f.CurrentOn)
	}
	checkText(&v, "room", f.Room, false)
	filter.Room = strings.TrimSpace(f.Room)
	if limit < 1 || limit > MaxPageLength {
		v.Add("limit", fmt.Sprintf("must be between 1 and %d", MaxPageLength))
	}
	if err := v.Err(); err != nil {
		return nil, false, err
	}
	stays, err := s.store.ListStays(ctx, prop.ID, filter, afterID, limit+1)
	if err != nil {
		return nil, false, s.internal(ctx, "list stays", err)
	}
	if len(stays) > limit {
		return stays[:limit], true, nil
	}
	return stays, false, nil
}

// CheckStayOrderAccess reports whether p may manage the stays and orders of the property with
// propertyCode, as every stay and order call checks first; callers use it to refuse a bulk
// import before reading its file. Errors: Forbidden unless p is an admin or a manager;
// PropertyNotFound (unknown, or not p's).
func (s *Service) CheckStayOrderAccess(ctx context.Context, p *Principal, propertyCode string) error {
	_, err := s.adminProperty(ctx, p, propertyCode)
	return err
}

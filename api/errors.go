package api

// FieldError names one field of a request whose value breaks a rule.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// ErrorBody is the answer of a failed staff-API call: {"error": {...}} (SPEC §5).
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail says what went wrong: a code of SPEC §3.3 or §5, a message safe to show, and for
// validation failures the fields at fault.
type ErrorDetail struct {
	Code    string       `json:"code"`
	Message string       `json:"message"`
	Fields  []FieldError `json:"fields,omitempty"`
}

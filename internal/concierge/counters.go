package concierge

// Counters is told of what operators count (package metrics exports it as Prometheus
// metrics). Its methods are called on request paths: they must be cheap, must not block and
// must be safe for concurrent use.
type Counters interface {
	// StaffLoginFailed counts a refused staff login: reason is "wrong_password",
	// "unknown_username" or "user_disabled".
	StaffLoginFailed(reason string)
	// Refused counts a request refused by a back-off: limit is "staff_login" or
	// "guest_verification".
	Refused(limit string)
	// GuestDataErased counts an erasure of a stay's or a guest's data: cause is "request" (a
	// manager's) or "retention".
	GuestDataErased(cause string, e Erasure)
}

// noCounters counts nothing: the Counters of a Config that has none.
type noCounters struct{}

func (noCounters) StaffLoginFailed(string)         {}
func (noCounters) Refused(string)                  {}
func (noCounters) GuestDataErased(string, Erasure) {}

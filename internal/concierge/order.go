package concierge

import (
	"strings"
	"time"
)

// OrderStatus is the state of an order.
type OrderStatus string

// The order statuses.
const (
	OrderPending      OrderStatus = "Pending"
	OrderAcknowledged OrderStatus = "Acknowledged"
	OrderDelivering   OrderStatus = "Delivering"
	OrderCompleted    OrderStatus = "Completed"
	OrderCancelled    OrderStatus = "Cancelled"
)

// ParseOrderStatus parses a status name case-insensitively.
func ParseOrderStatus(s string) (OrderStatus, bool) {
	for _, st := range []OrderStatus{OrderPending, OrderAcknowledged, OrderDelivering, OrderCompleted, OrderCancelled} {
		if strings.EqualFold(s, string(st)) {
			return st, true
		}
	}
	return "", false
}

// Order is a guest order or service request known to the property.
type Order struct {
	ID         int64
	PropertyID int64
	Code       string
	StayID     *int64
	OutletID   *int64
	Status     OrderStatus
	UpdatedAt  time.Time
}

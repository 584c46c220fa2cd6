package demo

import (
	"context"
	"fmt"

	"concierge/internal/concierge"
)

// conversation is one demo conversation: a guest (room and last name) writes to an outlet, then
// staff act on it in order.
type conversation struct {
	room, lastName, outlet, order, message string
	staff                                  string // the demo user who acts
	acts                                   []act
	guestReads                             bool // the guest reads the staff's answers
}

// act is a staff action: a message (Staff or Note), or reading the guest's messages.
type act struct {
	typ, content string // typ "" reads
}

// demoConversations are the same on every start: an unread Spanish guest message at the front
// desk, a room-service order answered and read by the guest, and a German guest's question
// with an internal note and a reply.
func demoConversations() []conversation {
	return []conversation{
		{room: "102", lastName: "Smith", outlet: "ROOMSERVICE", order: "ORD-1002", staff: "roomservice",
			message: "Could I get some extra ketchup with my order?",
			acts:    []act{{}, {typ: "Staff", content: "Of course, it comes with your tray in ten minutes."}}, guestReads: true},
		{room: "103", lastName: "Müller", outlet: "FRONTDESK", staff: "frontdesk",
			message: "Können Sie mir für morgen um 8 Uhr ein Taxi zum Flughafen bestellen?",
			acts: []act{{}, {typ: "Note", content: "Booked with City Cabs, confirmation 4471."},
				{typ: "Staff", content: "Your taxi is booked for 8:00 tomorrow at the main entrance."}}},
		{room: "101", lastName: "Garcia", outlet: "FRONTDESK", staff: "frontdesk",
			message: "Hola, ¿podrían despertarme mañana a las siete, por favor?"},
	}
}

// LoadConversations creates the demo conversations through svc, as guests and staff create
// them (real rows, events and translation jobs). Run it right after Load created the demo data
// (loaded true), never on a database in use. Errors of the calls are returned as is, wrapped
// with the room they were for.
func LoadConversations(ctx context.Context, svc *concierge.Service) error {
	for _, c := range demoConversations() {
		gs, err := svc.InitialiseSession(ctx, concierge.InitialiseInput{Mode: concierge.InitialiseByRoom,
			PropertyCode: "DEMO", InterfaceToken: InterfaceToken, RoomNumber: c.room, LastName: c.lastName})
		if err != nil {
			return fmt.Errorf("demo session of room %s: %w", c.room, err)
		}
		conv, err := svc.CreateConversation(ctx, gs, concierge.CreateConversationInput{
			Message: c.message, OutletCode: c.outlet, OrderCode: c.order})
		if err != nil {
			return fmt.Errorf("demo conversation of room %s: %w", c.room, err)
		}
		if len(c.acts) > 0 {
			if err := staffActs(ctx, svc, c.staff, conv.Code, c.acts); err != nil {
				return fmt.Errorf("demo conversation of room %s: %w", c.room, err)
			}
		}
		if c.guestReads {
			if err := svc.MarkGuestRead(ctx, gs, conv.Code, ""); err != nil {
				return fmt.Errorf("demo conversation of room %s: %w", c.room, err)
			}
		}
		if err := svc.Logout(ctx, gs); err != nil {
			return fmt.Errorf("demo session of room %s: %w", c.room, err)
		}
	}
	return nil
}

// staffActs logs the demo user in, carries out acts on the conversation, and logs out.
func staffActs(ctx context.Context, svc *concierge.Service, username, code string, acts []act) error {
	token, _, _, err := svc.StaffLogin(ctx, username, Password, "")
	if err != nil {
		return err
	}
	p, err := svc.AuthenticateStaff(ctx, token)
	if err != nil {
		return err
	}
	for _, a := range acts {
		if a.typ == "" {
			_, err = svc.MarkStaffRead(ctx, p, code, "")
		} else {
			_, err = svc.AddStaffMessage(ctx, p, code, a.typ, a.content)
		}
		if err != nil {
			return err
		}
	}
	return svc.StaffLogout(ctx, p)
}

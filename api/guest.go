package api

import "encoding/json"

// Envelope is the response container of every guest-API call, success or failure (SPEC §3.3).
type Envelope struct {
	// SessionToken is the token the client must use from now on (it may be a new one).
	SessionToken string `json:"sessionToken"`
	// ResponsesIncluded names the items of Responses, comma-separated, in order.
	ResponsesIncluded string `json:"responsesIncluded"`
	// Responses are single-key objects: the item name and its Item.
	Responses []map[string]Item `json:"responses"`
	// Status is "Success" when every item succeeded, "Failure" otherwise.
	Status string `json:"status"`
}

// Item is one entry of an Envelope: its content on success, its error on failure.
type Item struct {
	Content   json.RawMessage `json:"content,omitempty"`
	Succeeded bool            `json:"succeeded"`
	AreaError string          `json:"areaError,omitempty"`
	Message   string          `json:"message,omitempty"`
	Errors    []FieldError    `json:"errors,omitempty"`
}

// Find returns the item called name and whether the envelope has it.
func (e Envelope) Find(name string) (Item, bool) {
	for _, r := range e.Responses {
		if it, ok := r[name]; ok {
			return it, true
		}
	}
	return Item{}, false
}

// The item names of the guest API (SPEC §3.3): a call answers with one of them on success and
// on failure alike.
const (
	ItemResponseStatus     = "responseStatus"
	ItemInitialiseSession  = "initialiseSessionResponse"
	ItemOutletSettings     = "getOutletSettingsResponse"
	ItemCreateConversation = "createConversationResponse"
	ItemGetMessages        = "getMessagesResponse"
	ItemGetConversations   = "getConversationsResponse"
	ItemGetConversation    = "getConversationResponse"
	ItemAddMessage         = "addMessageResponse"
	ItemGetEvents          = "getEventsResponse"
)

// GuestInitialiseRequest is the body of the three session initialisations (SPEC §4.1):
// Initialise (PropertyCode, InterfaceToken), InitialiseByRoom (plus LastName and RoomNumber) and
// InitialiseByGuestIdentifier (plus GuestUniqueIdentifier).
type GuestInitialiseRequest struct {
	PropertyCode          string `json:"PropertyCode"`
	InterfaceToken        string `json:"InterfaceToken"`
	Version               string `json:"Version,omitempty"`
	LanguageCode          string `json:"LanguageCode,omitempty"`
	LastName              string `json:"LastName,omitempty"`
	RoomNumber            string `json:"RoomNumber,omitempty"`
	GuestUniqueIdentifier string `json:"GuestUniqueIdentifier,omitempty"`
}

// GuestSession is the content of initialiseSessionResponse.
type GuestSession struct {
	BrandCode      string  `json:"brandCode"`
	GroupCode      string  `json:"groupCode"`
	PropertyCode   string  `json:"propertyCode"`
	LanguageCode   string  `json:"languageCode"`
	GuestFirstName *string `json:"guestFirstName,omitempty"`
	GuestLastName  *string `json:"guestLastName,omitempty"`
	RoomNumber     *string `json:"roomNumber,omitempty"`
	Version        string  `json:"version,omitempty"`
}

// GuestLoginByRoomRequest upgrades a session to a verified one (SPEC §4.1).
type GuestLoginByRoomRequest struct {
	SessionToken string `json:"SessionToken,omitempty"`
	LastName     string `json:"LastName"`
	RoomNumber   string `json:"RoomNumber"`
}

// GuestTokenRequest is the body of calls that carry only the session token.
type GuestTokenRequest struct {
	SessionToken string `json:"SessionToken,omitempty"`
}

// GuestOutletList is the content of getOutletSettingsResponse (SPEC §4.1a).
type GuestOutletList struct {
	Outlets []GuestOutlet `json:"outlets"`
}

// GuestOutlet is an outlet as guests see it, isOpen computed now in property time.
type GuestOutlet struct {
	Code                   string         `json:"code"`
	Name                   string         `json:"name"`
	Description            string         `json:"description"`
	AllowGuestMessages     bool           `json:"allowGuestMessages"`
	AllowNonVerifiedGuests bool           `json:"allowNonVerifiedGuests"`
	IsOpen                 bool           `json:"isOpen"`
	OpeningHours           []OpeningHours `json:"openingHours"`
}

// OpeningHours is one opening period of an outlet in property time ("HH:MM"; a close before
// its open runs past midnight).
type OpeningHours struct {
	Day   string `json:"day"`
	Open  string `json:"open"`
	Close string `json:"close"`
}

// GuestCreateConversationRequest creates a conversation (SPEC §4.2, §4.3).
type GuestCreateConversationRequest struct {
	SessionToken               string          `json:"SessionToken,omitempty"`
	Message                    string          `json:"Message,omitempty"`
	ConversationType           string          `json:"ConversationType"`
	OutletCode                 string          `json:"OutletCode,omitempty"`
	OrderCode                  string          `json:"OrderCode,omitempty"`
	OrderFormDetailsDictionary json.RawMessage `json:"OrderFormDetailsDictionary,omitempty"`
}

// GuestConversationFields are a conversation's fields on the guest wire, in order (SPEC §4.2).
type GuestConversationFields struct {
	Code               string `json:"code"`
	Subject            string `json:"subject"`
	OutletCode         string `json:"outletCode"`
	OrderCode          string `json:"orderCode"`
	OutletName         string `json:"outletName"`
	PropertyCode       string `json:"propertyCode"`
	RoomNumber         string `json:"roomNumber"`
	GuestFirstName     string `json:"guestFirstName"`
	GuestLastName      string `json:"guestLastName"`
	GuestLanguageCode  string `json:"guestLanguageCode"`
	ConversationStatus string `json:"conversationStatus"`
	ConversationType   string `json:"conversationType"`
}

// GuestConversation is a conversation with every message its guest may see.
type GuestConversation struct {
	GuestConversationFields
	Messages []GuestMessage `json:"messages"`
}

// GuestConversationContent wraps a conversation: the content of createConversationResponse and
// getConversationResponse.
type GuestConversationContent struct {
	Conversation GuestConversation `json:"conversation"`
}

// GuestConversationSummary is a conversation in a guest's list (SPEC §4.4).
type GuestConversationSummary struct {
	GuestConversationFields
	UnreadCount     int    `json:"unreadCount"`
	LastMessageDate string `json:"lastMessageDate"`
}

// GuestConversationPage is the content of getConversationsResponse.
type GuestConversationPage struct {
	Conversations []GuestConversationSummary `json:"conversations"`
	TotalCount    int                        `json:"totalCount"`
}

// GuestMessage is a message as its guest sees it: in the guest's language where a translation
// exists (SPEC §4.4).
type GuestMessage struct {
	CreateDate        string `json:"createDate"`
	Code              string `json:"code"`
	IsRead            bool   `json:"isRead"`
	ServiceCenterName string `json:"serviceCenterName"`
	MessageType       string `json:"messageType"`
	Content           string `json:"content"`
	FirstName         string `json:"firstName"`
	LastName          string `json:"lastName"`
	LanguageCode      string `json:"languageCode"`
	IsTranslated      bool   `json:"isTranslated"`
	ConversationID    int64  `json:"conversationId"`
}

// GuestMessagePage is the content of getMessagesResponse.
type GuestMessagePage struct {
	Messages   []GuestMessage `json:"messages"`
	PageNumber int            `json:"pageNumber"`
	PageLength int            `json:"pageLength"`
	TotalCount int            `json:"totalCount"`
}

// GuestAddMessageRequest adds a guest message to a conversation.
type GuestAddMessageRequest struct {
	SessionToken     string  `json:"SessionToken,omitempty"`
	Message          string  `json:"Message"`
	ConversationType *string `json:"ConversationType,omitempty"`
}

// GuestMessageContent is the content of addMessageResponse.
type GuestMessageContent struct {
	Message GuestMessage `json:"message"`
}

// GuestMarkReadRequest marks staff and system messages read, up to one message when given.
type GuestMarkReadRequest struct {
	SessionToken    string `json:"SessionToken,omitempty"`
	UpToMessageCode string `json:"UpToMessageCode,omitempty"`
}

// GuestEvent is the data of a guest live event (SPEC §6).
type GuestEvent struct {
	Kind             string                    `json:"kind"`
	ConversationCode string                    `json:"conversationCode"`
	Message          *GuestMessage             `json:"message,omitempty"`
	Conversation     *GuestConversationSummary `json:"conversation,omitempty"`
	Order            *OrderRef                 `json:"order,omitempty"`
}

package concierge

import (
	"context"
	"time"
)

// TranslationState is where the translation of a message into one language stands.
type TranslationState string

// The translation states. Pending jobs are retried until they reach one of the final states.
const (
	TranslationPending     TranslationState = "pending"     // queued or waiting for a retry
	TranslationDone        TranslationState = "done"        // translated; Content holds the text
	TranslationFailed      TranslationState = "failed"      // gave up after the last attempt
	TranslationUnsupported TranslationState = "unsupported" // the provider lacks the language pair
)

// Translation is the translation of a message into one language and the state of its job:
// the durable queue of translation jobs is the set of Pending translations (SPEC §7).
type Translation struct {
	MessageID     int64
	Language      string // the target language (BCP 47 base language)
	Source        string // the original's language
	State         TranslationState
	Content       string // the translated text, when Done
	Attempts      int    // how many times the job was claimed
	LastError     string // why the last attempt failed ("" when none)
	NextAttemptAt time.Time
	UpdatedAt     time.Time
}

// TranslationJob is a claimed Pending translation with what the translator needs.
type TranslationJob struct {
	MessageID      int64
	ConversationID int64
	PropertyID     int64
	Text           string // the original text
	Source         string
	Target         string
	Attempts       int // including this claim
}

// TranslationQueue is the state of the translation job queue.
type TranslationQueue struct {
	Pending int       // Pending translations
	Oldest  time.Time // when the message of the oldest Pending translation was created; zero when none
}

// TranslationOutcome is the result of a job's attempt. State Done (with Content), Failed or
// Unsupported (with Error) end the job; Pending (with Error and NextAttemptAt) schedules a retry.
type TranslationOutcome struct {
	State         TranslationState
	Content       string
	Error         string
	NextAttemptAt time.Time
	At            time.Time
}

// GlossaryTerm is a term a property keeps verbatim in every translation (an outlet's or a
// dish's name).
type GlossaryTerm struct {
	PropertyID int64
	Term       string
	CreatedAt  time.Time
}

// TranslationStore persists translations, their job queue, the translation cache and the
// glossaries. It is part of Store.
//
// Jobs are written with their message: Tx.InsertMessage queues a Pending translation
// (NextAttemptAt: the message's CreatedAt) of every message whose TranslateTo is set, in the
// message's transaction, from its Language to TranslateTo.
type TranslationStore interface {
	// ClaimTranslations returns up to limit Pending jobs whose next attempt is due at now,
	// earliest due first, counting an attempt for each and moving its next attempt to now+lease,
	// so that no other claimant takes it while it is worked on (a claimant that dies leaves it
	// to be claimed again once the lease ends).
	ClaimTranslations(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]TranslationJob, error)
	// TranslationQueue counts the Pending translations (the job queue, leased jobs included)
	// and gives the creation time of the oldest one's message.
	TranslationQueue(ctx context.Context) (TranslationQueue, error)
	// Translations lists the translations (any state) of the given messages, by message id
	// then language.
	Translations(ctx context.Context, messageIDs []int64) ([]Translation, error)

	// CachedTranslation returns the cached translation of text from source to target;
	// ErrNotFound when none.
	CachedTranslation(ctx context.Context, source, target, text string) (string, error)
	// CacheTranslation stores (or replaces) the translation of text from source to target.
	CacheTranslation(ctx context.Context, source, target, text, translation string, at time.Time) error

	// GlossaryTerms lists a property's glossary terms, by term.
	GlossaryTerms(ctx context.Context, propertyID int64) ([]GlossaryTerm, error)
	// PutGlossaryTerm adds a term to its property's glossary; a term already there (compared
	// case-insensitively) is kept and created is false.
	PutGlossaryTerm(ctx context.Context, t *GlossaryTerm) (created bool, err error)
	// DeleteGlossaryTerm removes a term (compared case-insensitively) from a property's
	// glossary; ErrNotFound when it is not there.
	DeleteGlossaryTerm(ctx context.Context, propertyID int64, term string) error
}

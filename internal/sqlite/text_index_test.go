package sqlite

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"concierge/internal/concierge"
)

// textRow is one row of message_text.
type textRow struct {
	rowid, messageID int64
	language, text   string
}

// textRows returns message_text's rows by rowid.
func textRows(t *testing.T, db *DB) map[int64]textRow {
	t.Helper()
	rows, err := db.readers.QueryContext(t.Context(), `SELECT rowid, message_id, language, text FROM message_text`)
	must(t, err)
	defer rows.Close()
	out := map[int64]textRow{}
	for rows.Next() {
		var r textRow
		must(t, rows.Scan(&r.rowid, &r.messageID, &r.language, &r.text))
		out[r.rowid] = r
	}
	must(t, rows.Err())
	return out
}

// matches returns the message ids of the message_text rows matching the full-text query q.
func matches(t *testing.T, db *DB, q string) []int64 {
	t.Helper()
	rows, err := db.readers.QueryContext(t.Context(), `SELECT message_id FROM message_text WHERE message_text MATCH ? ORDER BY rowid`, q)
	must(t, err)
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		must(t, rows.Scan(&id))
		out = append(out, id)
	}
	must(t, rows.Err())
	return out
}

// translationRowid is the rowid of the k-th indexed translation of message id.
func translationRowid(id int64, k int64) int64 { return -(id*textRowsPerMessage + k) }

// textWorld is a property with two stays, each with a conversation of two messages whose
// texts (and those of two translations of each first message) carry distinct words.
type textWorld struct {
	prop            concierge.Property
	erased, kept    concierge.Stay
	e1, e2, k1, k2  concierge.Message
	erasedWords     []string
	keptWords       map[string]int64 // word → the message whose text or translation has it
	wantKeptRowsAt  map[int64]textRow
	wantErasedRowid []int64
}

// newTextWorld builds a textWorld in db: messages through the store, each first message
// translated twice (de, then it) and each second message once (fr), finished Done through
// FinishTranslation.
func newTextWorld(t *testing.T, db *DB) textWorld {
	t.Helper()
	ctx := t.Context()
	now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	o := batchWorld(t, db)
	w := textWorld{keptWords: map[string]int64{}, wantKeptRowsAt: map[int64]textRow{}}
	w.prop.ID = o.PropertyID
	w.erased = concierge.Stay{PropertyID: o.PropertyID, RoomNumber: "1", FirstName: "Eve", LastName: "Erased",
		Language: "es", Arrival: "2026-02-01", Departure: "2026-02-03", BookingReference: "BK-ERASE"}
	w.kept = concierge.Stay{PropertyID: o.PropertyID, RoomNumber: "2", FirstName: "Kim", LastName: "Kept",
		Language: "es", Arrival: "2026-02-01", Departure: "2026-02-03", BookingReference: "BK-KEEP"}
	must(t, db.CreateStay(ctx, &w.erased))
	must(t, db.CreateStay(ctx, &w.kept))
	conv := func(stay *concierge.Stay, code, first, second string) (concierge.Message, concierge.Message) {
		c, m := newConversation(o, code, code+"-1")
		c.StayID = &stay.ID
		m.Content, m.Language, m.TranslateTo = first, "es", "de"
		must(t, concierge.NewConversations(db).Create(ctx, &c, &m))
		r := concierge.Message{Code: code + "-2", ConversationID: c.ID, Type: concierge.MessageStaff, AuthorFirstName: "Staff",
			Content: second, Language: "en", TranslateTo: "fr", CreatedAt: now}
		must(t, concierge.NewConversations(db).AddMessage(ctx, &r, concierge.ConversationOpen, now))
		// A second target language for the first message: a job like the one TranslateTo queues.
		_, err := db.writer.ExecContext(ctx, `INSERT INTO translations (message_id, language, source, state,
			next_attempt_at, updated_at) VALUES (?, 'it', 'es', 'pending', 0, 0)`, m.ID)
		must(t, err)
		return m, r
	}
	w.e1, w.e2 = conv(&w.erased, "CE", "unicornio violeta", "hipopotamo azul")
	w.k1, w.k2 = conv(&w.kept, "CK", "tranquilamente aqui", "quietly staying")
	finish := func(m concierge.Message, lang, text string) {
		must(t, concierge.NewTranslations(db).Finish(ctx, m.ID, lang, concierge.TranslationOutcome{State: concierge.TranslationDone,
			Content: text, At: now}))
	}
	// Finished in this order, so the k of each translation is known.
	finish(w.e1, "de", "violettes einhorn")
	finish(w.k1, "de", "ruhig hierbleiben")
	finish(w.e1, "it", "unicorno viola")
	finish(w.k1, "it", "tranquillamente restare")
	finish(w.e2, "fr", "hippopotame bleu")
	finish(w.k2, "fr", "calmement rester")

	w.erasedWords = []string{"unicornio", "hipopotamo", "einhorn", "unicorno", "hippopotame"}
	for _, r := range []textRow{
		{w.k1.ID, w.k1.ID, "es", "tranquilamente aqui"},
		{w.k2.ID, w.k2.ID, "en", "quietly staying"},
		{translationRowid(w.k1.ID, 0), w.k1.ID, "de", "ruhig hierbleiben"},
		{translationRowid(w.k1.ID, 1), w.k1.ID, "it", "tranquillamente restare"},
		{translationRowid(w.k2.ID, 0), w.k2.ID, "fr", "calmement rester"},
	} {
		w.wantKeptRowsAt[r.rowid] = r
		w.keptWords[strings.Fields(r.text)[0]] = r.messageID
	}
	w.wantErasedRowid = []int64{w.e1.ID, w.e2.ID, translationRowid(w.e1.ID, 0), translationRowid(w.e1.ID, 1),
		translationRowid(w.e2.ID, 0)}
	return w
}

// checkIndexed checks that message_text holds exactly the rows of w (the erased stay's too
// when erased is false) at their designed rowids, and that search finds every text.
func (w textWorld) checkIndexed(t *testing.T, db *DB, erased bool) {
	t.Helper()
	got := textRows(t, db)
	want := map[int64]textRow{}
	for k, v := range w.wantKeptRowsAt {
		want[k] = v
	}
	if !erased {
		for _, r := range []textRow{
			{w.e1.ID, w.e1.ID, "es", "unicornio violeta"},
			{w.e2.ID, w.e2.ID, "en", "hipopotamo azul"},
			{translationRowid(w.e1.ID, 0), w.e1.ID, "de", "violettes einhorn"},
			{translationRowid(w.e1.ID, 1), w.e1.ID, "it", "unicorno viola"},
			{translationRowid(w.e2.ID, 0), w.e2.ID, "fr", "hippopotame bleu"},
		} {
			want[r.rowid] = r
		}
	}
	if len(got) != len(want) {
		t.Errorf("message_text has %d rows, want %d:\n got %v\nwant %v", len(got), len(want), got, want)
	}
	for rowid, r := range want {
		if got[rowid] != r {
			t.Errorf("message_text rowid %d = %+v, want %+v", rowid, got[rowid], r)
		}
	}
	for word, id := range w.keptWords {
		if m := matches(t, db, word); len(m) != 1 || m[0] != id {
			t.Errorf("search for %q finds messages %v, want [%d]", word, m, id)
		}
	}
	for _, word := range w.erasedWords {
		m := matches(t, db, word)
		if erased && len(m) != 0 {
			t.Errorf("search for erased %q still finds messages %v", word, m)
		}
		if !erased && len(m) != 1 {
			t.Errorf("search for %q finds messages %v, want one", word, m)
		}
	}
}

// erase erases w's erased stay through the store's erasure and checks what it reports.
func (w textWorld) erase(t *testing.T, db *DB) {
	t.Helper()
	e, err := concierge.NewErasures(db, nil).Erase(t.Context(), concierge.Owner{PropertyID: w.prop.ID, StayID: &w.erased.ID}, nil)
	must(t, err)
	if e.Conversations != 1 || e.Messages != 2 {
		t.Fatalf("erasure %+v, want 1 conversation and 2 messages", e)
	}
}

// TestTextIndexRowids: a message's original text is indexed at rowid = its id and its
// translations at -(id*textRowsPerMessage + k); erasing a stay removes both kinds of rows of
// its messages from message_text and leaves the other stay's rows in place and searchable.
func TestTextIndexRowids(t *testing.T) {
	t.Parallel()
	db := openTemp(t)
	w := newTextWorld(t, db)
	w.checkIndexed(t, db, false)
	w.erase(t, db)
	w.checkIndexed(t, db, true)
	got := textRows(t, db)
	for _, rowid := range w.wantErasedRowid {
		if r, ok := got[rowid]; ok {
			t.Errorf("erased row %d is still in message_text: %+v", rowid, r)
		}
	}
	// A translation indexed after the erasure goes on counting from the kept rows.
	ctx := t.Context()
	_, err := db.writer.ExecContext(ctx, `INSERT INTO translations (message_id, language, source, state,
		next_attempt_at, updated_at) VALUES (?, 'pt', 'es', 'pending', 0, 0)`, w.k1.ID)
	must(t, err)
	must(t, concierge.NewTranslations(db).Finish(ctx, w.k1.ID, "pt", concierge.TranslationOutcome{State: concierge.TranslationDone,
		Content: "tranquilamente ficar", At: time.Now()}))
	if r := textRows(t, db)[translationRowid(w.k1.ID, 2)]; r.messageID != w.k1.ID || r.language != "pt" {
		t.Errorf("third translation of message %d at rowid %d = %+v", w.k1.ID, translationRowid(w.k1.ID, 2), r)
	}
}

// TestIndexTranslationFull: a message with textRowsPerMessage indexed translations gets no
// further row (and no error): rowids never spill into the next message's range.
func TestIndexTranslationFull(t *testing.T) {
	t.Parallel()
	db := openTemp(t)
	ctx := t.Context()
	o := batchWorld(t, db)
	c, m := newConversation(o, "CF", "CF-1")
	must(t, concierge.NewConversations(db).Create(ctx, &c, &m))
	// Rows k = 0 … textRowsPerMessage-2 taken: one more fits, at the last k, then none.
	must(t, db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `WITH RECURSIVE k(n) AS (SELECT 0 UNION ALL SELECT n+1 FROM k WHERE n < ?)
			INSERT INTO message_text (rowid, text, message_id, language) SELECT -(? * ? + n), 'filler', ?, 'xx' FROM k`,
			textRowsPerMessage-2, m.ID, textRowsPerMessage, m.ID)
		return err
	}))
	for _, lang := range []string{"yy", "zz"} {
		must(t, db.write(ctx, func(tx *sql.Tx) error { return indexTranslation(ctx, tx, m.ID, lang, "last") }))
	}
	if r := textRows(t, db)[translationRowid(m.ID, textRowsPerMessage-1)]; r.language != "yy" {
		t.Errorf("last translation rowid holds %+v, want the yy translation", r)
	}
	var n, below int64
	must(t, db.readers.QueryRowContext(ctx, `SELECT count(*) FROM message_text WHERE message_id = ? AND rowid < 0`, m.ID).Scan(&n))
	must(t, db.readers.QueryRowContext(ctx, `SELECT count(*) FROM message_text WHERE rowid < ?`,
		translationRowid(m.ID, textRowsPerMessage-1)).Scan(&below))
	if n != textRowsPerMessage || below != 0 {
		t.Errorf("message %d has %d translation rows (want %d), %d below its range", m.ID, n, textRowsPerMessage, below)
	}
}

// fts5IdxStr matches an FTS5 scan in EXPLAIN QUERY PLAN; the group is FTS5's idxStr, one
// character per constraint it uses: '=' rowid equality, '<' and '>' rowid bounds, 'M' MATCH…
// A full scan of the table has none of the rowid ones.
var fts5IdxStr = regexp.MustCompile(`SCAN message_text VIRTUAL TABLE INDEX \d+:(\S*)`)

// rowidLookup reports whether plan looks message_text up by rowid (equality, or a range
// bounded on both sides) rather than scanning it.
func rowidLookup(plan string) bool {
	m := fts5IdxStr.FindStringSubmatch(plan)
	if m == nil {
		return false
	}
	return strings.Contains(m[1], "=") || (strings.Contains(m[1], "<") && strings.Contains(m[1], ">"))
}

// TestTextDeleteTriggerUsesRowids: each statement of the messages delete trigger, as stored in
// the schema, finds message_text rows by rowid, not by scanning the whole index, as the
// trigger of 0004 (WHERE message_id = old.id) did.
func TestTextDeleteTriggerUsesRowids(t *testing.T) {
	t.Parallel()
	db := openTemp(t)
	var trigger string
	must(t, db.readers.QueryRowContext(t.Context(), `SELECT sql FROM sqlite_master
		WHERE type = 'trigger' AND name = 'messages_text_delete'`).Scan(&trigger))
	body := trigger[strings.Index(trigger, "BEGIN")+len("BEGIN") : strings.LastIndex(trigger, "END")]
	var stmts []string
	for s := range strings.SplitSeq(body, ";") {
		if s = strings.TrimSpace(s); s != "" {
			stmts = append(stmts, s)
		}
	}
	if len(stmts) != 2 {
		t.Fatalf("trigger has %d statements, want 2:\n%s", len(stmts), trigger)
	}
	if want := fmt.Sprint(textRowsPerMessage); !strings.Contains(stmts[1], want) {
		t.Errorf("trigger's translation range does not use textRowsPerMessage (%s):\n%s", want, stmts[1])
	}
	for _, s := range stmts {
		q := strings.ReplaceAll(s, "old.id", "?1")
		if plan := explain(t, db, q, int64(42)); !rowidLookup(plan) {
			t.Errorf("%s\nscans message_text:\n%s", s, plan)
		}
	}
	// The assertion tells a scan apart: the old form, and a one-sided range, fail it.
	for _, q := range []string{`DELETE FROM message_text WHERE message_id = ?1`, `DELETE FROM message_text WHERE rowid > ?1`} {
		if plan := explain(t, db, q, int64(42)); rowidLookup(plan) {
			t.Errorf("%s\npasses as a rowid lookup:\n%s", q, plan)
		}
	}
	if plan := explain(t, db, `DELETE FROM message_text WHERE rowid = ?1`, int64(42)); !rowidLookup(plan) {
		t.Errorf("rowid equality is not a rowid lookup:\n%s", plan)
	}
}

// TestTextRowidsMigration: a database in the state before 0012 (the index of 0004: rows in
// any rowid order, found by message_id, the old delete trigger), with messages and done
// translations, is migrated by 0012 to the designed rowids; every text stays searchable and
// erasure then removes a stay's rows.
func TestTextRowidsMigration(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "m.db")
	db, err := Open(ctx, path, testLogger(t))
	must(t, err)
	w := newTextWorld(t, db)
	// Back to 0011: the index of 0004 refilled in reverse order, so no original has rowid =
	// its id, translations at positive rowids, the old trigger, 0012 not applied.
	_, err = db.writer.ExecContext(ctx, `
		DROP TRIGGER messages_text_delete;
		DROP TABLE message_text;
		CREATE VIRTUAL TABLE message_text USING fts5(
			text,
			message_id UNINDEXED,
			language UNINDEXED,
			tokenize = 'unicode61 remove_diacritics 2'
		);
		INSERT INTO message_text (text, message_id, language)
			SELECT content, message_id, language FROM translations WHERE state = 'done' ORDER BY message_id DESC;
		INSERT INTO message_text (text, message_id, language) SELECT content, id, language FROM messages ORDER BY id DESC;
		CREATE TRIGGER messages_text_delete AFTER DELETE ON messages BEGIN
			DELETE FROM message_text WHERE message_id = old.id;
		END;
		DELETE FROM schema_migrations WHERE version = 12`)
	must(t, err)
	old := textRows(t, db)
	for rowid, r := range old {
		if rowid < 0 || (r.text == "unicornio violeta" && rowid == w.e1.ID) {
			t.Fatalf("the pre-0012 index already has the new rowids: %v", old)
		}
	}
	if len(old) != 10 {
		t.Fatalf("the pre-0012 index has %d rows, want 10: %v", len(old), old)
	}
	must(t, db.Close())

	db = openAt(t, path)
	var applied int
	must(t, db.readers.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = 12`).Scan(&applied))
	if applied != 1 {
		t.Fatalf("migration 12 not applied again after reopening")
	}
	// The rebuilt index keeps 0010's secure-delete: erased texts leave the index data at once.
	var secure int
	must(t, db.readers.QueryRowContext(ctx, `SELECT v FROM message_text_config WHERE k = 'secure-delete'`).Scan(&secure))
	if secure != 1 {
		t.Errorf("message_text secure-delete = %d after 0012, want 1", secure)
	}
	w.checkIndexed(t, db, false)
	w.erase(t, db)
	w.checkIndexed(t, db, true)
}

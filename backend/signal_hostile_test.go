package backend_test

import (
	"math"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/caseyos/caseyos/backend"
)

// hostileText holds what a hostile or broken source sends in a text field:
// a NUL, other C0 controls, a CR LF (a header injection in a subject), an
// escape sequence and bytes that are not UTF-8.
const hostileText = "Pri\x00cing\x01 \x1b[31mred\r\nBcc: x@evil.io\xff\xfe end"

// cleanString reports whether s is valid UTF-8 without control characters
// other than newline and tab (multiline) or none at all.
func cleanString(s string, multiline bool) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if (r == '\n' || r == '\t') && multiline {
			continue
		}
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) {
			return false
		}
	}
	return true
}

func TestSignal_ValidateTimeRange(t *testing.T) {
	reply := func(at time.Time) *backend.Signal {
		return &backend.Signal{Source: backend.SourceGmail, Type: backend.SignalEmailReplied, OccurredAt: at, DedupeKey: "k",
			Email: &backend.EmailMessage{ThreadID: "t", From: "a@b.co"}}
	}
	y9999 := time.Date(9999, 12, 31, 23, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		sig  *backend.Signal
		msg  string // "" = valid
	}{
		{"OK", reply(testNow), ""},
		{"OKDayAhead", reply(testNow.Add(23 * time.Hour)), ""},
		{"OK1970", reply(time.Unix(0, 0).UTC()), ""},
		{"ErrYear9999", reply(y9999), "occurred_at 9999-12-31T23:00:00Z is out of range"},
		{"ErrBefore1970", reply(time.Date(1969, 12, 31, 0, 0, 0, 0, time.UTC)), "out of range"},
		{"ErrNextYear", reply(testNow.AddDate(1, 0, 0)), "more than 24h after now"},
		{"ErrMeetingStart", func() *backend.Signal {
			s := reply(testNow)
			s.Type, s.Email = backend.SignalMeetingUpcoming, nil
			s.Meeting = &backend.Meeting{ID: "m", Start: y9999, End: y9999}
			return s
		}(), "meeting.start 9999-12-31T23:00:00Z is out of range"},
		{"OKMeetingNextMonth", func() *backend.Signal {
			s := reply(testNow)
			s.Type, s.Email = backend.SignalMeetingUpcoming, nil
			s.Meeting = &backend.Meeting{ID: "m", Start: testNow.AddDate(0, 1, 0), End: testNow.AddDate(0, 1, 0).Add(time.Hour)}
			return s
		}(), ""},
		{"ErrCloseDate", func() *backend.Signal {
			s := reply(testNow)
			s.Deal = &backend.Deal{ID: "d", CloseDate: y9999}
			return s
		}(), "deal.close_date"},
		{"ErrLastActivity", func() *backend.Signal {
			s := reply(testNow)
			s.Contact = &backend.Contact{ID: "c", LastActivityAt: time.Date(1, 1, 1, 0, 0, 1, 0, time.UTC)}
			return s
		}(), "contact.last_activity_at"},
		{"ErrReturnsAt", func() *backend.Signal {
			s := reply(testNow)
			s.Type = backend.SignalEmailOutOfOffice
			s.Payload = map[string]string{"returns_at": "9999-12-31T00:00:00Z"}
			return s
		}(), "payload.returns_at"},
		{"ErrDemoAtNotATime", func() *backend.Signal {
			s := reply(testNow)
			s.Type, s.Email = backend.SignalDealStageChanged, nil
			s.Deal = &backend.Deal{ID: "d", Stage: "demo"}
			s.Payload = map[string]string{"demo_at": "soon"}
			return s
		}(), "payload.demo_at"},
		{"ErrAmountNaN", func() *backend.Signal {
			s := reply(testNow)
			s.Deal = &backend.Deal{ID: "d", Amount: math.NaN()}
			return s
		}(), "amount"},
		{"ErrARRInfinite", func() *backend.Signal {
			s := reply(testNow)
			s.Company = &backend.Company{ID: "c", ExpectedARR: math.Inf(1)}
			return s
		}(), "expected ARR"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.sig.Normalize()
			err := tt.sig.ValidateAt(testNow)
			if tt.msg == "" {
				if err != nil {
					t.Fatalf("ValidateAt = %v, want nil", err)
				}
				return
			}
			if backend.ErrorCode(err) != backend.EINVALID || !strings.Contains(backend.ErrorMessage(err), tt.msg) {
				t.Fatalf("ValidateAt = %v, want %s containing %q", err, backend.EINVALID, tt.msg)
			}
		})
	}
}

func TestSignal_ValidateRejectsBadIDs(t *testing.T) {
	tests := []struct {
		name string
		edit func(s *backend.Signal)
		msg  string
	}{
		{"ErrDedupeKeyNUL", func(s *backend.Signal) { s.DedupeKey = "gmail:\x00" }, "dedupe_key contains a control character"},
		{"ErrDedupeKeyNotUTF8", func(s *backend.Signal) { s.DedupeKey = "gmail:\xff" }, "dedupe_key is not valid UTF-8"},
		{"ErrThreadNewline", func(s *backend.Signal) { s.Email.ThreadID = "t\n1"; s.ThreadID = "" }, "thread_id contains a control character"},
		{"ErrMessageIDHeaderInjection", func(s *backend.Signal) { s.Email.MessageID = "<m@x>\r\nBcc: a@evil.io" }, "email.message_id contains a control character"},
		{"ErrContactIDTooLong", func(s *backend.Signal) { s.ContactID = strings.Repeat("c", 513) }, "contact_id is longer than 512 bytes"},
		{"ErrDealContactIDs", func(s *backend.Signal) { s.Deal = &backend.Deal{ID: "d", ContactIDs: []string{"ok", "\x00"}} }, "deal.contact_ids"},
		{"ErrTo", func(s *backend.Signal) { s.Email.To = []string{"a@b.co\x00"} }, "email.to"},
		{"ErrAddressGarbled", func(s *backend.Signal) { s.Contact = &backend.Contact{Email: "L\xffe@example.com"} }, "is not valid UTF-8 (it holds U+FFFD)"},
		{"ErrDuplicateID", func(s *backend.Signal) {
			s.Type, s.Email, s.ThreadID, s.ContactID = backend.SignalContactDuplicate, nil, "", "c1"
			s.Payload = map[string]string{"duplicate_id": "c2\x00"}
		}, "payload.duplicate_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &backend.Signal{Source: backend.SourceGmail, Type: backend.SignalEmailReplied, OccurredAt: testNow, DedupeKey: "k",
				Email: &backend.EmailMessage{ThreadID: "t", From: "a@b.co"}}
			tt.edit(s)
			s.Normalize()
			err := s.Validate()
			if backend.ErrorCode(err) != backend.EINVALID || !strings.Contains(backend.ErrorMessage(err), tt.msg) {
				t.Fatalf("Validate = %v, want %s containing %q", err, backend.EINVALID, tt.msg)
			}
		})
	}
}

func TestSignal_NormalizeCleansText(t *testing.T) {
	s := &backend.Signal{Source: backend.SourceGmail, Type: backend.SignalEmailReplied, OccurredAt: testNow, DedupeKey: "k",
		Contact: &backend.Contact{Email: "a@b.co", Name: hostileText, Title: hostileText, Lifecycle: hostileText},
		Company: &backend.Company{ID: "acme", Name: hostileText, Industry: hostileText, Tags: []string{hostileText}},
		Deal:    &backend.Deal{ID: "d", Name: hostileText, Stage: hostileText},
		Email: &backend.EmailMessage{ThreadID: "t", From: "a@b.co", FromName: hostileText, Subject: hostileText,
			Snippet: hostileText + "\nsecond line\twith a tab"},
		Post:    &backend.Post{ID: "p", Author: "jane", Text: hostileText},
		Form:    &backend.FormSubmission{Form: hostileText, Fields: map[string]string{"note\x00": hostileText}},
		Payload: map[string]string{"previous_stage": hostileText},
	}
	s.Normalize()
	if err := s.Validate(); err != nil {
		t.Fatalf("Validate after Normalize = %v, want nil (text is cleaned, not refused)", err)
	}
	lines := map[string]string{
		"contact.name": s.Contact.Name, "contact.title": s.Contact.Title, "company.name": s.Company.Name, "company.tags[0]": s.Company.Tags[0],
		"deal.name": s.Deal.Name, "deal.stage": s.Deal.Stage, "email.from_name": s.Email.FromName, "email.subject": s.Email.Subject,
		"form.form": s.Form.Form, "payload.previous_stage": s.Payload["previous_stage"],
	}
	for k := range s.Form.Fields {
		lines["form.fields key"] = k
	}
	for field, v := range lines {
		if !cleanString(v, false) {
			t.Errorf("%s = %q, want valid UTF-8 without control characters", field, v)
		}
	}
	if got, want := s.Email.Subject, "Pricing [31mred  Bcc: x@evil.io\uFFFD end"; got != want {
		t.Errorf("email.subject = %q, want %q", got, want)
	}
	for field, v := range map[string]string{"email.snippet": s.Email.Snippet, "post.text": s.Post.Text, "form.fields": s.Form.Fields["note"]} {
		if !cleanString(v, true) {
			t.Errorf("%s = %q, want valid UTF-8 without control characters but newline and tab", field, v)
		}
	}
	if got, want := s.Email.Snippet, "Pricing [31mred\nBcc: x@evil.io\uFFFD end\nsecond line\twith a tab"; got != want {
		t.Errorf("email.snippet = %q, want %q", got, want)
	}
}

func TestSignal_NormalizeBoundsText(t *testing.T) {
	long := strings.Repeat("é", 100_000) // 200 kB
	s := &backend.Signal{Source: backend.SourceX, Type: backend.SignalSocialMention, OccurredAt: testNow, DedupeKey: "k",
		Contact: &backend.Contact{ID: "c", Name: long}, Post: &backend.Post{ID: "p", Author: "jane", Text: long},
		Email: &backend.EmailMessage{ThreadID: "t", From: "a@b.io", Body: long + "\x00", Quoted: long}}
	s.Normalize()
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	if n := len(s.Contact.Name); n > backend.MaxTextLine || !utf8.ValidString(s.Contact.Name) || !strings.HasSuffix(s.Contact.Name, "…") {
		t.Errorf("contact.name: %d bytes, valid %v, want at most %d bytes ending in …", n, utf8.ValidString(s.Contact.Name), backend.MaxTextLine)
	}
	if n := len(s.Post.Text); n > backend.MaxText || !utf8.ValidString(s.Post.Text) {
		t.Errorf("post.text: %d bytes, want at most %d, valid UTF-8", n, backend.MaxText)
	}
	for name, v := range map[string]string{"email.body": s.Email.Body, "email.quoted": s.Email.Quoted} {
		if n := len(v); n > backend.MaxText || !utf8.ValidString(v) || !strings.HasSuffix(v, "…") {
			t.Errorf("%s: %d bytes, want at most %d, valid UTF-8, ending in …", name, n, backend.MaxText)
		}
	}
}

// TestQueue_IngestOutOfRangeTime is the regression test for an import that
// one signal in year 9999 aborted: the move's due time overflowed what the
// store can encode and failed the whole transaction.
func TestQueue_IngestOutOfRangeTime(t *testing.T) {
	f := newQueue(t)
	good := replySignal("good", "t-good", "maya@acme.io", testNow.Add(-time.Hour))
	y9999 := replySignal("y9999", "t-9999", "maya@acme.io", time.Date(9999, 12, 31, 23, 0, 0, 0, time.UTC))
	future := replySignal("future", "t-future", "maya@acme.io", testNow.AddDate(0, 1, 0))
	stall := &backend.Signal{Source: backend.SourceHubSpot, Type: backend.SignalDealStalled, OccurredAt: time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC),
		DedupeKey: "stall", Deal: &backend.Deal{ID: "d", Stage: "demo"}}
	rep, err := f.q.Ingest.Batch(f.ctx, []*backend.Signal{y9999, good, future, stall})
	if err != nil {
		t.Fatalf("Ingest = %v, want the good signal stored and the bad ones reported", err)
	}
	if rep.Stored != 1 || len(rep.Invalid) != 3 {
		t.Fatalf("stored %d, invalid %d (%v); want 1 stored, 3 invalid", rep.Stored, len(rep.Invalid), rep.Invalid)
	}
	for i, want := range []int{0, 2, 3} {
		if inv := rep.Invalid[i]; inv.Index != want || !strings.Contains(backend.ErrorMessage(inv.Err), "out of range") {
			t.Errorf("Invalid[%d] = %d %v, want index %d, out of range", i, inv.Index, inv.Err, want)
		}
	}
	// The same through a sync.
	rep, err = f.q.Ingest.From(f.ctx, "hubspot", []*backend.Signal{replySignal("y9999b", "t-b", "a@b.co", time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)),
		replySignal("good2", "t-good2", "a@b.co", testNow)}, "cursor")
	if err != nil || rep.Stored != 1 || len(rep.Invalid) != 1 {
		t.Fatalf("IngestFrom = %+v, %v; want 1 stored, 1 invalid", rep, err)
	}
}

// TestQueue_IngestHostileText proves that no move built from a signal,
// whatever its text fields hold, carries a NUL, a control character or
// invalid UTF-8 in its title, reasons or draft.
func TestQueue_IngestHostileText(t *testing.T) {
	f := newQueue(t)
	at := testNow.Add(-time.Hour)
	contact := func() *backend.Contact {
		return &backend.Contact{Email: "maya@acme.io", Name: hostileText, Title: hostileText, CompanyID: "acme"}
	}
	company := func() *backend.Company { return &backend.Company{ID: "acme", Name: hostileText, Industry: hostileText} }
	email := func(thread string) *backend.EmailMessage {
		return &backend.EmailMessage{ThreadID: thread, From: "maya@acme.io", FromName: hostileText, Subject: hostileText, Snippet: hostileText, ReceivedAt: at}
	}
	meeting := func(id string, start time.Time) *backend.Meeting {
		return &backend.Meeting{ID: id, Title: hostileText, Start: start, End: start.Add(time.Hour), External: true,
			Attendees: []string{"me@caseyos.dev", "maya@acme.io"}}
	}
	deal := func(stage string) *backend.Deal {
		return &backend.Deal{ID: "d-" + stage, Name: hostileText, Stage: stage, Amount: 50000, LastActivityAt: at.AddDate(0, 0, -30)}
	}
	sig := func(src backend.Source, typ backend.SignalType, key string) *backend.Signal {
		return &backend.Signal{Source: src, Type: typ, OccurredAt: at, DedupeKey: key, Contact: contact(), Company: company()}
	}
	var sigs []*backend.Signal
	for i, typ := range []backend.SignalType{backend.SignalEmailReplied, backend.SignalEmailReceived, backend.SignalEmailOutOfOffice} {
		s := sig(backend.SourceGmail, typ, "e"+itoa(uint64(i)))
		s.Email = email("t" + itoa(uint64(i)))
		sigs = append(sigs, s)
	}
	bounce := sig(backend.SourceGmail, backend.SignalEmailBounced, "bounce")
	bounce.Payload = map[string]string{"address": "maya@acme.io"}
	sigs = append(sigs, bounce)
	for _, stage := range []string{"appointmentscheduled", "closedwon", "closedlost", "contractsent"} {
		s := sig(backend.SourceHubSpot, backend.SignalDealStageChanged, "stage-"+stage)
		s.Deal = deal(stage)
		s.Payload = map[string]string{"previous_stage": hostileText}
		sigs = append(sigs, s)
	}
	stalled := sig(backend.SourceHubSpot, backend.SignalDealStalled, "stalled")
	stalled.Deal = deal("presentationscheduled")
	sigs = append(sigs, stalled)
	form := sig(backend.SourceForm, backend.SignalFormSubmitted, "form")
	form.Form = &backend.FormSubmission{Form: hostileText, Fields: map[string]string{"message": hostileText, hostileText: "x"}}
	sigs = append(sigs, form)
	up := sig(backend.SourceGCal, backend.SignalMeetingUpcoming, "up")
	up.Meeting = meeting("m-up", testNow.Add(3*time.Hour))
	ended := sig(backend.SourceGCal, backend.SignalMeetingEnded, "ended")
	ended.Meeting = meeting("m-ended", testNow.Add(-2*time.Hour))
	sigs = append(sigs, up, ended)
	for i, comp := range []string{"", hostileText} {
		s := sig(backend.SourceX, backend.SignalSocialMention, "x"+itoa(uint64(i)))
		s.Post = &backend.Post{ID: "p" + itoa(uint64(i)), Author: "jane", Text: hostileText, URL: hostileText, Competitor: comp}
		sigs = append(sigs, s)
	}
	dup := sig(backend.SourceHubSpot, backend.SignalContactDuplicate, "dup")
	dup.Payload = map[string]string{"duplicate_id": "maya2@acme.io"}
	sigs = append(sigs, dup)

	rep := f.ingest(t, sigs...)
	if len(rep.Invalid) > 0 {
		t.Fatalf("invalid: %v", rep.Invalid[0].Err)
	}
	if len(rep.Created) < 10 {
		t.Fatalf("created %d moves, want one per signal that calls for one", len(rep.Created))
	}
	for _, id := range rep.Created {
		m, err := f.q.Moves.Move(f.ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		d := m.Draft
		check := map[string]string{"title": m.Title, "subject": d.Subject, "task_title": d.TaskTitle, "in_reply_to": d.InReplyTo, "thread_id": d.ThreadID}
		for i, w := range m.Why {
			check["why"+itoa(uint64(i))] = w
		}
		for i, w := range append(append([]string{}, d.To...), d.Cc...) {
			check["to/cc"+itoa(uint64(i))] = w
		}
		for field, v := range check {
			if !cleanString(v, false) {
				t.Errorf("move %d (%s) %s = %q", m.ID, m.Kind, field, v)
			}
		}
		if !cleanString(d.Body, true) {
			t.Errorf("move %d (%s) body = %q", m.ID, m.Kind, d.Body)
		}
		for k, v := range d.Fields {
			if !cleanString(k, false) || !cleanString(v, true) {
				t.Errorf("move %d (%s) field %q = %q", m.ID, m.Kind, k, v)
			}
		}
	}
}

// TestQueue_EditDraftCleansText: an edited draft, from the window or the
// API, cannot bring a NUL, a control character or invalid UTF-8 into a
// subject or body either.
func TestQueue_EditDraftCleansText(t *testing.T) {
	f := newQueue(t)
	rep := f.ingest(t, replySignal("k", "t", "maya@acme.io", testNow.Add(-time.Hour)))
	m, err := f.q.Moves.Move(f.ctx, rep.Created[0])
	if err != nil {
		t.Fatal(err)
	}
	d := m.Draft
	d.Subject, d.Body, d.TaskTitle = hostileText, hostileText+"\nBest,\tMaya", hostileText
	m, err = f.q.Moves.EditDraft(f.ctx, m.ID, d, backend.ActorKey)
	if err != nil {
		t.Fatal(err)
	}
	if !cleanString(m.Draft.Subject, false) || !cleanString(m.Draft.TaskTitle, false) || !cleanString(m.Draft.Body, true) {
		t.Errorf("edited draft: subject %q, task %q, body %q", m.Draft.Subject, m.Draft.TaskTitle, m.Draft.Body)
	}
	if !strings.HasSuffix(m.Draft.Body, "\nBest,\tMaya") {
		t.Errorf("edited body = %q, want its newlines and tabs kept", m.Draft.Body)
	}
}

package gmail_test

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	gapi "google.golang.org/api/gmail/v1"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/option"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/connectors/gmail"
	"github.com/caseyos/caseyos/connectors/gmail/gmailtest"
	"github.com/caseyos/caseyos/connectors/google"
	"github.com/caseyos/caseyos/connectors/google/googletest"
	"github.com/caseyos/caseyos/connectors/internal/googlefake"
)

// testClient sends a fixed token, for tests not about OAuth.
var testClient = googlefake.BearerClient("test-token")

// The demo's people, as the CRM knows them.
var crm = backend.StaticDirectory{
	"dana@northwind.io":             {ContactID: "1001", CompanyID: "co-northwind", DealID: "9001"},
	"tom.ashby@ledgerly.com":        {ContactID: "1002", CompanyID: "co-ledgerly", DealID: "9002"},
	"maya.chen@brightpath.health":   {ContactID: "1003", CompanyID: "co-brightpath", DealID: "9003"},
	"mark.ellis@verdantschools.org": {ContactID: "1009", CompanyID: "co-verdant"},
	"oliver@cobaltcloud.io":         {ContactID: "1011", CompanyID: "co-cobalt", DealID: "9008"},
}

var t0 = time.Date(2026, 12, 1, 15, 0, 0, 0, time.UTC)

type env struct {
	fake  *gmailtest.Server
	c     *gmail.Client
	clock *backend.ManualClock
}

func newEnv(tb testing.TB, cfg gmail.Config, o gmailtest.Options) *env {
	tb.Helper()
	clock := backend.NewManualClock(t0)
	if o.Now == nil {
		o.Now = clock.Now
	}
	fake := gmailtest.NewTestServer(tb, o)
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = testClient
	}
	cfg.BaseURL = fake.URL + "/"
	if cfg.Clock == nil {
		cfg.Clock = clock
	}
	if cfg.Directory == nil {
		cfg.Directory = crm
	}
	if cfg.Backoff == (backend.Backoff{}) {
		cfg.Backoff = backend.Backoff{Min: time.Millisecond, Max: 4 * time.Millisecond}
	}
	c, err := gmail.New(context.Background(), cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return &env{fake: fake, c: c, clock: clock}
}

func (e *env) poll(tb testing.TB, cur string) ([]*backend.Signal, string) {
	tb.Helper()
	sigs, next, err := e.c.Poll(context.Background(), cur)
	if err != nil {
		tb.Fatalf("Poll(%q) error = %v", cur, err)
	}
	for _, s := range sigs {
		s.Normalize()
		if err := s.Validate(); err != nil {
			tb.Errorf("Poll(%q) signal %s %s is invalid: %v", cur, s.Type, s.DedupeKey, err)
		}
	}
	return sigs, next
}

func byType(sigs []*backend.Signal, t backend.SignalType) []*backend.Signal {
	var out []*backend.Signal
	for _, s := range sigs {
		if s.Type == t {
			out = append(out, s)
		}
	}
	return out
}

func keys(sigs []*backend.Signal) map[string]int {
	m := map[string]int{}
	for _, s := range sigs {
		m[s.DedupeKey]++
	}
	return m
}

const owner = "casey@pebblecache.dev"

func TestClient_Poll(t *testing.T) {
	t.Run("DemoWeek", func(t *testing.T) {
		e := newEnv(t, gmail.Config{}, gmailtest.Options{})
		e.fake.DemoSeed(t0)
		sigs, next := e.poll(t, "")
		if next == "" {
			t.Fatal("Poll(\"\") returned no cursor")
		}
		got := map[backend.SignalType]int{}
		for _, s := range sigs {
			got[s.Type]++
		}
		// Within 14 days: Dana's first mail (received), her two replies, the
		// Verdant bounce and Oliver's auto-reply. Not the newsletter, not
		// Alex (internal, unknown), not our own mail; Tom and Maya replied
		// more than 14 days ago.
		want := map[backend.SignalType]int{backend.SignalEmailReceived: 1, backend.SignalEmailReplied: 2,
			backend.SignalEmailBounced: 1, backend.SignalEmailOutOfOffice: 1}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("first sync %s = %d, want %d (all: %v)", k, got[k], v, got)
			}
		}
		if len(sigs) != 5 {
			t.Errorf("first sync = %d signals, want 5", len(sigs))
		}
		for _, s := range byType(sigs, backend.SignalEmailReplied) {
			if s.ContactID != "1001" || s.DealID != "9001" || s.ThreadID != "thr-northwind-eval" {
				t.Errorf("replied = contact %q deal %q thread %q, want 1001, 9001, thr-northwind-eval", s.ContactID, s.DealID, s.ThreadID)
			}
		}
		last := byType(sigs, backend.SignalEmailReplied)[1]
		if last.Email.MessageID != "<CAN0rth-3@northwind.io>" || !last.OccurredAt.Equal(t0.Add(-3*time.Hour)) {
			t.Errorf("last reply = %q at %v, want <CAN0rth-3@northwind.io> at now-3h", last.Email.MessageID, last.OccurredAt)
		}
		if !strings.Contains(last.Email.Snippet, "40 engineers") {
			t.Errorf("snippet = %q", last.Email.Snippet)
		}
		b := byType(sigs, backend.SignalEmailBounced)[0]
		if b.ContactID != "1009" || !strings.HasPrefix(b.Payload["reason"], "550 5.1.1") {
			t.Errorf("bounce = contact %q reason %q, want 1009 and the 550", b.ContactID, b.Payload["reason"])
		}
		o := byType(sigs, backend.SignalEmailOutOfOffice)[0]
		if o.ContactID != "1011" || o.Payload["returns_at"] == "" {
			t.Errorf("OOO = contact %q returns_at %q, want 1011 and a date", o.ContactID, o.Payload["returns_at"])
		}
		if back, err := time.Parse(time.RFC3339, o.Payload["returns_at"]); err != nil || back.YearDay() != t0.Add(4*24*time.Hour).YearDay() {
			t.Errorf("returns_at = %q, want now+4d", o.Payload["returns_at"])
		}
		if again, _ := e.poll(t, next); len(again) != 0 {
			t.Errorf("Poll(next) with no new mail = %d signals, want 0", len(again))
		}
		if q := e.c.Quota(); q.Units != int64(e.fake.UnitsUsed()) {
			t.Errorf("Quota().Units = %d, fake counted %d", q.Units, e.fake.UnitsUsed())
		}
	})

	t.Run("ReplyInThreadWeStarted", func(t *testing.T) {
		e := newEnv(t, gmail.Config{}, gmailtest.Options{})
		// We wrote to Dana from the Gmail UI: not a CaseyOS Message-ID.
		_, thread := e.fake.Deliver(gmailtest.Message{From: "Casey Morgan <" + owner + ">", To: []string{"dana@northwind.io"},
			Subject: "Intro", MessageID: "<CAF-ui-1@mail.gmail.com>", Labels: []string{"SENT"}, Date: t0.Add(-time.Hour)})
		// Mail from someone else in a thread we never wrote in.
		_, other := e.fake.Deliver(gmailtest.Message{From: "news@vendor.example", To: []string{owner}, Subject: "Update", MessageID: "<n1@vendor.example>", Date: t0.Add(-time.Hour)})
		_, cur := e.poll(t, "")
		e.clock.Advance(time.Hour)
		e.fake.Deliver(gmailtest.Message{From: "Dana Whitfield <dana@northwind.io>", To: []string{owner}, Subject: "Re: Intro",
			InReplyTo: "<CAF-ui-1@mail.gmail.com>", References: []string{"<CAF-ui-1@mail.gmail.com>"}, Body: "Sounds good, Thursday works."})
		e.fake.Deliver(gmailtest.Message{From: "someone@vendor.example", To: []string{owner}, Subject: "Re: Update",
			InReplyTo: "<n1@vendor.example>", References: []string{"<n1@vendor.example>"}})
		e.c.ResetQuota()
		sigs, next := e.poll(t, cur)
		if len(sigs) != 1 || sigs[0].Type != backend.SignalEmailReplied {
			t.Fatalf("Poll after the reply = %v, want exactly one email.replied", types(sigs))
		}
		s := sigs[0]
		if s.ContactID != "1001" || s.DealID != "9001" || s.ThreadID != thread || s.Email.From != "dana@northwind.io" || s.Email.FromName != "Dana Whitfield" {
			t.Errorf("replied = %+v / %+v, want Dana (1001, deal 9001) in thread %s", s, s.Email, thread)
		}
		if !strings.HasPrefix(s.DedupeKey, "gmail:") {
			t.Errorf("DedupeKey = %q, want gmail:<message id>", s.DedupeKey)
		}
		// Our thread is known from the first sync (it saw our sent mail);
		// the vendor's thread is read once to learn we never wrote in it.
		if n := e.c.Quota().Calls["users.threads.get"]; n != 1 {
			t.Errorf("threads.get calls = %d, want 1", n)
		}
		_ = other
		// The same history replayed gives the same key; the new cursor gives nothing.
		replay, _ := e.poll(t, cur)
		if len(replay) != 1 || replay[0].DedupeKey != s.DedupeKey {
			t.Errorf("replayed history = %v, want the same one signal", keys(replay))
		}
		if again, _ := e.poll(t, next); len(again) != 0 {
			t.Errorf("Poll(next) = %d signals, want 0", len(again))
		}
	})

	t.Run("ReplyToCaseyOSMessageSkipsThreadRead", func(t *testing.T) {
		e := newEnv(t, gmail.Config{}, gmailtest.Options{})
		_, cur := e.poll(t, "")
		sent, err := e.c.Send(context.Background(), backend.OutgoingEmail{To: []string{"dana@northwind.io"}, Subject: "Pricing", Body: "Attached.", MessageID: "<caseyos.p1@pebblecache.dev>"})
		if err != nil {
			t.Fatal(err)
		}
		_, cur = e.poll(t, cur) // our sent mail: no signal
		e.fake.Deliver(gmailtest.Message{From: "dana@northwind.io", To: []string{owner}, Subject: "Re: Pricing",
			InReplyTo: "<caseyos.p1@pebblecache.dev>", References: []string{"<caseyos.p1@pebblecache.dev>"}})
		e.c.ResetQuota()
		sigs, _ := e.poll(t, cur)
		if len(sigs) != 1 || sigs[0].Type != backend.SignalEmailReplied || sigs[0].ThreadID != sent.ThreadID {
			t.Fatalf("Poll = %v, want one email.replied in %s", types(sigs), sent.ThreadID)
		}
		// The headers that tie the reply to our mail travel on the signal.
		if em := sigs[0].Email; em.InReplyTo != "<caseyos.p1@pebblecache.dev>" || len(em.References) != 1 || em.References[0] != "<caseyos.p1@pebblecache.dev>" {
			t.Errorf("reply In-Reply-To = %q, References = %q; want our Message-ID in both", em.InReplyTo, em.References)
		}
		if n := e.c.Quota().Calls["users.threads.get"]; n != 0 {
			t.Errorf("threads.get calls = %d, want 0: the reply names our Message-ID", n)
		}
	})

	t.Run("StaleHistoryResyncs", func(t *testing.T) {
		e := newEnv(t, gmail.Config{}, gmailtest.Options{})
		e.fake.DemoSeed(t0)
		e.fake.Deliver(gmailtest.Message{From: "maya.chen@brightpath.health", To: []string{owner}, Subject: "Security sign-off", Date: t0.Add(-10 * time.Minute)})
		first, cur := e.poll(t, "")
		e.clock.Advance(2 * time.Hour)
		for i := 0; i < 3; i++ {
			e.fake.Deliver(gmailtest.Message{From: "dana@northwind.io", To: []string{owner}, Subject: "Contract question " + string(rune('A'+i))})
		}
		e.fake.ExpireHistory()
		sigs, next := e.poll(t, cur)
		saw404 := false
		for _, r := range e.fake.Requests() {
			if r.Method == "users.history.list" && r.Status == http.StatusNotFound {
				saw404 = true
			}
		}
		if !saw404 {
			t.Fatal("the fake never answered 404 for the stale history id")
		}
		k := keys(sigs)
		for key, n := range k {
			if n > 1 {
				t.Errorf("resync returned %s %d times", key, n)
			}
		}
		if got := len(byType(sigs, backend.SignalEmailReceived)); got != 4 {
			t.Errorf("resync email.received = %d, want 4", got)
		}
		// Bounded: only mail since an hour before the last sync was listed.
		// Maya's mail was seen before and comes again with the same key, so
		// the sync engine stores nothing twice.
		firstKeys := keys(first)
		overlap := 0
		for _, s := range sigs {
			if s.ContactID == "1003" {
				overlap++
				if firstKeys[s.DedupeKey] != 1 {
					t.Errorf("resync gave old mail a new key %s", s.DedupeKey)
				}
			}
		}
		if len(sigs) != 4 || overlap != 1 {
			t.Errorf("resync = %v, want the 3 new messages and Maya's: only mail since an hour before the last sync", types(sigs))
		}
		if again, _ := e.poll(t, next); len(again) != 0 {
			t.Errorf("Poll after the resync = %d signals, want 0", len(again))
		}
	})

	t.Run("MaxPerPoll", func(t *testing.T) {
		e := newEnv(t, gmail.Config{MaxPerPoll: 4}, gmailtest.Options{})
		_, cur := e.poll(t, "")
		for i := 0; i < 10; i++ {
			e.fake.Deliver(gmailtest.Message{From: "dana@northwind.io", To: []string{owner}, Subject: "Note"})
		}
		all := map[string]int{}
		for i := 0; i < 5; i++ {
			sigs, next := e.poll(t, cur)
			for k := range keys(sigs) {
				all[k]++
			}
			cur = next
			if !e.c.More() {
				break
			}
		}
		if len(all) != 10 {
			t.Errorf("paged polls saw %d messages, want 10", len(all))
		}
		for k, n := range all {
			if n != 1 {
				t.Errorf("%s seen %d times", k, n)
			}
		}
	})
}

func types(sigs []*backend.Signal) []string {
	var out []string
	for _, s := range sigs {
		out = append(out, string(s.Type)+" "+s.DedupeKey)
	}
	return out
}

func TestClient_Poll_BounceAndOutOfOffice(t *testing.T) {
	e := newEnv(t, gmail.Config{}, gmailtest.Options{})
	_, cur := e.poll(t, "")
	// A bounce with no X-Failed-Recipients: the address is in the report.
	e.fake.Deliver(gmailtest.Message{From: "MAILER-DAEMON@mx.verdantschools.org", To: []string{owner}, Subject: "Undelivered Mail Returned to Sender",
		Body: "This is the mail system at host mx.verdantschools.org.\n\nReporting-MTA: dns; mx.verdantschools.org\nFinal-Recipient: rfc822; mark.ellis@verdantschools.org\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 <mark.ellis@verdantschools.org>: Recipient address rejected: User unknown"})
	// An auto-reply recognized by its subject only.
	e.fake.Deliver(gmailtest.Message{From: "Tom Ashby <tom.ashby@ledgerly.com>", To: []string{owner}, Subject: "Out of Office: Security review",
		Body: "I am out of the office until 2026-12-08 with no access to email."})
	// An auto-reply recognized by its header; sender unknown to the CRM.
	e.fake.Deliver(gmailtest.Message{From: "Lee <lee@unknown.example>", To: []string{owner}, Subject: "Re: hello",
		Headers: map[string]string{"Auto-Submitted": "auto-replied"}, Body: "Thanks for your email. I'm on leave."})
	// Someone asking to be left alone, and a newsletter whose footer says
	// "unsubscribe" (bulk: no signal at all).
	e.fake.Deliver(gmailtest.Message{From: "Liam O'Connor <liam.o@bluequill.io>", To: []string{owner}, Subject: "Re: Thanks for joining",
		Body: "Please take me off your list, not a fit right now.\n\nLiam"})
	e.fake.Deliver(gmailtest.Message{From: "news@vendor.example", To: []string{owner}, Subject: "Our news",
		Headers: map[string]string{"List-Unsubscribe": "<mailto:u@vendor.example>"}, Body: "News. Unsubscribe me here."})
	// Auto-Submitted: no is a person writing.
	e.fake.Deliver(gmailtest.Message{From: "maya.chen@brightpath.health", To: []string{owner}, Subject: "Security review done",
		Headers: map[string]string{"Auto-Submitted": "no"}})
	sigs, _ := e.poll(t, cur)
	b := byType(sigs, backend.SignalEmailBounced)
	if len(b) != 1 || b[0].ContactID != "1009" || b[0].Payload["bounced_address"] != "mark.ellis@verdantschools.org" || !strings.Contains(b[0].Payload["reason"], "550 5.1.1") {
		t.Errorf("bounced = %v, want one for 1009 with the 550", b)
	}
	o := byType(sigs, backend.SignalEmailOutOfOffice)
	if len(o) != 2 {
		t.Fatalf("out_of_office = %d, want 2 (%v)", len(o), types(sigs))
	}
	if o[0].ContactID != "1002" || !strings.HasPrefix(o[0].Payload["returns_at"], "2026-12-08") {
		t.Errorf("OOO (subject) = contact %q returns %q, want 1002 back 2026-12-08", o[0].ContactID, o[0].Payload["returns_at"])
	}
	if o[1].Contact == nil || o[1].Contact.Email != "lee@unknown.example" {
		t.Errorf("OOO (header) from an unknown sender = %+v, want a contact snapshot", o[1].Contact)
	}
	if u := byType(sigs, backend.SignalEmailUnsubscribed); len(u) != 1 || u[0].Email.From != "liam.o@bluequill.io" {
		t.Errorf("unsubscribed = %v, want Liam's only", u)
	}
	if r := byType(sigs, backend.SignalEmailReceived); len(r) != 1 || r[0].ContactID != "1003" {
		t.Errorf("received = %v, want Maya's mail", types(r))
	}
}

func TestClient_TokenExpiryMidSync(t *testing.T) {
	auth := googletest.NewTestServer(t, googletest.Options{})
	sec := &memSecrets{m: map[string]string{}}
	rt := auth.IssueRefreshToken(google.ScopeGmailModify)
	sec.Set(google.DefaultAccount, `{"access_token":"old","refresh_token":"`+rt+`","expiry":"2000-01-01T00:00:00Z"}`)
	cfg := google.Config{Credentials: google.Credentials{ClientID: auth.ClientID(), ClientSecret: auth.ClientSecret()},
		TokenURL: auth.TokenURL(), Secrets: sec}
	client, _ := google.NewClient(context.Background(), cfg)

	var calls atomic.Int32
	e := newEnv(t, gmail.Config{HTTPClient: client, Concurrency: 1}, gmailtest.Options{TokenValid: func(tok string) bool {
		if calls.Add(1) == 5 {
			auth.ExpireAccessTokens() // Google ends the token in the middle of the fetches
		}
		return auth.Valid(tok)
	}})
	_, cur := e.poll(t, "")
	before := stored(t, sec)
	for i := 0; i < 6; i++ {
		e.fake.Deliver(gmailtest.Message{From: "dana@northwind.io", To: []string{owner}, Subject: "Question"})
	}
	sigs, _ := e.poll(t, cur)
	if len(sigs) != 6 {
		t.Fatalf("Poll across a token expiry = %d signals, want 6", len(sigs))
	}
	n401 := 0
	for _, r := range e.fake.Requests() {
		if r.Status == http.StatusUnauthorized {
			n401++
		}
	}
	if n401 != 1 {
		t.Errorf("401 answers = %d, want 1 (then a refresh)", n401)
	}
	after := stored(t, sec)
	if after == before || !auth.Valid(tokenField(after)) {
		t.Errorf("the refreshed token was not persisted: %s", after)
	}
	refreshes := 0
	for _, r := range auth.Requests() {
		if r.GrantType == "refresh_token" {
			refreshes++
		}
	}
	if refreshes != 2 {
		t.Errorf("refreshes = %d, want 2 (the stored token had expired, then the 401)", refreshes)
	}

	t.Run("ErrRevoked", func(t *testing.T) {
		auth.RevokeAll()
		_, _, err := e.c.Poll(context.Background(), cur)
		if backend.ErrorCode(err) != backend.EUNAUTHORIZED {
			t.Fatalf("Poll after revocation code = %q (%v), want %q", backend.ErrorCode(err), err, backend.EUNAUTHORIZED)
		}
	})
}

type memSecrets struct {
	mu sync.Mutex
	m  map[string]string
}

func (s *memSecrets) Get(a string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[a]
	if !ok {
		return "", backend.Errorf(backend.ENOTFOUND, "none")
	}
	return v, nil
}
func (s *memSecrets) Set(a, v string) error { s.mu.Lock(); s.m[a] = v; s.mu.Unlock(); return nil }
func (s *memSecrets) Delete(a string) error { s.mu.Lock(); delete(s.m, a); s.mu.Unlock(); return nil }

func stored(tb testing.TB, s *memSecrets) string {
	v, err := s.Get(google.DefaultAccount)
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

func tokenField(js string) string {
	_, rest, _ := strings.Cut(js, `"access_token":"`)
	tok, _, _ := strings.Cut(rest, `"`)
	return tok
}

func TestClient_RateLimit(t *testing.T) {
	t.Run("RetriesThenSucceeds", func(t *testing.T) {
		lim := &recLimiter{}
		e := newEnv(t, gmail.Config{Limiter: lim}, gmailtest.Options{})
		_, cur := e.poll(t, "")
		e.fake.Deliver(gmailtest.Message{From: "dana@northwind.io", To: []string{owner}, Subject: "Hi"})
		e.fake.Inject(gmailtest.Fault{Method: "users.history.list", Status: 429, Reason: "rateLimitExceeded"})
		e.fake.Inject(gmailtest.Fault{Method: "users.messages.get", Status: 403, Reason: "userRateLimitExceeded"})
		sigs, _ := e.poll(t, cur)
		if len(sigs) != 1 {
			t.Fatalf("Poll after two rate limits = %d signals, want 1", len(sigs))
		}
		if q := e.c.Quota(); q.Retries != 2 {
			t.Errorf("retries = %d, want 2", q.Retries)
		}
		if lim.observed.Load() != 2 || lim.waits.Load() == 0 {
			t.Errorf("limiter observed %d, waited %d; want 2 observations and a wait per request", lim.observed.Load(), lim.waits.Load())
		}
	})
	t.Run("ErrUnavailableWithRetryAfter", func(t *testing.T) {
		e := newEnv(t, gmail.Config{Retries: 2}, gmailtest.Options{})
		_, cur := e.poll(t, "")
		e.fake.Inject(gmailtest.Fault{Status: 429, Reason: "rateLimitExceeded", Times: 10})
		_, _, err := e.c.Poll(context.Background(), cur)
		if backend.ErrorCode(err) != backend.EUNAVAILABLE {
			t.Fatalf("Poll under 429s code = %q (%v), want unavailable", backend.ErrorCode(err), err)
		}
		// No Retry-After: the limit says so, and the sync pass backs off.
		var rl *backend.RateLimited
		if !errors.As(err, &rl) || rl.Daily || rl.Wait != 0 || rl.Limit != "rate limit" {
			t.Errorf("Poll under 429s = %v, want a backend.RateLimited (rate limit, no wait given)", err)
		}
		var ge *googleapi.Error
		if !errors.As(err, &ge) || ge.Code != 429 {
			t.Errorf("the cause is not the 429: %v", err)
		}
		if n := e.c.Quota().Calls["users.history.list"]; n != 3 {
			t.Errorf("history.list attempts = %d, want 3 (1 + 2 retries)", n)
		}
	})
	t.Run("ErrDailyLimitNotRetried", func(t *testing.T) {
		e := newEnv(t, gmail.Config{}, gmailtest.Options{})
		e.fake.Inject(gmailtest.Fault{Status: 403, Reason: "dailyLimitExceeded"})
		_, _, err := e.c.Poll(context.Background(), "")
		d, ok := backend.RetryAfter(err)
		if backend.ErrorCode(err) != backend.EUNAVAILABLE || !ok || d < time.Minute {
			t.Errorf("daily limit = %q wait %v, want unavailable until the quota resets", backend.ErrorCode(err), d)
		}
		if q := e.c.Quota(); q.Retries != 0 {
			t.Errorf("retries = %d, want 0", q.Retries)
		}
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		e := newEnv(t, gmail.Config{}, gmailtest.Options{})
		e.fake.Inject(gmailtest.Fault{Status: 403, Reason: "insufficientPermissions"})
		_, _, err := e.c.Poll(context.Background(), "")
		if backend.ErrorCode(err) != backend.EUNAUTHORIZED {
			t.Errorf("403 insufficientPermissions code = %q, want unauthorized", backend.ErrorCode(err))
		}
	})
	t.Run("SendNotRetriedOn5xx", func(t *testing.T) {
		e := newEnv(t, gmail.Config{}, gmailtest.Options{})
		e.fake.Inject(gmailtest.Fault{Method: "users.messages.send", Status: 500, Reason: "backendError"})
		_, err := e.c.Send(context.Background(), backend.OutgoingEmail{To: []string{"dana@northwind.io"}, Subject: "x", Body: "y"})
		if backend.ErrorCode(err) != backend.EUNAVAILABLE {
			t.Errorf("Send on 500 code = %q, want unavailable", backend.ErrorCode(err))
		}
		if n := e.c.Quota().Calls["users.messages.send"]; n != 1 {
			t.Errorf("send attempts = %d, want 1: a 500 may have sent", n)
		}
	})
}

type recLimiter struct{ waits, observed atomic.Int32 }

func (l *recLimiter) Wait(ctx context.Context) error         { l.waits.Add(1); return ctx.Err() }
func (l *recLimiter) Observe(remaining int, d time.Duration) { l.observed.Add(1) }

func TestClient_Send(t *testing.T) {
	ctx := context.Background()
	seedInbound := func(e *env) (id, thread string) {
		return e.fake.Deliver(gmailtest.Message{From: "Dana Whitfield <dana@northwind.io>", To: []string{owner},
			Subject: "Pricing and security questions", MessageID: "<CAN0rth-1@northwind.io>"})
	}
	t.Run("ThreadedReply", func(t *testing.T) {
		e := newEnv(t, gmail.Config{FromName: "Casey Morgan"}, gmailtest.Options{})
		_, thread := seedInbound(e)
		got, err := e.c.Send(ctx, backend.OutgoingEmail{To: []string{"dana@northwind.io"}, Subject: "Pricing and security questions",
			Body: "Hi Dana,\n\nPricing attached.", ThreadID: thread, InReplyTo: "<CAN0rth-1@northwind.io>", MessageID: "<caseyos.k1@pebblecache.dev>"})
		if err != nil {
			t.Fatal(err)
		}
		sent := e.fake.Sent()
		if len(sent) != 1 || !sent[0].Threaded || got.ThreadID != thread || sent[0].ThreadID != thread {
			t.Fatalf("sent = %+v (returned %+v), want one message kept in thread %s", sent, got, thread)
		}
		h := sent[0].Header
		if h.Get("In-Reply-To") != "<CAN0rth-1@northwind.io>" || !strings.Contains(h.Get("References"), "<CAN0rth-1@northwind.io>") ||
			h.Get("Subject") != "Re: Pricing and security questions" || h.Get("Message-Id") != "<caseyos.k1@pebblecache.dev>" ||
			h.Get("From") != `"Casey Morgan" <casey@pebblecache.dev>` {
			t.Errorf("headers = %v", h)
		}
		if !strings.Contains(sent[0].Body, "Pricing attached.") {
			t.Errorf("body = %q", sent[0].Body)
		}
	})
	t.Run("ThreadIDOnlyReadsTheThread", func(t *testing.T) {
		e := newEnv(t, gmail.Config{}, gmailtest.Options{})
		_, thread := seedInbound(e)
		if _, err := e.c.Send(ctx, backend.OutgoingEmail{To: []string{"dana@northwind.io"}, Body: "Following up.", ThreadID: thread}); err != nil {
			t.Fatal(err)
		}
		s := e.fake.Sent()[0]
		if !s.Threaded || s.Header.Get("In-Reply-To") != "<CAN0rth-1@northwind.io>" || s.Header.Get("Subject") != "Re: Pricing and security questions" {
			t.Errorf("sent = threaded %v, In-Reply-To %q, Subject %q", s.Threaded, s.Header.Get("In-Reply-To"), s.Header.Get("Subject"))
		}
		if !strings.HasPrefix(s.Header.Get("Message-Id"), "<caseyos.") {
			t.Errorf("Message-ID = %q, want one made by CaseyOS", s.Header.Get("Message-Id"))
		}
	})
	t.Run("FakeNeedsTheHeaders", func(t *testing.T) {
		// Gmail's rule, reproduced: a threadId alone does not keep a message
		// in the thread; neither do the headers with another subject.
		e := newEnv(t, gmail.Config{}, gmailtest.Options{})
		_, thread := seedInbound(e)
		svc, err := gapi.NewService(ctx, option.WithEndpoint(e.fake.URL+"/"), option.WithHTTPClient(testClient))
		if err != nil {
			t.Fatal(err)
		}
		for _, raw := range []string{
			"To: dana@northwind.io\r\nSubject: Re: Pricing and security questions\r\n\r\nno headers",
			"To: dana@northwind.io\r\nSubject: Something else\r\nIn-Reply-To: <CAN0rth-1@northwind.io>\r\nReferences: <CAN0rth-1@northwind.io>\r\n\r\nother subject",
		} {
			m, err := svc.Users.Messages.Send("me", &gapi.Message{Raw: base64.URLEncoding.EncodeToString([]byte(raw)), ThreadId: thread}).Do()
			if err != nil {
				t.Fatal(err)
			}
			if m.ThreadId == thread {
				t.Errorf("%q joined the thread; Gmail would start a new one", raw)
			}
		}
	})
	t.Run("FindSent", func(t *testing.T) {
		e := newEnv(t, gmail.Config{}, gmailtest.Options{})
		sent, err := e.c.Send(ctx, backend.OutgoingEmail{To: []string{"dana@northwind.io"}, Subject: "Hello", Body: "Hi", MessageID: "caseyos.find-me@pebblecache.dev"})
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range []string{"caseyos.find-me@pebblecache.dev", "<caseyos.find-me@pebblecache.dev>"} {
			got, ok, err := e.c.FindSent(ctx, id)
			if err != nil || !ok || got.ID != sent.ID || got.ThreadID != sent.ThreadID {
				t.Errorf("FindSent(%q) = %+v, %v, %v; want %+v", id, got, ok, err, sent)
			}
		}
		if _, ok, err := e.c.FindSent(ctx, "<never-sent@pebblecache.dev>"); ok || err != nil {
			t.Errorf("FindSent(unknown) = %v, %v; want false, nil", ok, err)
		}
		// A draft with the id is not a sent message.
		if _, err := e.c.CreateDraft(ctx, backend.OutgoingEmail{To: []string{"dana@northwind.io"}, Subject: "D", MessageID: "<caseyos.draft@pebblecache.dev>"}); err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := e.c.FindSent(ctx, "caseyos.draft@pebblecache.dev"); ok {
			t.Error("FindSent found a draft")
		}
	})
	t.Run("Drafts", func(t *testing.T) {
		e := newEnv(t, gmail.Config{}, gmailtest.Options{})
		_, thread := seedInbound(e)
		d, err := e.c.CreateDraft(ctx, backend.OutgoingEmail{To: []string{"dana@northwind.io"}, Subject: "Pricing and security questions",
			Body: "Draft", ThreadID: thread})
		if err != nil {
			t.Fatal(err)
		}
		if d.DraftID == "" || d.ThreadID != thread {
			t.Errorf("CreateDraft = %+v, want a draft in thread %s", d, thread)
		}
		if got := e.fake.Drafts(); len(got) != 1 || got[0] != d.DraftID {
			t.Errorf("drafts = %v, want [%s]", got, d.DraftID)
		}
		if err := e.c.DeleteDraft(ctx, d.DraftID); err != nil {
			t.Fatal(err)
		}
		if got := e.fake.Drafts(); len(got) != 0 {
			t.Errorf("drafts after delete = %v", got)
		}
		if err := e.c.DeleteDraft(ctx, d.DraftID); err != nil {
			t.Errorf("DeleteDraft(again) = %v, want nil: undo may be retried", err)
		}
		if q := e.c.Quota(); q.Calls["users.drafts.create"] != 1 || q.Calls["users.drafts.delete"] != 2 {
			t.Errorf("calls = %v", q.Calls)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		e := newEnv(t, gmail.Config{}, gmailtest.Options{})
		for _, m := range []backend.OutgoingEmail{{Subject: "no recipient"}, {To: []string{"not an address"}}} {
			if _, err := e.c.Send(ctx, m); backend.ErrorCode(err) != backend.EINVALID {
				t.Errorf("Send(%+v) code = %q, want invalid", m, backend.ErrorCode(err))
			}
		}
		if len(e.fake.Sent()) != 0 {
			t.Error("an invalid message was sent")
		}
	})
	t.Run("NoHeaderInjection", func(t *testing.T) {
		e := newEnv(t, gmail.Config{}, gmailtest.Options{})
		if _, err := e.c.Send(ctx, backend.OutgoingEmail{To: []string{"dana@northwind.io"}, Subject: "Hi\r\nBcc: evil@example.com", Body: "x"}); err != nil {
			t.Fatal(err)
		}
		if h := e.fake.Sent()[0].Header; h.Get("Bcc") != "" {
			t.Errorf("a subject added a Bcc header: %v", h)
		}
	})
}

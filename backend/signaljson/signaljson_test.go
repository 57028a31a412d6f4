package signaljson_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/backend/signaljson"
)

var base = time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)

// reply returns a valid email.replied line with fields replaced or added.
func reply(fields ...string) string {
	kv := map[string]string{"source": `"source":"gmail"`, "type": `"type":"email.replied"`, "occurred_at": `"occurred_at":"-1h"`,
		"dedupe_key": `"dedupe_key":"k"`, "email": `"email":{"thread_id":"t","from":"a@b.co","subject":"Hi"}`}
	order := []string{"source", "type", "occurred_at", "dedupe_key", "email"}
	for _, f := range fields {
		name := strings.Trim(strings.SplitN(f, ":", 2)[0], `"`)
		if _, ok := kv[name]; !ok {
			order = append(order, name)
		}
		kv[name] = f
	}
	parts := make([]string, len(order))
	for i, k := range order {
		parts[i] = kv[k]
	}
	return "{" + strings.Join(parts, ",") + "}"
}

func TestDecoder_Decode(t *testing.T) {
	tests := []struct {
		name string
		line string
		msg  string // substring of the error; "" = must decode
	}{
		{"reply", `{"source":"gmail","type":"email.replied","occurred_at":"2026-11-22T06:00:00Z","dedupe_key":"gmail:1","email":{"thread_id":"t1","from":"Maya@Acme.io","subject":"Hi"}}`, ""},
		{"relative time with a base", `{"source":"x","type":"social.mention","occurred_at":"-2d3h","dedupe_key":"x:1","post":{"id":"p","author":"@jane"}}`, ""},
		{"malformed JSON", `{"source":"gmail",`, "the JSON ends early"},
		{"not JSON at all", `hello`, "malformed JSON"},
		{"unknown field (typo)", `{"source":"gmail","type":"email.replied","ocurred_at":"2026-11-22T06:00:00Z","dedupe_key":"k"}`, `unknown field "ocurred_at"`},
		{"wrong type", `{"source":"gmail","type":"email.replied","occurred_at":"2026-11-22T06:00:00Z","dedupe_key":"k","company":{"id":"a","employees":"many"}}`, `field "company.employees" must be int`},
		{"bad time", `{"source":"gmail","type":"email.replied","occurred_at":"yesterday","dedupe_key":"k"}`, `occurred_at "yesterday" is not an RFC 3339 time`},
		{"two values", `{"source":"gmail"} {"x":1}`, "more than one JSON value"},
		{"valid JSON, invalid signal", `{"source":"gmail","type":"email.replied","occurred_at":"2026-11-22T06:00:00Z","dedupe_key":"k"}`, "needs an email"},
		{"year 9999", reply(`"occurred_at":"9999-12-31T23:59:59Z"`), `occurred_at 9999-12-31T23:59:59Z is out of range`},
		{"year 1 is out of range, not missing", reply(`"occurred_at":"0001-01-01T00:00:00Z"`), `occurred_at 0001-01-01T00:00:00Z is out of range`},
		{"before 1970", reply(`"occurred_at":"1969-07-20T20:17:00Z"`), `out of range`},
		{"relative time out of range", reply(`"occurred_at":"+99999999d"`), `occurred_at 2246-04-18T15:25:03Z is out of range`},
		{"close date out of range", `{"source":"hubspot","type":"deal.stage_changed","occurred_at":"2026-11-22T06:00:00Z","dedupe_key":"k","deal":{"id":"d","stage":"demo","close_date":"9999-01-01T00:00:00Z"}}`, "deal.close_date 9999-01-01T00:00:00Z is out of range"},
		{"NUL in the dedupe key", reply(`"occurred_at":"2026-11-22T06:00:00Z"`, `"dedupe_key":"k\u0000"`), "dedupe_key contains a control character"},
		{"NUL in the subject is cleaned", reply(`"occurred_at":"2026-11-22T06:00:00Z"`, `"email":{"thread_id":"t","from":"a@b.co","subject":"Hi\u0000\u001b[2J"}`), ""},
		{"invalid UTF-8", reply(`"occurred_at":"2026-11-22T06:00:00Z"`, "\"email\":{\"thread_id\":\"t\",\"from\":\"a@b.co\",\"subject\":\"Jos\xe9\"}"), "not valid UTF-8 (byte 151)"},
		{"a JSON array", `[{"source":"gmail"}]`, "must be a JSON object, not an array"},
		{"a JSON number", `42`, "must be a JSON object, not a number"},
		{"a JSON string", `"hello"`, "must be a JSON object, not a string"},
		{"null", `null`, "must be a JSON object, not null"},
		{"deeply nested payload", `{"payload":` + strings.Repeat(`{"a":`, 20000) + `1` + strings.Repeat(`}`, 20000) + `}`, "exceeded max depth"},
		{"nested payload value", reply(`"occurred_at":"2026-11-22T06:00:00Z"`, `"payload":{"a":{"b":1}}`), `must be string, not object`},
		{"contact fields of an import", reply(`"occurred_at":"2026-11-22T06:00:00Z"`, `"contact":{"id":"c1","phone":"+1 (415) 555-0100 ext. 12","owner":"Sam Lee","created_at":"-400d","source":"import","x_handle":"@maya"}`), ""},
		{"phone as a person typed it", reply(`"occurred_at":"2026-11-22T06:00:00Z"`, `"contact":{"id":"c1","phone":"office, ask for Sam"}`), ""},
		{"phone with a newline is cleaned", reply(`"occurred_at":"2026-11-22T06:00:00Z"`, `"contact":{"id":"c1","phone":"+1 415\nBcc: x\u001b[2J"}`), ""},
		{"owner must be a string", reply(`"occurred_at":"2026-11-22T06:00:00Z"`, `"contact":{"id":"c1","owner":{"id":7}}`), `field "contact.owner" must be string`},
		{"NUL in the source", reply(`"occurred_at":"2026-11-22T06:00:00Z"`, `"contact":{"id":"c1","source":"import\u0000"}`), "contact.source contains a control character"},
		{"unknown contact source", reply(`"occurred_at":"2026-11-22T06:00:00Z"`, `"contact":{"id":"c1","source":"salesforce"}`), `source "salesforce" is not "import"`},
		{"bad created_at", reply(`"occurred_at":"2026-11-22T06:00:00Z"`, `"contact":{"id":"c1","created_at":"last year"}`), `contact.created_at "last year" is not an RFC 3339 time`},
		{"created_at out of range", reply(`"occurred_at":"2026-11-22T06:00:00Z"`, `"contact":{"id":"c1","created_at":"9999-01-01T00:00:00Z"}`), "contact.created_at 9999-01-01T00:00:00Z is out of range"},
		{"bad X handle", reply(`"occurred_at":"2026-11-22T06:00:00Z"`, `"contact":{"id":"c1","x_handle":"not a handle!"}`), "is not an X handle"},
		{"byte order mark", "\ufeff" + reply(`"occurred_at":"2026-11-22T06:00:00Z"`), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := signaljson.Decoder{Base: base}.Decode([]byte(tt.line))
			if tt.msg == "" {
				if err != nil {
					t.Fatalf("Decode: %v", err)
				}
				return
			}
			if backend.ErrorCode(err) != backend.EINVALID || !strings.Contains(backend.ErrorMessage(err), tt.msg) {
				t.Errorf("Decode error = %v (signal %v), want %s containing %q", err, s, backend.EINVALID, tt.msg)
			}
		})
	}
}

// TestDecoder_ContactImportFields: what an import adds to a contact
// arrives as given, its free text cleaned: a phone or owner a person
// typed (HubSpot keeps both as free text) is one line, never refused, and
// never longer than backend.MaxPhone.
func TestDecoder_ContactImportFields(t *testing.T) {
	s, err := signaljson.Decoder{Base: base}.Decode([]byte(reply(`"contact":{"id":"c1","phone":" +1 (415)\n555-0100\u0007 ","owner":"Sam\tLee\u001b[2J","created_at":"-400d","source":"import"}`)))
	if err != nil {
		t.Fatal(err)
	}
	c := s.Contact
	if c.Phone != "+1 (415) 555-0100" || c.Owner != "Sam Lee[2J" || !c.CreatedAt.Equal(base.AddDate(0, 0, -400)) || !c.LocalOnly() {
		t.Errorf("contact = phone %q owner %q created %v source %q", c.Phone, c.Owner, c.CreatedAt, c.Source)
	}
	long, err := signaljson.Decoder{}.Decode([]byte(reply(`"occurred_at":"2026-11-22T06:00:00Z"`, `"contact":{"id":"c1","phone":"`+strings.Repeat("5", 500)+`"}`)))
	if err != nil || len(long.Contact.Phone) > backend.MaxPhone {
		t.Errorf("a 500-digit phone: %v, %d bytes kept; want at most %d", err, len(long.Contact.Phone), backend.MaxPhone)
	}
}

func TestDecoder_RelativeTimes(t *testing.T) {
	line := `{"source":"hubspot","type":"deal.stage_changed","occurred_at":"-6d2h","dedupe_key":"k","deal":{"id":"d","stage":"demo","last_activity_at":"-30m"},"payload":{"demo_at":"+20h"}}`
	s, err := signaljson.Decoder{Base: base}.Decode([]byte(line))
	if err != nil {
		t.Fatal(err)
	}
	if want := base.Add(-(6*24 + 2) * time.Hour); !s.OccurredAt.Equal(want) {
		t.Errorf("occurred_at = %v, want %v", s.OccurredAt, want)
	}
	if want := base.Add(-30 * time.Minute); !s.Deal.LastActivityAt.Equal(want) {
		t.Errorf("last_activity_at = %v, want %v", s.Deal.LastActivityAt, want)
	}
	if got := s.Payload["demo_at"]; got != "2026-11-23T05:00:00Z" {
		t.Errorf("payload demo_at = %q, want the absolute time", got)
	}
	if _, err := (signaljson.Decoder{}).Decode([]byte(line)); backend.ErrorCode(err) != backend.EINVALID {
		t.Errorf("relative time without a base: err = %v, want invalid", err)
	}
}

func TestEncode_RoundTrip(t *testing.T) {
	in := &backend.Signal{
		Source: backend.SourceHubSpot, Type: backend.SignalDealStageChanged, OccurredAt: base, DedupeKey: "hs:1",
		ContactID: "maya@acme.io", CompanyID: "acme", DealID: "d1", ThreadID: "t1",
		Contact: &backend.Contact{ID: "maya@acme.io", Email: "maya@acme.io", Name: "Maya", Title: "CEO", CompanyID: "acme", Lifecycle: "lead", Timezone: "America/New_York", LastActivityAt: base.Add(-time.Hour),
			XHandle: "maya_acme", Phone: "+1 (415) 555-0100", Owner: "sam@example.com", CreatedAt: base.AddDate(-2, 0, 0), Source: backend.ContactSourceImport},
		Company: &backend.Company{ID: "acme", Name: "Acme", Domain: "acme.io", Industry: "SaaS", Employees: 120, Country: "US", ExpectedARR: 40000, Tags: []string{"strategic"}, Source: backend.ContactSourceImport},
		Deal:    &backend.Deal{ID: "d1", Name: "Acme", Amount: 50000, Currency: "USD", Stage: "closedwon", Pipeline: "default", CloseDate: base, CompanyID: "acme", ContactIDs: []string{"maya@acme.io"}, LastActivityAt: base},
		Email: &backend.EmailMessage{ThreadID: "t1", MessageID: "<m1@acme.io>", From: "maya@acme.io", FromName: "Maya", To: []string{"me@example.com"},
			Subject: "Re: pricing", Snippet: "Can we", Body: "Can we talk Thursday?\n\nMaya", Quoted: "> On Mon you wrote:\n> hi", ReceivedAt: base},
		Payload: map[string]string{"previous_stage": "contractsent"},
	}
	line, err := signaljson.Encode(in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := signaljson.Decoder{}.Decode(line)
	if err != nil {
		t.Fatalf("Decode(Encode(s)): %v\n%s", err, line)
	}
	if !reflect.DeepEqual(in, out) {
		t.Errorf("round trip changed the signal:\n in  %+v\n out %+v", in, out)
	}
}

func TestParseOffset(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"-3h", -3 * time.Hour, true}, {"+20h", 20 * time.Hour, true}, {"-6d2h", -(6*24 + 2) * time.Hour, true},
		{"+90m", 90 * time.Minute, true}, {"3h", 0, false}, {"-3x", 0, false}, {"-h", 0, false}, {"-3", 0, false},
	} {
		got, err := signaljson.ParseOffset(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseOffset(%q) = %v, %v; want %v, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

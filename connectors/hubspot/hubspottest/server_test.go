package hubspottest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
)

func call(t *testing.T, s *Server, method, path, body string) (int, http.Header, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, s.URL()+path, bytes.NewBufferString(body))
	req.Header.Set("Authorization", "Bearer "+s.Token())
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, resp.Header, out
}

func contacts(n int, at time.Time) Seed {
	var seed Seed
	for i := 0; i < n; i++ {
		seed.Contacts = append(seed.Contacts, Contact{ID: fmt.Sprint(1 + i), Email: fmt.Sprintf("c%d@x.test", i), CreatedAt: at.Add(time.Duration(i) * time.Millisecond)})
	}
	return seed
}

func TestServer_ListPaging(t *testing.T) {
	s := NewTestServer(t, Options{TenSecondLimit: -1})
	s.Seed(contacts(250, time.Now()))
	after, pages, total := "", 0, 0
	for {
		path := "/crm/v3/objects/contacts?limit=500"
		if after != "" {
			path += "&after=" + after
		}
		st, _, body := call(t, s, "GET", path, "")
		if st != 200 {
			t.Fatalf("status %d", st)
		}
		pages++
		total += len(body["results"].([]any))
		p, ok := body["paging"].(map[string]any)
		if !ok {
			break
		}
		after = p["next"].(map[string]any)["after"].(string)
	}
	if pages != 3 || total != 250 {
		t.Fatalf("pages = %d total = %d, want 3 pages (limit capped at 100) and 250", pages, total)
	}
}

func TestServer_Limits(t *testing.T) {
	clock := backend.NewManualClock(time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC))
	s := NewTestServer(t, Options{Clock: clock, TenSecondLimit: 3, DailyLimit: 5})
	for i := 0; i < 3; i++ {
		st, h, _ := call(t, s, "GET", "/crm/v3/objects/contacts", "")
		if st != 200 || h.Get("X-HubSpot-RateLimit-Remaining") != fmt.Sprint(2-i) || h.Get("X-HubSpot-RateLimit-Interval-Milliseconds") != "10000" {
			t.Fatalf("request %d: %d remaining %s", i, st, h.Get("X-HubSpot-RateLimit-Remaining"))
		}
	}
	st, _, body := call(t, s, "GET", "/crm/v3/objects/contacts", "")
	if st != 429 || body["policyName"] != "TEN_SECONDLY_ROLLING" || body["errorType"] != "RATE_LIMIT" {
		t.Fatalf("4th in the window = %d %v, want 429 TEN_SECONDLY_ROLLING", st, body)
	}
	clock.Advance(10 * time.Second)
	call(t, s, "GET", "/crm/v3/objects/contacts", "")
	call(t, s, "GET", "/crm/v3/objects/contacts", "")
	st, _, body = call(t, s, "GET", "/crm/v3/objects/contacts", "")
	if st != 429 || body["policyName"] != "DAILY" {
		t.Fatalf("6th of the day = %d %v, want 429 DAILY", st, body)
	}
	clock.Advance(24 * time.Hour)
	if st, _, _ := call(t, s, "GET", "/crm/v3/objects/contacts", ""); st != 200 {
		t.Fatalf("next day = %d, want 200", st)
	}
}

func TestServer_SearchCapAndBatchCap(t *testing.T) {
	s := NewTestServer(t, Options{TenSecondLimit: -1})
	s.Seed(contacts(120, time.Now()))
	st, _, body := call(t, s, "POST", "/crm/v3/objects/contacts/search", `{"limit":100,"after":"9950"}`)
	if st != 400 {
		t.Fatalf("search past 10,000 = %d %v, want 400", st, body)
	}
	st, _, body = call(t, s, "POST", "/crm/v3/objects/contacts/search",
		`{"filterGroups":[{"filters":[{"propertyName":"email","operator":"EQ","value":"c7@x.test"}]}],"limit":10}`)
	if st != 200 || body["total"].(float64) != 1 {
		t.Fatalf("search EQ = %d %v", st, body)
	}
	var inputs []string
	for i := 0; i < 101; i++ {
		inputs = append(inputs, fmt.Sprintf(`{"id":"%d"}`, i+1))
	}
	if st, _, _ := call(t, s, "POST", "/crm/v3/objects/contacts/batch/read", `{"inputs":[`+strings.Join(inputs, ",")+`]}`); st != 400 {
		t.Fatalf("101 inputs = %d, want 400", st)
	}
	st, _, body = call(t, s, "POST", "/crm/v3/objects/contacts/batch/read", `{"inputs":[{"id":"1"},{"id":"nope"}]}`)
	if st != 207 || body["numErrors"].(float64) != 1 || len(body["results"].([]any)) != 1 {
		t.Fatalf("partial read = %d %v, want 207 with one error", st, body)
	}
}

func TestServer_TokenAging(t *testing.T) {
	clock := backend.NewManualClock(time.Now())
	s := NewTestServer(t, Options{Clock: clock, TenSecondLimit: -1})
	access, _, _ := s.IssueTokens()
	get := func() (int, map[string]any) {
		req, _ := http.NewRequest("GET", s.URL()+"/crm/v3/objects/deals", nil)
		req.Header.Set("Authorization", "Bearer "+access)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	if st, _ := get(); st != 200 {
		t.Fatalf("fresh token = %d", st)
	}
	clock.Advance(1800 * time.Second)
	if st, body := get(); st != 401 || body["category"] != "EXPIRED_AUTHENTICATION" {
		t.Fatalf("aged token = %d %v, want 401 EXPIRED_AUTHENTICATION", st, body)
	}
}

func TestServer_InjectRateLimit(t *testing.T) {
	s := NewTestServer(t, Options{})
	s.Seed(contacts(3, time.Now()))
	s.InjectRateLimit(RateLimitFault{Path: "/crm/v3/objects/contacts", After: 1, Times: 2, RetryAfter: "3"})
	var got []string
	for range 4 {
		st, h, body := call(t, s, "GET", "/crm/v3/objects/contacts", "")
		got = append(got, fmt.Sprintf("%d %q %q %v", st, h.Get("Retry-After"), h.Get("X-HubSpot-RateLimit-Remaining"), body["policyName"]))
	}
	want := []string{
		`200 "" "99" <nil>`,
		`429 "3" "" TEN_SECONDLY_ROLLING`, // no rate headers unless asked for
		`429 "3" "" TEN_SECONDLY_ROLLING`,
		`200 "" "98" <nil>`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("answers:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	s.InjectRateLimit(RateLimitFault{Policy: "DAILY", Headers: true, Body: "slow down"})
	req, _ := http.NewRequest("GET", s.URL()+"/crm/v3/objects/deals", nil)
	req.Header.Set("Authorization", "Bearer "+s.Token())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 429 || b.String() != "slow down" || resp.Header.Get("X-HubSpot-RateLimit-Daily-Remaining") != "0" {
		t.Errorf("daily fault: %d %q daily-remaining %q", resp.StatusCode, b.String(), resp.Header.Get("X-HubSpot-RateLimit-Daily-Remaining"))
	}
}

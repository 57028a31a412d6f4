package gmailtest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/connectors/gmail/gmailtest"
)

func get(tb testing.TB, s *gmailtest.Server, path, token string) (int, map[string]any, string) {
	tb.Helper()
	req, _ := http.NewRequest("GET", s.URL+"/gmail/v1/users/me/"+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m map[string]any
	json.Unmarshal(b, &m)
	return resp.StatusCode, m, string(b)
}

func TestServer_WireFormat(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	s := gmailtest.NewTestServer(t, gmailtest.Options{Now: func() time.Time { return now }})
	start := s.HistoryID()

	t.Run("EmptyOmitsLists", func(t *testing.T) {
		_, m, raw := get(t, s, "messages", "t")
		if _, ok := m["messages"]; ok {
			t.Errorf("empty list has messages: %s", raw)
		}
		_, m, raw = get(t, s, "history?startHistoryId="+itoa(start), "t")
		if _, ok := m["history"]; ok {
			t.Errorf("empty history has history: %s", raw)
		}
		if _, ok := m["historyId"].(string); !ok {
			t.Errorf("historyId is not a JSON string: %s", raw)
		}
	})
	for i := 0; i < 5; i++ {
		s.Deliver(gmailtest.Message{From: "a@b.example", To: []string{"casey@pebblecache.dev"}, Subject: "I'm here", Body: "It's me"})
	}
	t.Run("Strings", func(t *testing.T) {
		_, m, _ := get(t, s, "messages?maxResults=1", "t")
		id := m["messages"].([]any)[0].(map[string]any)["id"].(string)
		_, msg, raw := get(t, s, "messages/"+id, "t")
		for _, k := range []string{"historyId", "internalDate"} {
			if _, ok := msg[k].(string); !ok {
				t.Errorf("%s is not a JSON string: %s", k, raw)
			}
		}
		if msg["snippet"] != "It&#39;s me" {
			t.Errorf("snippet = %q, want Gmail's HTML escaping", msg["snippet"])
		}
	})
	t.Run("Paging", func(t *testing.T) {
		seen, token, pages := 0, "", 0
		for {
			q := "messages?maxResults=2"
			if token != "" {
				q += "&pageToken=" + token
			}
			_, m, _ := get(t, s, q, "t")
			seen += len(m["messages"].([]any))
			pages++
			tok, ok := m["nextPageToken"].(string)
			if !ok {
				break
			}
			token = tok
		}
		if seen != 5 || pages != 3 {
			t.Errorf("paged %d messages in %d pages, want 5 in 3 with no token on the last", seen, pages)
		}
	})
	t.Run("StaleHistory404", func(t *testing.T) {
		s.ExpireHistory()
		code, _, raw := get(t, s, "history?startHistoryId="+itoa(start), "t")
		if code != 404 || !strings.Contains(raw, `"reason":"notFound"`) {
			t.Errorf("stale start = %d %s, want 404 notFound", code, raw)
		}
		if code, _, _ := get(t, s, "history?startHistoryId="+itoa(s.HistoryID()), "t"); code != 200 {
			t.Errorf("current start = %d, want 200", code)
		}
	})
	t.Run("Errors", func(t *testing.T) {
		if code, _, raw := get(t, s, "profile", ""); code != 401 || !strings.Contains(raw, "UNAUTHENTICATED") {
			t.Errorf("no token = %d %s, want 401", code, raw)
		}
		s.Inject(gmailtest.Fault{Status: 429, Reason: "rateLimitExceeded"})
		if code, _, raw := get(t, s, "profile", "t"); code != 429 || !strings.Contains(raw, `"domain":"usageLimits"`) {
			t.Errorf("fault = %d %s, want 429 usageLimits", code, raw)
		}
		if code, _, _ := get(t, s, "profile", "t"); code != 200 {
			t.Errorf("after the fault = %d, want 200", code)
		}
	})
}

func itoa(n uint64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

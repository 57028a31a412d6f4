package googlefake_test

import (
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/caseyos/caseyos/connectors/internal/googlefake"
)

// TestCalls_Serve: the front door every Google API fake shares refuses a
// bad token as Google does, answers faults in turn (after letting some
// through, for so many requests) and records what it answered.
func TestCalls_Serve(t *testing.T) {
	var calls googlefake.Calls
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/{who}", func(w http.ResponseWriter, r *http.Request) {
		calls.Serve("things.get", w, r, func(tok string) bool { return tok == "good" },
			func(w http.ResponseWriter, r *http.Request) bool {
				if r.PathValue("who") != "me" {
					googlefake.WriteError(w, http.StatusForbidden, "forbidden", "not yours")
					return false
				}
				return true
			},
			func(w http.ResponseWriter, r *http.Request) { googlefake.WriteJSON(w, map[string]string{"ok": "yes"}) })
	})
	var l googlefake.Listener
	l.ServeTest(t, mux)
	url := l.URL
	get := func(client *http.Client, path string) (int, http.Header, string) {
		t.Helper()
		resp, err := client.Get(url + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header, string(b)
	}
	good, bad := googlefake.BearerClient("good"), googlefake.BearerClient("bad")

	if code, h, _ := get(http.DefaultClient, "/v1/me"); code != 401 || h.Get("WWW-Authenticate") == "" {
		t.Errorf("no token = %d %v, want 401 with WWW-Authenticate", code, h)
	}
	if code, _, _ := get(bad, "/v1/me"); code != 401 {
		t.Errorf("bad token = %d, want 401", code)
	}
	if code, _, _ := get(good, "/v1/someone"); code != 403 {
		t.Errorf("someone else's = %d, want 403 from the check", code)
	}
	calls.Inject(googlefake.Fault{Method: "things.get", Status: 403, Reason: "userRateLimitExceeded", After: 1, Times: 2, RetryAfter: "3"})
	calls.Inject(googlefake.Fault{Method: "other.get", Status: 500})
	calls.Inject(googlefake.Fault{Status: 429, Body: "<html>slow down</html>"})
	want := []int{200, 403, 403, 429, 200}
	for i, w := range want {
		code, h, body := get(good, "/v1/me")
		if code != w {
			t.Fatalf("request %d = %d %s, want %d", i, code, body, w)
		}
		switch code {
		case 403:
			var e struct {
				Error struct {
					Code   int
					Errors []struct{ Domain, Reason string }
				}
			}
			if err := json.Unmarshal([]byte(body), &e); err != nil || e.Error.Code != 403 || len(e.Error.Errors) != 1 ||
				e.Error.Errors[0].Reason != "userRateLimitExceeded" || e.Error.Errors[0].Domain != "usageLimits" || h.Get("Retry-After") != "3" {
				t.Errorf("fault answer = %s (Retry-After %q), want Google's usageLimits JSON and Retry-After 3", body, h.Get("Retry-After"))
			}
		case 429:
			if body != "<html>slow down</html>" || h.Get("Content-Type") == "application/json; charset=UTF-8" {
				t.Errorf("non-JSON fault = %q %q", body, h.Get("Content-Type"))
			}
		}
	}
	reqs := calls.Requests()
	if len(reqs) != 3+len(want) {
		t.Fatalf("recorded %d requests, want %d", len(reqs), 3+len(want))
	}
	for i, w := range append([]int{401, 401, 403}, want...) {
		if reqs[i].Status != w || reqs[i].Method != "things.get" || reqs[i].Path != "/v1/"+map[bool]string{true: "someone", false: "me"}[i == 2] {
			t.Errorf("request %d recorded as %+v, want things.get answered %d", i, reqs[i], w)
		}
	}
	calls.Reset()
	if n := len(calls.Requests()); n != 0 {
		t.Errorf("after Reset, %d requests", n)
	}
}

// TestListener: a fake started on an address answers there until Close.
func TestListener(t *testing.T) {
	var l googlefake.Listener
	if err := l.Close(); err != nil {
		t.Fatalf("Close before Listen = %v, want nil", err)
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { googlefake.WriteJSON(w, "hi") })
	if err := l.Listen("127.0.0.1:0", h); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(l.URL)
	if err != nil {
		t.Fatalf("GET %s = %v", l.URL, err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("GET %s = %d, want 200", l.URL, resp.StatusCode)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	if resp, err := c.Get(l.URL); err == nil {
		resp.Body.Close()
		t.Errorf("GET after Close = %d, want a refused connection", resp.StatusCode)
	}
}

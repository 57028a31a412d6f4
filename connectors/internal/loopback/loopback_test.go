package loopback_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/connectors/internal/loopback"
)

func TestServer(t *testing.T) {
	s, err := loopback.Listen("/callback", func(q url.Values) loopback.Reply {
		if q.Get("code") == "" {
			return loopback.Reply{Status: http.StatusBadRequest, Page: "no <code>"}
		}
		return loopback.Reply{Page: "done", End: true}
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if !strings.HasPrefix(s.URL, "http://127.0.0.1:") || !strings.HasSuffix(s.URL, "/callback") {
		t.Fatalf("URL = %q", s.URL)
	}
	get := func(q string) (int, string) {
		resp, err := http.Get(s.URL + q)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	// A stray request gets its page (escaped) and does not end the wait.
	if st, page := get(""); st != http.StatusBadRequest || !strings.Contains(page, "no &lt;code&gt;") {
		t.Errorf("stray request = %d %q", st, page)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	if _, err := s.Wait(ctx); err == nil {
		t.Fatal("Wait ended on a stray request")
	}
	cancel()
	get("?code=1")
	get("?code=2") // a reload changes nothing
	q, err := s.Wait(context.Background())
	if err != nil || q.Get("code") != "1" {
		t.Fatalf("Wait = %v, %v; want the first callback", q, err)
	}
}

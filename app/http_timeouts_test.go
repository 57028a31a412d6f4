package app

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// listenTestAPI serves a with short timeouts and returns its host:port and
// token.
func listenTestAPI(tb testing.TB, a *App, to httpTimeouts) (host, token string) {
	tb.Helper()
	a.httpTimeouts = to
	url, token, stop, err := a.listenAPI(context.Background(), "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(stop)
	return strings.TrimSuffix(strings.TrimPrefix(url, "http://"), "/"), token
}

// closedWithin reports whether the server closes conn within d, reading
// (and discarding) whatever it answers first.
func closedWithin(conn net.Conn, d time.Duration) bool {
	_ = conn.SetReadDeadline(time.Now().Add(d))
	_, err := io.Copy(io.Discard, conn)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		return false
	}
	return true
}

func TestAPIServer_Timeouts(t *testing.T) {
	t.Run("Defaults", func(t *testing.T) {
		to := newWebhookApp(t).httpTimeouts
		if to.header <= 0 || to.read <= 0 || to.idle <= 0 || to.header > 10*time.Second || to.read > time.Minute {
			t.Errorf("default timeouts = %+v, want header, read and idle timeouts set", to)
		}
	})
	a := newWebhookApp(t)
	host, token := listenTestAPI(t, a, httpTimeouts{header: 300 * time.Millisecond, read: time.Second, idle: time.Second})

	t.Run("SlowHeaders", func(t *testing.T) {
		conn, err := net.Dial("tcp", host)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		fmt.Fprintf(conn, "POST /api/SignalsService.Workspace HTTP/1.1\r\nHost: %s\r\n", host)
		stop := make(chan struct{})
		defer close(stop)
		go func() { // one header line every 100 ms, never the end
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				case <-time.After(100 * time.Millisecond):
					if _, err := fmt.Fprintf(conn, "X-Slow-%d: x\r\n", i); err != nil {
						return
					}
				}
			}
		}()
		if !closedWithin(conn, 3*time.Second) {
			t.Error("a request whose headers trickle in for 3 s is still open, want it cut by the header timeout")
		}
	})
	t.Run("SlowBody", func(t *testing.T) {
		conn, err := net.Dial("tcp", host)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		fmt.Fprintf(conn, "POST /api/TodayService.Skip HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n[1, \"", host, token)
		stop := make(chan struct{})
		defer close(stop)
		go func() { // one byte every 100 ms
			for {
				select {
				case <-stop:
					return
				case <-time.After(100 * time.Millisecond):
					if _, err := conn.Write([]byte("x")); err != nil {
						return
					}
				}
			}
		}()
		if !closedWithin(conn, 4*time.Second) {
			t.Error("a body trickling in for 4 s is still being read, want it cut by the read timeout")
		}
	})
	t.Run("Idle", func(t *testing.T) {
		conn, err := net.Dial("tcp", host)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		fmt.Fprintf(conn, "POST /api/SignalsService.Workspace HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nContent-Length: 0\r\n\r\n", host, token)
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("Workspace = %d", resp.StatusCode)
		}
		if !closedWithin(conn, 4*time.Second) {
			t.Error("an idle keep-alive connection is still open after 4 s, want it closed by the idle timeout")
		}
	})
	t.Run("EventsOutliveReadTimeout", func(t *testing.T) {
		resp, err := http.Get("http://" + host + "/api/events?token=" + token)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		time.Sleep(2500 * time.Millisecond) // past the read timeout
		a.events.Publish("queue:changed", map[string]string{"reason": "late"})
		got := make(chan string, 1)
		go func() {
			sc := bufio.NewScanner(resp.Body)
			for sc.Scan() {
				if strings.Contains(sc.Text(), "late") {
					got <- sc.Text()
					return
				}
			}
			got <- "stream ended: " + fmt.Sprint(sc.Err())
		}()
		select {
		case line := <-got:
			if !strings.Contains(line, "late") {
				t.Errorf("event stream after the read timeout: %s, want the event", line)
			}
		case <-time.After(3 * time.Second):
			t.Error("no event on a stream older than the read timeout")
		}
	})
	t.Run("IngestStreamOutlivesReadTimeout", func(t *testing.T) {
		// A slow but steady import is not cut: each read extends the deadline.
		pr, pw := io.Pipe()
		go func() {
			for i := 0; i < 8; i++ {
				time.Sleep(300 * time.Millisecond)
				fmt.Fprintf(pw, `{"source":"system","type":"contact.created","occurred_at":"2026-01-02T03:04:05Z","dedupe_key":"slow:%d","contact":{"id":"s%d@x.io","email":"s%d@x.io"}}`+"\n", i, i, i)
			}
			pw.Close()
		}()
		req, _ := http.NewRequest(http.MethodPost, "http://"+host+"/api/SignalsService.Ingest", pr)
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/x-ndjson")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), `"stored":8`) {
			t.Errorf("a 2.4 s import = %d %s, want 200 with 8 stored", resp.StatusCode, b)
		}
	})
}

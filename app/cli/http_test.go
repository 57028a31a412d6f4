package cli_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/caseyos/caseyos/app"
	"github.com/caseyos/caseyos/app/cli"
	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/store"
)

// syncBuffer is a bytes.Buffer safe to read while another goroutine writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// served is a running `caseyos serve` in this process.
type served struct {
	dir, url, token, base string
	clock                 backend.Clock
}

func startServe(tb testing.TB) *served {
	tb.Helper()
	return startServeWith(tb, tb.TempDir(), nil)
}

// startServeWith serves dir, with env changed by with (when not nil).
func startServeWith(tb testing.TB, dir string, with func(*cli.Env)) *served {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	clock := backend.SystemClock{}
	assets := fstest.MapFS{"index.html": {Data: []byte("<!doctype html><title>CaseyOS</title>")}, "app.js": {Data: []byte("console.log(1)")}}
	done := make(chan int)
	env := cli.Env{
		Stdin: strings.NewReader(""), Stdout: out, Stderr: out, Clock: clock, Assets: assets,
		Open: func(p string) (backend.Store, error) {
			return store.Open(p, store.Options{Timeout: 200 * time.Millisecond})
		},
	}
	if with != nil {
		with(&env)
	}
	go func() {
		done <- cli.Main(ctx, []string{"serve", "--data-dir", dir}, env)
	}()
	tb.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			tb.Error("serve did not stop")
		}
		if _, err := os.Stat(filepath.Join(dir, "instance.json")); !os.IsNotExist(err) {
			tb.Errorf("instance.json left behind: %v", err)
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if i := strings.Index(out.String(), "http://"); i >= 0 {
			line := out.String()[i:]
			line = line[:strings.IndexAny(line, "\n ")]
			base, token, _ := strings.Cut(line, "?token=")
			return &served{dir: dir, url: line, token: token, base: base, clock: clock}
		}
		time.Sleep(20 * time.Millisecond)
	}
	tb.Fatalf("serve printed no URL: %q", out.String())
	return nil
}

func (s *served) post(tb testing.TB, method string, args any, header map[string]string) (int, []byte) {
	tb.Helper()
	body, _ := json.Marshal(args)
	req, _ := http.NewRequest(http.MethodPost, s.base+"api/"+method, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+s.token)
	for k, v := range header {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func TestServe_API(t *testing.T) {
	s := startServe(t)

	t.Run("OK", func(t *testing.T) {
		code, body := s.post(t, "TodayService.Today", []any{"", 5}, nil)
		var today app.TodayDTO
		if code != 200 || json.Unmarshal(body, &today) != nil || len(today.Moves) != 5 || !today.Workspace.Demo {
			t.Fatalf("Today = %d %s", code, body)
		}
		for i := 1; i < len(today.Moves); i++ {
			if today.Moves[i].APS > today.Moves[i-1].APS {
				t.Errorf("moves out of APS order at %d", i)
			}
		}
		code, body = s.post(t, "ExecutionService.PreviewExecution", []any{today.Moves[0].ID}, nil)
		var p app.ExecutionPreviewDTO
		if code != 200 || json.Unmarshal(body, &p) != nil || len(p.DraftEffects) == 0 || p.Summary == "" {
			t.Errorf("PreviewExecution = %d %s", code, body)
		}
		code, body = s.post(t, "SignalsService.Stats", nil, nil)
		var st app.StatsDTO
		if code != 200 || json.Unmarshal(body, &st) != nil || st.Pending != today.Pending {
			t.Errorf("Stats = %d %s; want pending %d", code, body, today.Pending)
		}
		code, body = s.post(t, "SignalsService.Signals", []any{10, 0}, nil)
		var sig app.SignalsDTO
		if code != 200 || json.Unmarshal(body, &sig) != nil || len(sig.Signals) != 10 || sig.Total < 40 {
			t.Errorf("Signals = %d %s", code, body)
		}
	})
	t.Run("ErrNoToken", func(t *testing.T) {
		code, body := s.post(t, "TodayService.Today", []any{"", 5}, map[string]string{"Authorization": ""})
		if code != 401 || !strings.Contains(string(body), `"code":"unauthorized"`) {
			t.Errorf("without token: %d %s", code, body)
		}
		code, _ = s.post(t, "TodayService.Today", []any{"", 5}, map[string]string{"Authorization": "Bearer wrong"})
		if code != 401 {
			t.Errorf("wrong token: %d", code)
		}
	})
	t.Run("ErrForeignOrigin", func(t *testing.T) {
		code, _ := s.post(t, "TodayService.Today", []any{"", 5}, map[string]string{"Origin": "https://evil.example"})
		if code != 403 {
			t.Errorf("foreign origin: %d, want 403", code)
		}
		code, _ = s.post(t, "TodayService.Today", []any{"", 5}, map[string]string{"Origin": strings.TrimSuffix(s.base, "/")})
		if code != 200 {
			t.Errorf("own origin: %d, want 200", code)
		}
	})
	t.Run("Errors", func(t *testing.T) {
		for _, tt := range []struct {
			method string
			args   any
			status int
			code   string
		}{
			{"TodayService.Move", []any{999999}, 404, "not_found"},
			{"TodayService.Today", []any{"legal", 5}, 400, "invalid"},
			{"TodayService.Today", []any{"sales"}, 400, "invalid"},
			{"TodayService.Skip", []any{"one", "", "key"}, 400, "invalid"},
			{"Frobnicate", nil, 404, "not_found"},
			{"Events", nil, 404, "not_found"},
			{"TodayService.Undo", []any{"key"}, 404, "not_found"},
		} {
			code, body := s.post(t, tt.method, tt.args, nil)
			var e app.ErrorDTO
			json.Unmarshal(body, &e)
			if code != tt.status || e.Code != tt.code || e.Message == "" {
				t.Errorf("%s%v = %d %s; want %d %s", tt.method, tt.args, code, body, tt.status, tt.code)
			}
		}
	})
	t.Run("Static", func(t *testing.T) {
		for _, path := range []string{"", "app.js", "some/client/route"} {
			resp, err := http.Get(s.base + path)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || len(b) == 0 {
				t.Errorf("GET /%s = %d", path, resp.StatusCode)
			}
		}
	})
}

func TestServe_EventsAndCLIForwarding(t *testing.T) {
	s := startServe(t)
	req, _ := http.NewRequest(http.MethodGet, s.base+"api/events?token="+s.token, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("events: %v %v", resp, err)
	}
	defer resp.Body.Close()
	events := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "event: ") {
				events <- strings.TrimPrefix(sc.Text(), "event: ")
			}
			if strings.HasPrefix(sc.Text(), "data: ") {
				events <- sc.Text()
			}
		}
	}()

	// The CLI, finding the data file held, sends its command to the server.
	code, out, errb := runCLI(t, s.dir, s.clock, "", "today", "--json", "--limit", "1")
	var today app.TodayDTO
	if code != 0 || json.Unmarshal([]byte(out), &today) != nil || len(today.Moves) != 1 {
		t.Fatalf("forwarded today: %d %q %q", code, out, errb)
	}
	id := today.Moves[0].ID
	if code, _, errb := runCLI(t, s.dir, s.clock, "", "skip", itoa(id), "--reason", "from the CLI"); code != 0 {
		t.Fatalf("forwarded skip: %d %s", code, errb)
	}
	select {
	case name := <-events:
		data := <-events
		if name != "queue:changed" || !strings.Contains(data, `"skip"`) || !strings.Contains(data, itoa(id)) {
			t.Errorf("event = %s %s, want queue:changed for the skip", name, data)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no event after the CLI's skip")
	}
	// Undo through the API brings it back, and says so on the stream.
	code2, body := s.post(t, "TodayService.Undo", []any{"key"}, nil)
	var m app.MoveDTO
	if code2 != 200 || json.Unmarshal(body, &m) != nil || m.ID != id || m.Status != "pending" {
		t.Errorf("Undo = %d %s", code2, body)
	}
	// And the CLI's explain shows the history of both.
	_, out, _ = runCLI(t, s.dir, s.clock, "", "explain", itoa(id))
	if !strings.Contains(out, "from the CLI") || !strings.Contains(out, "skipped → pending") {
		t.Errorf("explain after skip and undo:\n%s", out)
	}
}

// postRaw POSTs body as it is to /api/method.
func (s *served) postRaw(tb testing.TB, method, body string) (int, app.ErrorDTO) {
	tb.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.base+"api/"+method, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+s.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	var e app.ErrorDTO
	_ = json.NewDecoder(resp.Body).Decode(&e)
	return resp.StatusCode, e
}

func TestServe_Arguments(t *testing.T) {
	s := startServe(t)
	long := strings.Repeat("x", 900<<10) // over the default limit, under UpdateDraft's
	for _, tt := range []struct {
		name, method, body string
		status             int
		message            string
	}{
		// The count is checked before any value is decoded: the wrong
		// types here would be reported second.
		{"TooMany", "TodayService.Move", `[{"not":"an id"}, [1, 2], "three"]`, 400, "TodayService.Move takes 1 argument, got 3"},
		{"TooFew", "TodayService.Skip", `[{"not":"an id"}]`, 400, "TodayService.Skip takes 3 arguments, got 1"},
		{"NoneWanted", "SignalsService.Stats", `["x"]`, 400, "SignalsService.Stats takes 0 arguments, got 1"},
		{"NestedCommas", "TodayService.Move", `[{"a":[1,2],"b":"x,y]"}]`, 400, "argument 1 must be a number"},
		{"EscapedQuote", "TodayService.Skip", `[1, "a \"quoted\", reason", "key", 4]`, 400, "TodayService.Skip takes 3 arguments, got 4"},
		{"NotAnArray", "TodayService.Move", `{"id": 1}`, 400, "the body must be a JSON array of arguments"},
		{"Truncated", "TodayService.Move", `[1`, 400, "the body must be a JSON array of arguments"},
		{"OverDefaultLimit", "TodayService.Skip", `[1, "` + long + `", "key"]`, 413, "request too large (limit 64 KiB for TodayService.Skip)"},
		{"LongDraftFits", "TodayService.UpdateDraft", `[999999, {"body": "` + long + `"}]`, 404, ""},
		{"IngestArrayLimit", "SignalsService.Ingest", `["` + strings.Repeat(long, 2) + `"]`, 413, "request too large (limit 1 MiB for SignalsService.Ingest): send a big import as JSON lines with Content-Type application/x-ndjson"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			status, e := s.postRaw(t, tt.method, tt.body)
			wantCode := "invalid"
			if status == 404 {
				wantCode = "not_found"
			}
			if status != tt.status || e.Code != wantCode || !strings.Contains(e.Message, tt.message) {
				t.Errorf("%s %.60s… = %d %+v, want %d %q", tt.method, tt.body, status, e, tt.status, tt.message)
			}
		})
	}
}

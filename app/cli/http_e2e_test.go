package cli_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// servedBin is a `caseyos serve` run from the built binary.
type servedBin struct {
	cmd         *exec.Cmd
	base, token string
}

// serveBin starts bin's `serve` on dataDir and waits for its URL.
func serveBin(tb testing.TB, bin, dataDir string) *servedBin {
	tb.Helper()
	cmd := exec.Command(bin, "--data-dir", dataDir, "serve")
	cmd.Env = append(os.Environ(), "CASEYOS_DATA_DIR=")
	out, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if i := strings.Index(sc.Text(), "http://"); i >= 0 {
				u := sc.Text()[i:]
				if j := strings.IndexByte(u, ' '); j >= 0 {
					u = u[:j]
				}
				urls <- u
			}
		}
		_, _ = io.Copy(io.Discard, out)
	}()
	select {
	case u := <-urls:
		base, token, _ := strings.Cut(u, "?token=")
		return &servedBin{cmd: cmd, base: base, token: token}
	case <-time.After(30 * time.Second):
		tb.Fatal("serve printed no URL")
	}
	return nil
}

// memory reads the serving process's current and peak resident set (KiB).
func (s *servedBin) memory(tb testing.TB) (rss, peak int64) {
	tb.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		tb.Skipf("no /proc: %v", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		n, _ := strconv.ParseInt(f[1], 10, 64)
		switch f[0] {
		case "VmRSS:":
			rss = n
		case "VmHWM:":
			peak = n
		}
	}
	return rss, peak
}

// send POSTs body to /api/method; size < 0 sends it chunked.
func (s *servedBin) send(tb testing.TB, method, ctype string, body io.Reader, size int64) (int, map[string]any) {
	tb.Helper()
	req, err := http.NewRequest(http.MethodPost, s.base+"api/"+method, body)
	if err != nil {
		tb.Fatal(err)
	}
	req.ContentLength = size
	req.Header.Set("Authorization", "Bearer "+s.token)
	req.Header.Set("Content-Type", ctype)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatalf("%s: %v", method, err)
	}
	defer resp.Body.Close()
	var out map[string]any
	raw, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(raw, &out)
	if out == nil {
		out = map[string]any{"raw": string(raw)}
	}
	return resp.StatusCode, out
}

// bigArgs is a JSON argument array for Skip whose reason is n bytes long.
func bigArgs(n int) io.Reader {
	return io.MultiReader(strings.NewReader(`[1, "`), io.LimitReader(repeatByte('x'), int64(n)), strings.NewReader(`", "key"]`))
}

type repeatByte byte

func (b repeatByte) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(b)
	}
	return len(p), nil
}

// bulkSignals writes JSON lines until at least size bytes: 500 distinct
// signals (replies with a long snippet), repeated, as a big re-import is.
func bulkSignals(size int, now time.Time) (string, int) {
	var b strings.Builder
	pad := strings.Repeat("lorem ipsum ", 100)
	n := 0
	for b.Len() < size {
		i := n % 500
		fmt.Fprintf(&b, `{"source":"gmail","type":"email.replied","occurred_at":%q,"dedupe_key":"gmail:bulk:%d",`+
			`"contact":{"id":"c%d@bulk.io","email":"c%d@bulk.io","name":"Contact %d"},`+
			`"email":{"thread_id":"t-bulk-%d","message_id":"<m%d@bulk.io>","from":"c%d@bulk.io","subject":"Bulk %d","snippet":%q}}`+"\n",
			now.Add(-time.Duration(i)*time.Minute).UTC().Format(time.RFC3339), i, i, i, i, i, i, i, i, pad)
		n++
	}
	return b.String(), n
}

// TestE2E_ServeBodyMemory sends 50 MB bodies to the built binary's serve:
// a bound method refuses them early, Ingest streams them line by line, and
// the process never holds them (its peak RSS stays under 100 MB).
func TestE2E_ServeBodyMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	if r := runBin(t, bin, dir, signalLines(time.Now()), "ingest", "-"); r.code != 3 && r.code != 0 {
		t.Fatalf("ingest: %d %s", r.code, r.stderr)
	}
	s := serveBin(t, bin, dir)
	rss0, peak0 := s.memory(t)
	t.Logf("serve at start: RSS %d KiB, peak %d KiB", rss0, peak0)
	const big = 50 << 20

	logPeak := func(t *testing.T) {
		rss, peak := s.memory(t)
		t.Logf("serve after %s: RSS %d KiB, peak %d KiB", t.Name(), rss, peak)
	}
	t.Run("BoundMethod", func(t *testing.T) {
		start := time.Now()
		status, body := s.send(t, "TodayService.Skip", "application/json", bigArgs(big), big+14)
		if status != http.StatusRequestEntityTooLarge || body["code"] != "invalid" || !strings.Contains(fmt.Sprint(body["message"]), "request too large (limit") {
			t.Errorf("Skip with a 50 MB body = %d %v, want 413 invalid \"request too large (limit …)\"", status, body)
		}
		t.Logf("refused in %s", time.Since(start))
		logPeak(t)
	})
	t.Run("BoundMethodChunked", func(t *testing.T) {
		status, body := s.send(t, "TodayService.Skip", "application/json", bigArgs(big), -1)
		if status != http.StatusRequestEntityTooLarge || body["code"] != "invalid" {
			t.Errorf("Skip with a chunked 50 MB body = %d %v, want 413 invalid", status, body)
		}
		logPeak(t)
	})
	t.Run("IngestArgumentArray", func(t *testing.T) {
		lines, _ := bulkSignals(big, time.Now())
		arg, _ := json.Marshal([]string{lines})
		status, body := s.send(t, "SignalsService.Ingest", "application/json", strings.NewReader(string(arg)), int64(len(arg)))
		delete(body, "moves_created")
		if status != http.StatusRequestEntityTooLarge || !strings.Contains(fmt.Sprint(body["message"]), "application/x-ndjson") {
			t.Errorf("Ingest [50 MB string] = %d %v, want 413 pointing at the NDJSON stream", status, body)
		}
		logPeak(t)
	})
	t.Run("IngestStream", func(t *testing.T) {
		lines, n := bulkSignals(big, time.Now())
		start := time.Now()
		status, body := s.send(t, "SignalsService.Ingest", "application/x-ndjson", strings.NewReader(lines), -1)
		if status != http.StatusOK {
			t.Fatalf("Ingest stream of %d lines = %d %v, want 200", n, status, body)
		}
		delete(body, "moves_created")
		if body["lines"] != float64(n) || body["stored"].(float64)+body["duplicates"].(float64) != float64(n) {
			t.Errorf("Ingest stream: lines %v stored %v duplicates %v, want %d lines all stored or known", body["lines"], body["stored"], body["duplicates"], n)
		}
		t.Logf("streamed %d lines (%d MB) in %s", n, len(lines)>>20, time.Since(start))
		logPeak(t)
	})
	t.Run("IngestStreamHugeLine", func(t *testing.T) {
		// One 50 MB line: refused at the per-line bound, not held.
		line := io.MultiReader(strings.NewReader(`{"source":"gmail","type":"email.replied","snippet":"`), io.LimitReader(repeatByte('x'), big), strings.NewReader("\"}\n"))
		status, body := s.send(t, "SignalsService.Ingest", "application/x-ndjson", line, -1)
		if msg := fmt.Sprint(body); status == http.StatusOK && !strings.Contains(msg, "line:1") || status != http.StatusOK && !strings.Contains(msg, "line 1") {
			t.Errorf("Ingest of one 50 MB line = %d %v, want line 1 refused", status, body)
		}
		logPeak(t)
	})
	rss, peak := s.memory(t)
	t.Logf("serve after the 50 MB bodies: RSS %d KiB, peak %d KiB", rss, peak)
	if peak >= 100<<10 {
		t.Errorf("serve's peak RSS = %d MiB, want < 100 MiB", peak>>10)
	}
}

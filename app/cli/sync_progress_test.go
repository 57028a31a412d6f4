//go:build linux

package cli_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/caseyos/caseyos/app"
	"github.com/caseyos/caseyos/app/cli"
	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/connectors/hubspot"
	"github.com/caseyos/caseyos/connectors/hubspot/hubspottest"
	"github.com/caseyos/caseyos/connectors/keychain"
	"github.com/caseyos/caseyos/store"
)

// openPTY opens a pseudo-terminal: what is written to tty is read from
// the returned buffer.
func openPTY(tb testing.TB) (tty *os.File, read func() string) {
	tb.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		tb.Skipf("no pseudo-terminals here: %v", err)
	}
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		tb.Skipf("unlock pty: %v", err)
	}
	n, err := unix.IoctlGetInt(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		tb.Skipf("pty number: %v", err)
	}
	tty, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		tb.Skipf("open pty: %v", err)
	}
	var mu sync.Mutex
	var buf bytes.Buffer
	done := make(chan struct{})
	go func() {
		defer close(done)
		b := make([]byte, 4096)
		for {
			k, err := m.Read(b)
			mu.Lock()
			buf.Write(b[:k])
			mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	tb.Cleanup(func() { tty.Close(); m.Close(); <-done })
	return tty, func() string {
		time.Sleep(100 * time.Millisecond) // let the reader drain
		mu.Lock()
		defer mu.Unlock()
		return buf.String()
	}
}

// TestCLI_SyncOnceProgress: `sync --once` of a long first sync shows on a
// terminal how many items it has fetched ("hubspot: 1,000 items…"), over
// itself, and clears it before the summary; piped, it prints no progress.
func TestCLI_SyncOnceProgress(t *testing.T) {
	srv := hubspottest.NewTestServer(t, hubspottest.Options{Token: fakeToken})
	var seed hubspottest.Seed
	for i := 0; i < 3000; i++ {
		seed.Contacts = append(seed.Contacts, hubspottest.Contact{Email: fmt.Sprintf("p%d@acme.test", i), FirstName: "P",
			LastName: fmt.Sprint(i), CreatedAt: time.Now().Add(-time.Duration(400*24-i) * time.Hour)})
	}
	srv.Seed(seed)
	k := keychain.NewMock()
	conn := hubspotConnector(srv.URL(), k)
	// Five pages a poll, twenty requests a second: a pass of 30 pages
	// lasts over a second, long enough for progress events.
	conn.Limit = backend.Limit{Requests: 20, Per: time.Second}
	conn.Poller = func(secret string, l backend.RateLimiter, _ backend.Directory) (backend.Poller, error) {
		creds, err := hubspot.ParseCredentials(secret)
		if err != nil {
			return nil, err
		}
		return hubspot.New(hubspot.Config{BaseURL: srv.URL(), Account: "hubspot", Limiter: l, Secrets: k, Credentials: creds, PageBudget: 5, SearchLag: -1})
	}
	dir := t.TempDir()
	run := func(stdin string, stderr io.Writer, args ...string) (int, string) {
		var out bytes.Buffer
		code := cli.Main(context.Background(), append([]string{"--data-dir", dir}, args...), cli.Env{
			Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: stderr, Clock: backend.SystemClock{},
			Open: func(p string) (backend.Store, error) {
				return store.Open(p, store.Options{Timeout: 200 * time.Millisecond})
			},
			Secrets: k, Connectors: []app.Connector{conn},
		})
		return code, out.String()
	}
	if code, out := run(fakeToken+"\n", io.Discard, "connect", "hubspot", "--token-stdin"); code != 0 {
		t.Fatalf("connect: %d %s", code, out)
	}
	tty, read := openPTY(t)
	code, out := run("", tty, "sync", "--once", "hubspot")
	if code != 0 || !strings.Contains(out, "Synced hubspot") {
		t.Fatalf("sync --once: %d %q", code, out)
	}
	got := read()
	if !strings.Contains(got, "hubspot: 1,000 items…") && !strings.Contains(got, "hubspot: 1,500 items…") && !strings.Contains(got, "hubspot: 2,000 items…") {
		t.Errorf("terminal shows %q, want a progress line such as \"hubspot: 1,000 items…\"", got)
	}
	if !strings.HasSuffix(got, "\r\033[K") {
		t.Errorf("terminal shows %q, want the progress line cleared at the end", got)
	}

	// Piped: no progress, nothing on standard error.
	var errb bytes.Buffer
	srv.AddContact(hubspottest.Contact{Email: "late@acme.test", FirstName: "Late"})
	if code, out := run("", &errb, "sync", "--once", "hubspot"); code != 0 {
		t.Fatalf("second sync: %d %q", code, out)
	}
	if strings.Contains(errb.String(), "items…") {
		t.Errorf("piped stderr has a progress line: %q", errb.String())
	}
}

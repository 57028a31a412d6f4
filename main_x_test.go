package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caseyos/caseyos/app"
	"github.com/caseyos/caseyos/app/cli"
	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/connectors/keychain"
	"github.com/caseyos/caseyos/connectors/x/xtest"
	"github.com/caseyos/caseyos/store"
)

// xCLI runs the CLI with main.go's X connector against a fake X, the
// keychain in memory.
type xCLI struct {
	dir     string
	srv     *xtest.Server
	secrets backend.Secrets
	me      xtest.User
	key     string
	secret  string
	printed bytes.Buffer
}

func newXCLI(t *testing.T, o xtest.Options) *xCLI {
	t.Helper()
	c := &xCLI{dir: t.TempDir(), srv: xtest.NewTestServer(t, o), secrets: keychain.NewMock()}
	c.key, c.secret = c.srv.NewConsumer()
	c.me = c.srv.AddUser(xtest.User{Username: "pebblecache", Name: "PebbleCache"})
	return c
}

func (c *xCLI) run(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := cli.Main(context.Background(), append([]string{"--data-dir", c.dir}, args...), cli.Env{
		Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, Clock: backend.SystemClock{},
		Open: func(p string) (backend.Store, error) {
			return store.Open(p, store.Options{Timeout: 200 * time.Millisecond})
		},
		Secrets:    c.secrets,
		Connectors: []app.Connector{xConnector(c.srv.URL(), backend.SystemClock{})},
	})
	c.printed.Write(out.Bytes())
	c.printed.Write(errb.Bytes())
	return code, out.String(), errb.String()
}

// secretsLeak fails when a secret is in the data directory or was printed.
func (c *xCLI) secretsLeak(t *testing.T, secrets ...string) {
	t.Helper()
	filepath.Walk(c.dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return nil
		}
		b, _ := os.ReadFile(p)
		for _, s := range secrets {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("a secret is in %s", p)
			}
		}
		return nil
	})
	for _, s := range secrets {
		if strings.Contains(c.printed.String(), s) {
			t.Errorf("a secret was printed")
		}
	}
}

func TestCLI_XConnectSyncExecuteUndo(t *testing.T) {
	c := newXCLI(t, xtest.Options{})
	tok, tokSecret := c.srv.NewAccessToken(c.key, c.me.ID)
	jess := c.srv.AddUser(xtest.User{Username: "devjess", Name: "Jess Okafor", Followers: 4800})
	mention := c.srv.AddMention(jess.ID, "@pebblecache CI went from 22 minutes to 6. Wild.", time.Now().Add(-time.Hour))

	code, out, errb := c.run(t, c.secret+"\n"+tokSecret+"\n", "connect", "x", "--consumer-key", c.key, "--access-token", tok, "--secrets-stdin")
	if code != 0 || !strings.Contains(out, "Signed in to X as @pebblecache") {
		t.Fatalf("connect x --access-token: %d %q %q", code, out, errb)
	}
	stored, err := c.secrets.Get("x")
	if err != nil || !strings.Contains(stored, tokSecret) {
		t.Fatalf("the keychain holds %q, %v; want the X credentials", stored, err)
	}

	if code, out, errb := c.run(t, "", "sync", "--once", "x"); code != 0 {
		t.Fatalf("sync --once x: %d %q %q", code, out, errb)
	}
	_, out, _ = c.run(t, "", "status")
	if !strings.Contains(out, "x ") || !strings.Contains(out, "connected") {
		t.Errorf("status:\n%s", out)
	}
	_, out, _ = c.run(t, "", "today", "--json", "--limit", "50")
	var today app.TodayDTO
	if err := json.Unmarshal([]byte(out), &today); err != nil {
		t.Fatal(err)
	}
	var move *app.MoveDTO
	for i, m := range today.Moves {
		if m.Kind == "reply_social" {
			move = &today.Moves[i]
		}
	}
	if move == nil || move.Title != "Reply to @devjess: CI went from 22 minutes to 6. Wild." || move.NotAvailable != "" {
		t.Fatalf("today = %+v, want the reply to @devjess, executable", today.Moves)
	}
	updateDemo(t, today.Workspace.Path, func(tx backend.Tx) error {
		s, err := tx.Settings()
		if err != nil {
			return err
		}
		s.UndoWindow = 0
		return tx.PutSettings(s)
	})
	id := strconv.FormatUint(move.ID, 10)
	code, out, errb = c.run(t, "", "execute", id, "--yes")
	if code != 0 || !strings.Contains(out, "Done") {
		t.Fatalf("execute the reply: %d %q %q", code, out, errb)
	}
	replies := c.srv.Replies(mention.ID)
	if len(replies) != 1 || !strings.Contains(replies[0].Text, "Thanks @devjess!") {
		t.Fatalf("the fake holds %+v, want one reply", replies)
	}
	code, out, errb = c.run(t, "", "undo", id)
	if code != 0 {
		t.Fatalf("undo: %d %q %q", code, out, errb)
	}
	if d := c.srv.Deleted(); len(d) != 1 || d[0] != replies[0].ID {
		t.Fatalf("deleted = %v, want the reply %s deleted by the rollback", d, replies[0].ID)
	}
	_, out, _ = c.run(t, "", "audit")
	if !strings.Contains(out, "reply_social") {
		t.Errorf("the audit log does not show the reply:\n%s", out)
	}

	if code, out, errb := c.run(t, "", "disconnect", "x"); code != 0 {
		t.Fatalf("disconnect x: %d %q %q", code, out, errb)
	}
	if _, err := c.secrets.Get("x"); backend.ErrorCode(err) != backend.ENOTFOUND {
		t.Errorf("after disconnect the keychain still holds X (%v)", err)
	}
	c.secretsLeak(t, c.secret, tokSecret)
}

func TestCLI_XConnectPIN(t *testing.T) {
	c := newXCLI(t, xtest.Options{})
	// The person authorizes in a browser and reads the PIN: the test
	// approves the request token in the address CaseyOS printed. stdin
	// holds the consumer secret, then the PIN, which is known only after
	// the address is printed — so a reader that waits for it.
	pr := &pinReader{secret: c.secret + "\n", ready: make(chan string, 1)}
	go func() {
		for {
			if i := strings.Index(c.printedSoFar(pr), "oauth_token="); i >= 0 {
				addr := strings.Fields(c.printedSoFar(pr)[strings.LastIndex(c.printedSoFar(pr)[:i], "http"):])[0]
				u, _ := url.Parse(addr)
				_, pin, err := c.srv.Approve(u.Query().Get("oauth_token"), c.me.ID)
				if err != nil {
					pr.ready <- ""
				}
				pr.ready <- pin + "\n"
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	}()
	var errb bytes.Buffer
	code := cli.Main(context.Background(), []string{"--data-dir", c.dir, "connect", "x", "--consumer-key", c.key, "--pin"}, cli.Env{
		Stdin: pr, Stdout: &pr.out, Stderr: &errb, Clock: backend.SystemClock{},
		Open:       func(p string) (backend.Store, error) { return store.Open(p, store.Options{}) },
		Secrets:    c.secrets,
		Connectors: []app.Connector{xConnector(c.srv.URL(), backend.SystemClock{})},
	})
	if code != 0 || !strings.Contains(pr.out.String(), "Signed in to X as @pebblecache") {
		t.Fatalf("connect x --pin: %d %q %q", code, pr.out.String(), errb.String())
	}
}

func (c *xCLI) printedSoFar(p *pinReader) string { return p.out.String() }

// pinReader gives the consumer secret, then blocks until the PIN is known.
type pinReader struct {
	secret string
	ready  chan string
	out    syncBuffer
	rest   string
}

func (r *pinReader) Read(b []byte) (int, error) {
	if r.secret != "" {
		n := copy(b, r.secret)
		r.secret = r.secret[n:]
		return n, nil
	}
	if r.rest == "" {
		select {
		case r.rest = <-r.ready:
		case <-time.After(10 * time.Second):
			return 0, os.ErrDeadlineExceeded
		}
	}
	n := copy(b, r.rest)
	r.rest = r.rest[n:]
	return n, nil
}

func TestCLI_XConnectUsage(t *testing.T) {
	c := newXCLI(t, xtest.Options{})
	for _, args := range [][]string{
		{"connect", "x"},
		{"connect", "x", "--consumer-key", "k", "--access-token", "t"},
		{"connect", "x", "--consumer-key", "k", "--secrets-stdin"},
		{"connect", "hubspot", "--consumer-key", "k"},
	} {
		if code, out, errb := c.run(t, "", args...); code != cli.ExitUsage {
			t.Errorf("caseyos %v = %d %q %q, want a usage error", args, code, out, errb)
		}
	}
	// A wrong secret is refused by X, and nothing is stored.
	tok, _ := c.srv.NewAccessToken(c.key, c.me.ID)
	code, _, errb := c.run(t, c.secret+"\nwrong\n", "connect", "x", "--consumer-key", c.key, "--access-token", tok, "--secrets-stdin")
	if code == 0 || !strings.Contains(errb, "connect x") {
		t.Errorf("connect with a wrong token secret = %d %q, want refused saying to connect again", code, errb)
	}
	if _, err := c.secrets.Get("x"); backend.ErrorCode(err) != backend.ENOTFOUND {
		t.Errorf("a refused connect stored credentials (%v)", err)
	}
}

// syncBuffer is a bytes.Buffer safe for a reader goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// X's window spent in the middle of a first sync: the pass waits until
// the reset X announced (x-rate-limit-reset, no Retry-After), says so on
// standard error, and goes on to the end with nothing lost or doubled.
func TestCLI_XSyncWaitsForTheReset(t *testing.T) {
	c := newXCLI(t, xtest.Options{Window: 3 * time.Second, Limits: map[string]xtest.Limit{xtest.EndpointMentions: {Requests: 1}}})
	tok, tokSecret := c.srv.NewAccessToken(c.key, c.me.ID)
	jess := c.srv.AddUser(xtest.User{Username: "devjess"})
	for i := 0; i < 130; i++ {
		c.srv.AddMention(jess.ID, "@pebblecache build "+strconv.Itoa(i), time.Now().Add(-time.Duration(i+1)*time.Minute))
	}
	if code, out, errb := c.run(t, c.secret+"\n"+tokSecret+"\n", "connect", "x", "--consumer-key", c.key, "--access-token", tok, "--secrets-stdin"); code != 0 {
		t.Fatalf("connect: %d %q %q", code, out, errb)
	}
	start := time.Now()
	code, out, errb := c.run(t, "", "sync", "--once", "--json", "x")
	if code != 0 {
		t.Fatalf("sync --once: %d %q %q", code, out, errb)
	}
	if !strings.Contains(errb, "x: rate limited (15-minute window for mentions); waiting") {
		t.Errorf("stderr = %q, want the waiting line", errb)
	}
	if time.Since(start) < time.Second {
		t.Errorf("the pass did not wait for the reset (%v)", time.Since(start))
	}
	var sts []app.SyncStatusDTO
	if err := json.Unmarshal([]byte(out), &sts); err != nil || len(sts) != 1 || sts[0].Items != 130 {
		t.Fatalf("sync --once --json = %q (%v), want 130 items", out, err)
	}
	for _, r := range c.srv.Requests() {
		if r.Status == 429 {
			t.Errorf("a request was sent into the spent window (%s %s): the client knew the reset", r.Method, r.Path)
		}
	}
}

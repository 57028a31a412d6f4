package cli_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/caseyos/caseyos/app"
	"github.com/caseyos/caseyos/app/cli"
	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/connectors/keychain"
	"github.com/caseyos/caseyos/connectors/x"
	"github.com/caseyos/caseyos/connectors/x/xtest"
	"github.com/caseyos/caseyos/store"
)

// xWorld is a fake X for the built binary: our account, an app, a
// developer-portal token, and @devjess's mention waiting for a reply.
type xWorld struct {
	srv            *xtest.Server
	me             xtest.User
	key, secret    string
	token, tsecret string
	mention        xtest.Tweet
	bin, dir       string
	printed        strings.Builder
	secretsToCheck []string
}

func newXWorld(t *testing.T, bin string) *xWorld {
	t.Helper()
	w := &xWorld{bin: bin, dir: t.TempDir()}
	w.srv = xtest.NewTestServer(t, xtest.Options{AuthorizeAs: "1500000000000000001"})
	w.key, w.secret = w.srv.NewConsumer()
	w.me = w.srv.AddUser(xtest.User{ID: "1500000000000000001", Username: "pebblecache", Name: "PebbleCache", Followers: 2300})
	w.token, w.tsecret = w.srv.NewAccessToken(w.key, w.me.ID)
	jess := w.srv.AddUser(xtest.User{Username: "devjess", Name: "Jess Okafor", Followers: 18400, Verified: true})
	w.mention = w.srv.AddMention(jess.ID, "@pebblecache CI went from 22 minutes to 6. Wild.", time.Now().Add(-time.Hour))
	w.secretsToCheck = []string{w.secret, w.tsecret}
	t.Setenv("CASEYOS_X_BASE_URL", w.srv.URL())
	t.Cleanup(func() { exec.Command("secret-tool", "clear", "service", keychain.Service, "username", "x").Run() })
	return w
}

func (w *xWorld) run(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	r := runBin(t, w.bin, w.dir, stdin, args...)
	w.printed.WriteString(r.stdout + r.stderr)
	return r
}

// stored is what the OS keychain holds for X ("" when nothing).
func stored() string {
	out, err := exec.Command("secret-tool", "lookup", "service", keychain.Service, "username", "x").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// noSecrets fails when a secret is in the data directory or was printed.
func (w *xWorld) noSecrets(t *testing.T) {
	t.Helper()
	for _, s := range w.secretsToCheck {
		if strings.Contains(w.printed.String(), s) {
			t.Errorf("a secret (%d characters) was printed", len(s))
		}
	}
	filepath.WalkDir(w.dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := os.ReadFile(p)
		for _, s := range w.secretsToCheck {
			if strings.Contains(string(b), s) {
				t.Errorf("a secret is in %s", p)
			}
		}
		return nil
	})
}

// syncStatusDisconnect is the rest of the keychain round: a sync through
// the stored credentials brings the mention, status shows X connected
// with what it read, disconnect removes the keychain entry and a sync
// after it fails.
func (w *xWorld) syncStatusDisconnect(t *testing.T) {
	t.Helper()
	if r := w.run(t, "", "sync", "--once", "x"); r.code != 0 {
		t.Fatalf("sync --once x: %d %q %q", r.code, r.stdout, r.stderr)
	}
	r := w.run(t, "", "status", "--json")
	var st cli.StatusDTO
	if err := json.Unmarshal([]byte(r.stdout), &st); err != nil {
		t.Fatalf("status --json: %v %q", err, r.stdout)
	}
	var x *app.ConnectionDTO
	for i := range st.Accounts {
		if st.Accounts[i].Account == "x" {
			x = &st.Accounts[i]
		}
	}
	if x == nil || x.State != "connected" || x.Sync == nil || x.Sync.Items == 0 {
		t.Errorf("status after a sync with the real keychain: %+v", x)
	}
	if r := w.run(t, "", "status"); !regexp.MustCompile(`(?m)^x\s+connected`).MatchString(r.stdout) {
		t.Errorf("status:\n%s", r.stdout)
	}
	if r := w.run(t, "", "today"); !strings.Contains(r.stdout, "@devjess") {
		t.Errorf("today has no move about @devjess's mention:\n%s", r.stdout)
	}
	w.noSecrets(t)
	if r := w.run(t, "", "disconnect", "x"); r.code != 0 {
		t.Fatalf("disconnect x: %d %q %q", r.code, r.stdout, r.stderr)
	}
	if s := stored(); s != "" {
		t.Error("the X credentials are still in the keychain after disconnect")
	}
	if r := w.run(t, "", "sync", "--once", "x"); r.code != cli.ExitError {
		t.Errorf("sync after disconnect: %d, want 1", r.code)
	}
	w.noSecrets(t)
}

// TestE2E_RealKeychainX connects X through the built binary with the real
// OS keychain, both ways the issue names — keys and tokens from the
// developer portal, and the three-legged sign-in (the loopback callback
// followed by $BROWSER, and the PIN) — then syncs, shows status and
// disconnects: the credentials live in the keychain only, never in the
// data directory or anything printed. It runs when CASEYOS_REAL_KEYCHAIN=1
// (make test-keychain) and then must not skip.
func TestE2E_RealKeychainX(t *testing.T) {
	if os.Getenv("CASEYOS_REAL_KEYCHAIN") != "1" {
		t.Skip("set CASEYOS_REAL_KEYCHAIN=1 (make test-keychain) to use the real keychain")
	}
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Fatal("X's consent page is followed with curl, which is not installed")
	}
	bin := buildBinary(t)

	t.Run("PortalTokens", func(t *testing.T) {
		w := newXWorld(t, bin)
		r := w.run(t, w.secret+"\n"+w.tsecret+"\n", "connect", "x", "--consumer-key", w.key, "--access-token", w.token, "--secrets-stdin")
		if r.code != 0 || !strings.Contains(r.stdout, "Signed in to X as @pebblecache") {
			t.Fatalf("connect x --access-token: %d %q %q", r.code, r.stdout, r.stderr)
		}
		if s := stored(); !strings.Contains(s, w.tsecret) || !strings.Contains(s, w.secret) {
			t.Fatalf("the keychain does not hold the X credentials (%d characters)", len(s))
		}
		w.syncStatusDisconnect(t)
	})
	t.Run("Loopback", func(t *testing.T) {
		w := newXWorld(t, bin)
		t.Setenv("BROWSER", curl+" -s -L -o /dev/null")
		r := w.run(t, w.secret+"\n", "connect", "x", "--consumer-key", w.key)
		if r.code != 0 || !strings.Contains(r.stdout, "Signed in to X as @pebblecache") {
			t.Fatalf("connect x (loopback): %d %q %q", r.code, r.stdout, r.stderr)
		}
		s := stored()
		if !strings.Contains(s, w.secret) {
			t.Fatalf("the keychain does not hold the X credentials (%d characters)", len(s))
		}
		w.secretsToCheck = append(w.secretsToCheck, tokenSecretIn(t, s))
		w.syncStatusDisconnect(t)
	})
	t.Run("PIN", func(t *testing.T) {
		w := newXWorld(t, bin)
		cmd := exec.Command(bin, "--data-dir", w.dir, "connect", "x", "--consumer-key", w.key, "--pin")
		cmd.Env = append(os.Environ(), "CASEYOS_DATA_DIR=", "BROWSER=true")
		stdin, _ := cmd.StdinPipe()
		stdout, _ := cmd.StdoutPipe()
		var errb strings.Builder
		cmd.Stderr = &errb
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		defer cmd.Process.Kill()
		io.WriteString(stdin, w.secret+"\n")
		lines := bufio.NewScanner(stdout)
		var out strings.Builder
		var authorize string
		for authorize == "" && lines.Scan() {
			out.WriteString(lines.Text() + "\n")
			if u := regexp.MustCompile(`http://\S+/oauth/authorize\?\S+`).FindString(lines.Text()); u != "" {
				authorize = u
			}
		}
		if authorize == "" {
			t.Fatalf("connect x --pin printed no authorize address: %q %q", out.String(), errb.String())
		}
		// the person opens it, authorizes, and reads the PIN
		resp, err := http.Get(authorize)
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		pin := regexp.MustCompile(`<code>(\d+)</code>`).FindSubmatch(page)
		if pin == nil {
			t.Fatalf("no PIN on X's page: %s", page)
		}
		io.WriteString(stdin, string(pin[1])+"\n")
		stdin.Close()
		rest, _ := io.ReadAll(stdout)
		out.Write(rest)
		if err := cmd.Wait(); err != nil || !strings.Contains(out.String(), "Signed in to X as @pebblecache") {
			t.Fatalf("connect x --pin: %v %q %q", err, out.String(), errb.String())
		}
		w.printed.WriteString(out.String() + errb.String())
		s := stored()
		w.secretsToCheck = append(w.secretsToCheck, tokenSecretIn(t, s))
		w.syncStatusDisconnect(t)
	})
}

// tokenSecretIn is the access token secret the sign-in got, read from
// what the keychain holds, to look for it everywhere else.
func tokenSecretIn(t *testing.T, stored string) string {
	t.Helper()
	c, err := x.ParseCredentials(stored)
	if err != nil || c.Username != "pebblecache" {
		t.Fatalf("the keychain entry for X: %v (%q)", err, c.Username)
	}
	return c.TokenSecret
}

// TestE2E_RealKeychainXReplyKilled is the crash test the other senders
// have, with a real SIGKILL: `caseyos execute` of the reply to @devjess is
// killed before X is asked (in its undo window), while X holds the POST
// /2/tweets unserved, and after X made the post but before its answer
// arrived; the next run settles it, and the fake X holds exactly one reply.
// It runs when CASEYOS_REAL_KEYCHAIN=1 (make test-keychain), as the binary
// keeps the X credentials in the OS keychain.
func TestE2E_RealKeychainXReplyKilled(t *testing.T) {
	if os.Getenv("CASEYOS_REAL_KEYCHAIN") != "1" {
		t.Skip("set CASEYOS_REAL_KEYCHAIN=1 (make test-keychain) to use the real keychain")
	}
	bin := buildBinary(t)
	for _, tc := range []struct {
		name  string
		undo  time.Duration
		fault *xtest.Fault
	}{
		{"BeforeCall", 3 * time.Second, nil},
		{"DuringCall", 0, &xtest.Fault{Method: "POST", Path: "/2/tweets", Delay: 5 * time.Minute}},
		{"AfterCall", 0, &xtest.Fault{Method: "POST", Path: "/2/tweets", Delay: 5 * time.Minute, AfterCommit: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newXWorld(t, bin)
			if r := w.run(t, w.secret+"\n"+w.tsecret+"\n", "connect", "x", "--consumer-key", w.key, "--access-token", w.token, "--secrets-stdin"); r.code != 0 {
				t.Fatalf("connect x: %d %q %q", r.code, r.stdout, r.stderr)
			}
			if r := w.run(t, "", "sync", "--once", "x"); r.code != 0 {
				t.Fatalf("sync --once x: %d %q %q", r.code, r.stdout, r.stderr)
			}
			move := moveLike(t, todayOf(t, func(stdin string, args ...string) (int, string, string) {
				r := w.run(t, stdin, args...)
				return r.code, r.stdout, r.stderr
			}), "reply_social", "@devjess")
			setUndo(t, w.dir, tc.undo)
			arrived := make(chan struct{}, 1)
			if tc.fault != nil {
				f := *tc.fault
				f.Arrived = arrived
				w.srv.Inject(f)
			}

			cmd := exec.Command(bin, "--data-dir", w.dir, "execute", itoa(move.ID), "--yes")
			cmd.Env = append(os.Environ(), "CASEYOS_DATA_DIR=")
			var out strings.Builder
			cmd.Stdout, cmd.Stderr = &out, &out
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			if tc.fault != nil {
				select {
				case <-arrived:
				case err := <-exited:
					t.Fatalf("execute ended before X got the post: %v %q", err, out.String())
				case <-time.After(30 * time.Second):
					t.Fatalf("the post never reached the fake X: %q", out.String())
				}
			} else {
				waitFor(t, 20*time.Second, "execute --yes to wait out its undo window", func() bool {
					_, err := os.Stat(filepath.Join(w.dir, "instance.json"))
					return err == nil
				})
			}
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			<-exited
			want := map[string]int{"BeforeCall": 0, "DuringCall": 0, "AfterCall": 1}[tc.name]
			waitFor(t, 5*time.Second, "the fake's replies after the kill", func() bool { return len(w.srv.Replies(w.mention.ID)) == want })
			time.Sleep(200 * time.Millisecond)
			if n := len(w.srv.Replies(w.mention.ID)); n != want {
				t.Fatalf("after the kill the fake holds %d replies, want %d", n, want)
			}

			// The next run settles what the killed one left.
			if tc.name == "BeforeCall" {
				serveUntil(t, bin, w.dir, func() bool { return len(w.srv.Replies(w.mention.ID)) > 0 })
			} else if r := w.run(t, "", "outbox"); r.code != 0 {
				t.Fatalf("outbox after the kill: %d %q %q", r.code, r.stdout, r.stderr)
			}
			replies := w.srv.Replies(w.mention.ID)
			if len(replies) != 1 || replies[0].AuthorID != w.me.ID {
				t.Fatalf("the fake X holds %d replies to @devjess (%+v), want exactly 1", len(replies), replies)
			}
			r := w.run(t, "", "explain", itoa(move.ID), "--json")
			var ex app.ExplainDTO
			if err := json.Unmarshal([]byte(r.stdout), &ex); err != nil || ex.Move.Status != "done" {
				t.Errorf("move after the restart: %v status %q, want done", err, ex.Move.Status)
			}
			if r := w.run(t, "", "outbox"); len(w.srv.Replies(w.mention.ID)) != 1 {
				t.Errorf("another run posted again: %d replies (%q)", len(w.srv.Replies(w.mention.ID)), r.stdout)
			}
			w.noSecrets(t)
		})
	}
}

// setUndo sets the undo window in a data directory no process holds, and
// opens the send window around the clock.
func setUndo(t *testing.T, dir string, d time.Duration) {
	t.Helper()
	st, err := store.Open(filepath.Join(dir, "caseyos.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	err = st.Update(context.Background(), func(tx backend.Tx) error {
		s, err := tx.Settings()
		if err != nil {
			return err
		}
		s.UndoWindow = d
		if err := tx.PutSettings(s); err != nil {
			return err
		}
		g, err := tx.Guardrails()
		if err != nil {
			return err
		}
		g.SendWindow = backend.SendWindow{Start: 0, End: 24 * 60}
		return tx.PutGuardrails(g)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// serveUntil runs `caseyos serve` — the app restarted — until done, then
// stops it.
func serveUntil(t *testing.T, bin, dir string, done func() bool) {
	t.Helper()
	cmd := exec.Command(bin, "--data-dir", dir, "serve", "--addr", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), "CASEYOS_DATA_DIR=", "CASEYOS_TRAY=0")
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Signal(syscall.SIGTERM)
		stopped := make(chan struct{})
		go func() { cmd.Wait(); close(stopped) }()
		select {
		case <-stopped:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
		}
	}()
	deadline := time.Now().Add(30 * time.Second)
	for !done() {
		if time.Now().After(deadline) {
			t.Fatalf("the restarted app never settled the execution: %q", out.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

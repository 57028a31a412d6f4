package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/caseyos/caseyos/app"
	"github.com/caseyos/caseyos/app/cli"
	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/backend/demo"
	"github.com/caseyos/caseyos/connectors/gcal/gcaltest"
	"github.com/caseyos/caseyos/connectors/gmail/gmailtest"
	"github.com/caseyos/caseyos/connectors/google/googletest"
	"github.com/caseyos/caseyos/connectors/hubspot/hubspottest"
	"github.com/caseyos/caseyos/connectors/keychain"
	"github.com/caseyos/caseyos/store"
)

// connectedWorkspace is a workspace of your own with Google and HubSpot
// connected to the fakes, driven through the CLI as a person would, with
// no window running.
type connectedWorkspace struct {
	// holdSend, when set, makes the fake Gmail store the next message
	// sent and then not answer until the channel closes: a send whose
	// answer never came back.
	holdSend atomic.Pointer[heldSend]
	// opened, when set, is handed each data file a command opens.
	opened func(backend.Store)

	dir   string
	conns []app.Connector
	k     backend.Secrets
	mail  *gmailtest.Server
	cal   *gcaltest.Server
	hs    *hubspottest.Server
	// google is the fake Google's address (token endpoint, Gmail under
	// /gmail/, Calendar under /calendar/); credFile its OAuth client.
	google, credFile string
}

// newConnectedWorkspace starts the fakes and connects HubSpot and Google
// to them through the CLI, with the mock keychain.
func newConnectedWorkspace(t *testing.T) *connectedWorkspace {
	t.Helper()
	w := startFakes(t, keychain.NewMock())
	if code, out, errb := w.run(t, fakeToken+"\n", "connect", "hubspot", "--token-stdin"); code != 0 {
		t.Fatalf("connect hubspot: %d %q %q", code, out, errb)
	}
	if code, out, errb := w.run(t, "", "connect", "google", "--credentials", w.credFile); code != 0 {
		t.Fatalf("connect google: %d %q %q", code, out, errb)
	}
	w.setReplyFacts(t)
	return w
}

// setReplyFacts gives the workspace the demo founder's price list and
// facts before the first sync: reply drafts answer Dana's pricing and
// security questions from them (without, each stays a hole that execute
// refuses until the founder writes the answer).
func (w *connectedWorkspace) setReplyFacts(tb testing.TB) {
	tb.Helper()
	st, err := store.Open(filepath.Join(w.dir, "caseyos.db"), store.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	defer st.Close()
	err = st.Update(context.Background(), func(tx backend.Tx) error {
		s, err := tx.Settings()
		if err != nil {
			return err
		}
		s.Pricing, s.Facts = demo.Pricing(), demo.Facts()
		return tx.PutSettings(s)
	})
	if err != nil {
		tb.Fatal(err)
	}
}

// startFakes starts the fake Google and HubSpot, seeded with the demo
// week, and the connectors to them over k.
func startFakes(t *testing.T, k backend.Secrets) *connectedWorkspace {
	t.Helper()
	now := time.Now()
	auth := googletest.New(googletest.Options{})
	w := &connectedWorkspace{dir: t.TempDir(), k: k}
	w.mail = gmailtest.New(gmailtest.Options{TokenValid: auth.Valid})
	w.cal = gcaltest.New(gcaltest.Options{TokenValid: auth.Valid})
	w.mail.DemoSeed(now)
	w.cal.DemoSeed(now)
	mux := http.NewServeMux()
	mux.Handle("/gmail/", http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if h := w.holdSend.Load(); h != nil && r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/messages/send") && w.holdSend.CompareAndSwap(h, nil) {
			w.mail.Handler().ServeHTTP(httptest.NewRecorder(), r)
			close(h.sent)
			<-h.release
			http.Error(rw, "gone", http.StatusServiceUnavailable)
			return
		}
		w.mail.Handler().ServeHTTP(rw, r)
	}))
	mux.Handle("/calendar/", w.cal.Handler())
	mux.Handle("/", auth.Handler())
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	w.hs = hubspottest.NewTestServer(t, hubspottest.Options{Token: fakeToken})
	w.hs.Seed(hubspottest.DemoSeed(now))
	w.conns = append([]app.Connector{hubspotConnector(w.hs.URL(), w.k)}, googleConnectors(srv.URL, w.k)...)

	w.google = srv.URL
	w.credFile = filepath.Join(t.TempDir(), "client_secret.json")
	creds, _ := json.Marshal(map[string]any{"installed": map[string]any{"client_id": auth.ClientID(), "client_secret": auth.ClientSecret(),
		"auth_uri": srv.URL + "/auth", "token_uri": srv.URL + "/token"}})
	if err := os.WriteFile(w.credFile, creds, 0o600); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *connectedWorkspace) run(tb testing.TB, stdin string, args ...string) (int, string, string) {
	return w.runCtx(tb, context.Background(), stdin, args...)
}

func (w *connectedWorkspace) runCtx(tb testing.TB, ctx context.Context, stdin string, args ...string) (int, string, string) {
	tb.Helper()
	var out, errb bytes.Buffer
	code := cli.Main(ctx, append([]string{"--data-dir", w.dir}, args...), cli.Env{
		Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, Clock: backend.SystemClock{},
		Open: func(p string) (backend.Store, error) {
			st, err := store.Open(p, store.Options{Timeout: 200 * time.Millisecond})
			if err == nil && w.opened != nil {
				w.opened(st)
			}
			return st, err
		},
		Secrets: w.k, Connectors: w.conns,
	})
	return code, out.String(), errb.String()
}

type heldSend struct{ sent, release chan struct{} }

// setUndoWindow changes the workspace's undo window while nothing holds
// it, and opens the send window all day, so that what the test sends does
// not wait for the recipient's morning.
func (w *connectedWorkspace) setUndoWindow(tb testing.TB, d time.Duration) {
	tb.Helper()
	st, err := store.Open(filepath.Join(w.dir, "caseyos.db"), store.Options{})
	if err != nil {
		tb.Fatal(err)
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
		tb.Fatal(err)
	}
}

// cliRun runs one caseyos command line: in this process, or the binary.
type cliRun func(stdin string, args ...string) (int, string, string)

func (w *connectedWorkspace) today(tb testing.TB) app.TodayDTO {
	tb.Helper()
	return todayOf(tb, func(stdin string, args ...string) (int, string, string) { return w.run(tb, stdin, args...) })
}

func todayOf(tb testing.TB, run cliRun) app.TodayDTO {
	tb.Helper()
	code, out, errb := run("", "today", "--json", "--limit", "100")
	var today app.TodayDTO
	if err := json.Unmarshal([]byte(out), &today); code != 0 || err != nil {
		tb.Fatalf("today --json: %d %v %q", code, err, errb)
	}
	return today
}

// moveLike returns today's move of kind whose title has want.
func moveLike(tb testing.TB, today app.TodayDTO, kind, want string) app.MoveDTO {
	tb.Helper()
	for _, m := range today.Moves {
		if m.Kind == kind && strings.Contains(m.Title, want) {
			return m
		}
	}
	tb.Fatalf("no %s move about %q today: %+v", kind, want, today.Moves)
	return app.MoveDTO{}
}

func sentTo(mail *gmailtest.Server, addr string) []gmailtest.Sent {
	var out []gmailtest.Sent
	for _, s := range mail.Sent() {
		if strings.Contains(s.Header.Get("To"), addr) {
			out = append(out, s)
		}
	}
	return out
}

func liveTasks(hs *hubspottest.Server) map[string]hubspottest.Record {
	out := map[string]hubspottest.Record{}
	for _, r := range hs.Objects("tasks") {
		if !r.Archived {
			out[r.ID] = r
		}
	}
	return out
}

// TestCLI_ConnectedWorkspace executes, undoes and retries moves from the
// command line in a workspace of your own with Google and HubSpot
// connected and no window running: every command that acts through an
// account uses the connected account, as the window does.
func TestCLI_ConnectedWorkspace(t *testing.T) {
	w := newConnectedWorkspace(t)
	connectedScenario(t, w, func(stdin string, args ...string) (int, string, string) { return w.run(t, stdin, args...) })
}

// connectedScenario syncs a connected workspace, executes a reply, a
// HubSpot task (and undoes it) and a send that waits in the outbox, and
// checks each on the fakes.
func connectedScenario(t *testing.T, w *connectedWorkspace, run cliRun) {
	t.Helper()
	if code, out, errb := run("", "sync", "--once"); code != 0 {
		t.Fatalf("sync --once: %d %q %q", code, out, errb)
	}
	today := todayOf(t, run)
	if today.Workspace.Demo {
		t.Fatal("today runs on the demo after connecting")
	}
	w.setUndoWindow(t, 2*time.Second)

	// A reply through Gmail: it waits out the undo window, then leaves
	// through the connected account.
	dana := moveLike(t, today, "send_email", "Dana Whitfield")
	code, out, errb := run("", "execute", itoa(dana.ID), "--dry-run")
	if code != 0 || !strings.Contains(out, "via gmail") {
		t.Errorf("execute --dry-run: %d %q %q; want the preview via gmail", code, out, errb)
	}
	code, out, errb = run("", "execute", itoa(dana.ID), "--yes")
	if code != 0 || !strings.Contains(out, "Leaving in 2 s") || !strings.Contains(out, "Done (") {
		t.Fatalf("execute --yes (email): %d %q %q; want it sent after the undo window", code, out, errb)
	}
	if sent := sentTo(w.mail, "dana@northwind.io"); len(sent) != 1 || !strings.Contains(sent[0].Header.Get("Subject"), "Pricing and security questions") {
		t.Errorf("the fake Gmail received %+v for Dana, want the one reply", sent)
	}

	// A HubSpot task, created and rolled back.
	before := liveTasks(w.hs)
	task := moveLike(t, today, "create_task", "Northwind Analytics demo")
	code, out, errb = run("", "execute", itoa(task.ID), "--yes", "--json")
	var st app.ExecutionStatusDTO
	if err := json.Unmarshal([]byte(out), &st); code != 0 || err != nil || st.State != "committed" {
		t.Fatalf("execute --yes (task): %d %v %q %q; want committed", code, err, out, errb)
	}
	created := ""
	for id := range liveTasks(w.hs) {
		if _, old := before[id]; !old {
			created = id
		}
	}
	if created == "" {
		t.Fatalf("no task was created in the fake HubSpot (execution %+v)", st)
	}
	code, out, errb = run("", "undo", itoa(task.ID), "--json")
	st = app.ExecutionStatusDTO{}
	if err := json.Unmarshal([]byte(out), &st); code != 0 || err != nil || st.State != "undone" {
		t.Fatalf("undo (task): %d %v %q %q; want undone", code, err, out, errb)
	}
	if _, still := liveTasks(w.hs)[created]; still {
		t.Errorf("task %s is still in the fake HubSpot after undo", created)
	}

	// Gmail is down when the nudge leaves: it waits in the outbox, and
	// `outbox --retry` sends it through the account once Gmail is back.
	maya := moveLike(t, today, "send_email", "Maya Chen")
	w.mail.Inject(gmailtest.Fault{Method: "users.messages.send", Status: 503, Reason: "backendError"})
	code, out, errb = run("", "execute", itoa(maya.ID), "--yes")
	if code != 0 || !strings.Contains(out, "Queued in the outbox") {
		t.Fatalf("execute --yes with Gmail down: %d %q %q; want it queued", code, out, errb)
	}
	if code, out, _ = run("", "outbox"); code != 0 || !strings.Contains(out, "#"+itoa(maya.ID)) {
		t.Errorf("outbox: %d %q; want move %d listed", code, out, maya.ID)
	}
	if len(sentTo(w.mail, "maya")) != 0 {
		t.Fatal("the nudge left while Gmail was down")
	}
	code, out, errb = run("", "outbox", "--retry")
	if code != 0 || !strings.Contains(out, "The outbox is empty") {
		t.Errorf("outbox --retry: %d %q %q; want it sent and the outbox empty", code, out, errb)
	}
	if sent := sentTo(w.mail, "maya"); len(sent) != 1 {
		t.Errorf("the fake Gmail received %d nudges to Maya after the retry, want 1", len(sent))
	}
	code, out, _ = run("", "explain", itoa(maya.ID), "--json")
	var ex app.ExplainDTO
	if err := json.Unmarshal([]byte(out), &ex); code != 0 || err != nil || ex.Move.Status != "done" {
		t.Errorf("move %d after the retry: %d %v status %q, want done", maya.ID, code, err, ex.Move.Status)
	}
}

// TestCLI_UndoWhileExecuteWaits: `caseyos undo ID` from another terminal
// takes back an email that `caseyos execute ID --yes` is holding in its
// undo window, with nothing sent.
func TestCLI_UndoWhileExecuteWaits(t *testing.T) {
	w := newConnectedWorkspace(t)
	if code, out, errb := w.run(t, "", "sync", "--once"); code != 0 {
		t.Fatalf("sync --once: %d %q %q", code, out, errb)
	}
	sam := moveLike(t, w.today(t), "send_email", "Sam Patel")
	w.setUndoWindow(t, time.Minute)
	type result struct {
		code      int
		out, errb string
	}
	done := make(chan result, 1)
	start := time.Now()
	go func() {
		code, out, errb := w.run(t, "", "execute", itoa(sam.ID), "--yes")
		done <- result{code, out, errb}
	}()
	// The waiting command can be reached the way a running window is.
	deadline := time.Now().Add(20 * time.Second)
	for {
		if _, err := os.Stat(filepath.Join(w.dir, "instance.json")); err == nil {
			break
		}
		select {
		case r := <-done:
			t.Fatalf("execute returned before it could be undone: %d %q %q", r.code, r.out, r.errb)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("execute --yes never became reachable for undo")
		}
		time.Sleep(20 * time.Millisecond)
	}
	code, out, errb := w.run(t, "", "undo", itoa(sam.ID))
	if code != 0 || !strings.Contains(out, "Undone") {
		t.Errorf("undo while execute waits: %d %q %q; want it undone", code, out, errb)
	}
	var r result
	select {
	case r = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("execute kept waiting after the undo")
	}
	if r.code != 0 || !strings.Contains(r.out, "Undone") || time.Since(start) > 45*time.Second {
		t.Errorf("execute after undo: %d %q %q; want it to end undone at once", r.code, r.out, r.errb)
	}
	if sent := sentTo(w.mail, "sam"); len(sent) != 0 {
		t.Errorf("the fake Gmail received %d messages to Sam after the undo, want none", len(sent))
	}
	if _, err := os.Stat(filepath.Join(w.dir, "instance.json")); !os.IsNotExist(err) {
		t.Errorf("instance.json after execute ended: %v", err)
	}
	// The move is pending again and can be executed later.
	code, out, _ = w.run(t, "", "explain", itoa(sam.ID), "--json")
	var ex app.ExplainDTO
	if err := json.Unmarshal([]byte(out), &ex); code != 0 || err != nil || ex.Move.Status != "pending" {
		t.Errorf("move %d after undo: %d %v status %q, want pending", sam.ID, code, err, ex.Move.Status)
	}
}

// TestCLI_SettlesInterruptedSend: a CLI that stopped while Gmail was
// sending (its answer never came) leaves the execution in flight; the
// next command that acts through the accounts asks Gmail whether it left,
// as the window does when it starts, and records it without sending it
// again.
func TestCLI_SettlesInterruptedSend(t *testing.T) {
	w := newConnectedWorkspace(t)
	if code, out, errb := w.run(t, "", "sync", "--once"); code != 0 {
		t.Fatalf("sync --once: %d %q %q", code, out, errb)
	}
	dana := moveLike(t, w.today(t), "send_email", "Dana Whitfield")
	w.setUndoWindow(t, 0)

	h := &heldSend{sent: make(chan struct{}), release: make(chan struct{})}
	w.holdSend.Store(h)
	var held backend.Store
	var mu sync.Mutex
	w.opened = func(st backend.Store) { mu.Lock(); held = st; mu.Unlock() }
	first := make(chan int, 1)
	go func() {
		code, _, _ := w.run(t, "", "execute", itoa(dana.ID), "--yes")
		first <- code
	}()
	select {
	case <-h.sent:
	case <-time.After(20 * time.Second):
		t.Fatal("the send never reached the fake Gmail")
	}
	// The process dies here: it never writes again.
	mu.Lock()
	held.Close()
	mu.Unlock()
	w.opened = nil
	defer func() { close(h.release); <-first }()

	code, out, errb := w.run(t, "", "outbox")
	if code != 0 {
		t.Fatalf("outbox after the interrupted send: %d %q %q", code, out, errb)
	}
	code, out, _ = w.run(t, "", "explain", itoa(dana.ID), "--json")
	var ex app.ExplainDTO
	if err := json.Unmarshal([]byte(out), &ex); code != 0 || err != nil || ex.Move.Status != "done" {
		t.Errorf("move %d after the next outbox: %d %v status %q, want done", dana.ID, code, err, ex.Move.Status)
	}
	if sent := sentTo(w.mail, "dana@northwind.io"); len(sent) != 1 {
		t.Errorf("the fake Gmail holds %d replies to Dana, want exactly 1 (found, not sent again)", len(sent))
	}
	if _, out, _ := w.run(t, "", "audit"); !strings.Contains(out, "found on the remote side") {
		t.Errorf("the audit log does not say the send was found:\n%s", out)
	}
}

// TestE2E_RealKeychainConnectedWorkspace runs the connected scenario
// through the built binary, as a person would after `caseyos connect`:
// its own connectors (main.go) pointed at the fakes by the base-URL
// variables, the grant and token in the real OS keychain, the consent page
// followed by $BROWSER. Then `undo` from a second process takes back what
// a waiting `execute` holds. It runs when CASEYOS_REAL_KEYCHAIN=1 (make
// test-keychain) and then must not skip.
func TestE2E_RealKeychainConnectedWorkspace(t *testing.T) {
	if os.Getenv("CASEYOS_REAL_KEYCHAIN") != "1" {
		t.Skip("set CASEYOS_REAL_KEYCHAIN=1 (make test-keychain) to use the real keychain")
	}
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Fatal("the consent page is followed with curl, which is not installed")
	}
	w := startFakes(t, nil)
	t.Setenv("CASEYOS_HUBSPOT_BASE_URL", w.hs.URL())
	t.Setenv("CASEYOS_GMAIL_BASE_URL", w.google+"/")
	t.Setenv("CASEYOS_GCAL_BASE_URL", w.google+"/calendar/v3/")
	t.Setenv("CASEYOS_GOOGLE_TOKEN_URL", w.google+"/token")
	t.Setenv("BROWSER", curl+" -s -L -o /dev/null")
	t.Cleanup(func() {
		for _, acct := range []string{"hubspot", "gmail", "gcal"} {
			exec.Command("secret-tool", "clear", "service", keychain.Service, "username", acct).Run()
		}
	})
	bin := buildBinary(t)
	run := func(stdin string, args ...string) (int, string, string) {
		r := runBin(t, bin, w.dir, stdin, args...)
		return r.code, r.stdout, r.stderr
	}
	if code, out, errb := run(fakeToken+"\n", "connect", "hubspot", "--token-stdin"); code != 0 {
		t.Fatalf("connect hubspot: %d %q %q", code, out, errb)
	}
	if code, out, errb := run("", "connect", "google", "--credentials", w.credFile); code != 0 || !strings.Contains(out, "Connected Gmail and Google Calendar") {
		t.Fatalf("connect google: %d %q %q", code, out, errb)
	}
	w.setReplyFacts(t) // as newConnectedWorkspace: Dana's questions are answered from them
	connectedScenario(t, w, run)

	// A second process undoes what a waiting execute holds.
	sam := moveLike(t, todayOf(t, run), "send_email", "Sam Patel")
	w.setUndoWindow(t, time.Minute)
	execute := exec.Command(bin, "--data-dir", w.dir, "execute", itoa(sam.ID), "--yes")
	execute.Env = append(os.Environ(), "CASEYOS_DATA_DIR=")
	var out bytes.Buffer
	execute.Stdout, execute.Stderr = &out, &out
	if err := execute.Start(); err != nil {
		t.Fatal(err)
	}
	defer execute.Process.Kill()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if _, err := os.Stat(filepath.Join(w.dir, "instance.json")); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("execute --yes never became reachable for undo: %q", out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if code, stdout, errb := run("", "undo", itoa(sam.ID)); code != 0 || !strings.Contains(stdout, "Undone") {
		t.Errorf("undo from a second process: %d %q %q", code, stdout, errb)
	}
	waited := make(chan error, 1)
	go func() { waited <- execute.Wait() }()
	select {
	case err := <-waited:
		if err != nil || !strings.Contains(out.String(), "Undone") {
			t.Errorf("execute after the undo: %v %q", err, out.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("execute kept waiting after the undo")
	}
	if sent := sentTo(w.mail, "sam"); len(sent) != 0 {
		t.Errorf("the fake Gmail received %d messages to Sam after the undo, want none", len(sent))
	}
}

// TestCLI_ExecuteThroughWaitingExecute: a second `execute` while the first
// waits goes to the waiting process, which carries it out too before it
// exits; nothing is left behind in its undo window.
func TestCLI_ExecuteThroughWaitingExecute(t *testing.T) {
	w := newConnectedWorkspace(t)
	if code, out, errb := w.run(t, "", "sync", "--once"); code != 0 {
		t.Fatalf("sync --once: %d %q %q", code, out, errb)
	}
	today := w.today(t)
	dana := moveLike(t, today, "send_email", "Dana Whitfield")
	sam := moveLike(t, today, "send_email", "Sam Patel")
	w.setUndoWindow(t, 10*time.Second)
	first := make(chan string, 1)
	go func() {
		_, out, _ := w.run(t, "", "execute", itoa(dana.ID), "--yes")
		first <- out
	}()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if _, err := os.Stat(filepath.Join(w.dir, "instance.json")); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("execute --yes never became reachable")
		}
		time.Sleep(20 * time.Millisecond)
	}
	code, out, errb := w.run(t, "", "execute", itoa(sam.ID), "--yes")
	if code != 0 || !strings.Contains(out, "Waiting to leave until") {
		t.Fatalf("second execute: %d %q %q; want it handed to the waiting one", code, out, errb)
	}
	// Dana's window ends first; the first process must stay until Sam's
	// message has left as well.
	if code, out, errb := w.run(t, "", "undo", itoa(dana.ID)); code != 0 || !strings.Contains(out, "Undone") {
		t.Fatalf("undo of the first: %d %q %q", code, out, errb)
	}
	select {
	case out := <-first:
		if !strings.Contains(out, "Undone") {
			t.Errorf("first execute printed %q, want its own move undone", out)
		}
	case <-time.After(40 * time.Second):
		t.Fatal("the first execute never ended")
	}
	if sent := sentTo(w.mail, "sam"); len(sent) != 1 {
		t.Errorf("when the first execute ended the fake Gmail held %d messages to Sam, want 1", len(sent))
	}
	if sent := sentTo(w.mail, "dana@northwind.io"); len(sent) != 0 {
		t.Errorf("the undone reply to Dana was sent %d times", len(sent))
	}
}

package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/caseyos/caseyos/app"
	"github.com/caseyos/caseyos/backend"
)

// The account commands: connect, disconnect, status, sync, and the
// developer's fakes (dev fake-NAME).

func (c *command) connector(name string) (app.Connector, bool) {
	for _, k := range c.env.Connectors {
		if k.Account == name {
			return k, true
		}
	}
	var names []string
	for _, k := range c.env.Connectors {
		names = append(names, k.Account)
	}
	names = append(names, app.WebhookSecretAccount, app.TranscriptionAccount)
	c.usageError(fmt.Sprintf("%q is not an account CaseyOS can connect (%s)", name, strings.Join(names, ", ")))
	return app.Connector{}, false
}

// readSecret reads one credential from standard input: the first line,
// trimmed. It is never echoed.
func (c *command) readSecret() (string, error) {
	r := bufio.NewReader(io.LimitReader(c.env.Stdin, app.MaxSecret))
	line, err := r.ReadString('\n')
	if err != nil && err != io.EOF {
		return "", &backend.Error{Code: backend.EINVALID, Message: "cannot read the credential from standard input", Err: err}
	}
	s := strings.TrimSpace(line)
	if s == "" {
		return "", backend.Errorf(backend.EINVALID, "standard input held no credential")
	}
	return s, nil
}

func runConnect(ctx context.Context, c *command, args []string) int {
	fs := c.flags()
	fromStdin := fs.Bool("token-stdin", false, "read a private-app token from standard input")
	secretStdin := fs.Bool("secret-stdin", false, "read the webhook secret from standard input")
	oauth := fs.Bool("oauth", false, "sign in with the vendor (OAuth)")
	credentials := fs.String("credentials", "", "sign in with your own OAuth client file (Google: the Desktop app JSON)")
	var xin app.ConnectInput
	fs.StringVar(&xin.ConsumerKey, "consumer-key", "", "x: your X app's consumer key (API Key); the secret is read from standard input")
	fs.StringVar(&xin.AccessToken, "access-token", "", "x: an access token made in X's developer portal (with --secrets-stdin)")
	fs.BoolVar(&xin.SecretsStdin, "secrets-stdin", false, "x: read the consumer secret and the access token secret, one a line, from standard input")
	fs.BoolVar(&xin.PIN, "pin", false, "x: sign in with a PIN X shows instead of a browser redirect")
	var tf transcriptionFlags
	fs.StringVar(&tf.url, "url", "", "whisper, llm: the API base (https://api.openai.com/v1, or a local server's)")
	fs.StringVar(&tf.model, "model", "", "whisper, llm: the model (whisper's default is whisper-1)")
	fs.DurationVar(&tf.timeout, "timeout", 0, "whisper: how long one command may take to transcribe (default 4s)")
	fs.BoolVar(&tf.keyStdin, "key-stdin", false, "whisper, llm: read the API key from standard input")
	fs.BoolVar(&tf.noCheck, "no-check", false, "whisper, llm: store the endpoint without trying it first")
	dailyTokens := fs.Int("daily-tokens", 0, "llm: the model's daily token budget (default 200000)")
	pos, ok := c.parse(args, 1, "an account to connect, e.g. `connect hubspot --token-stdin`")
	if !ok {
		return ExitUsage
	}
	if pos[0] == app.ModelAccount {
		return c.connectModel(ctx, tf, *dailyTokens)
	}
	if *dailyTokens != 0 {
		c.usageError("--daily-tokens is for `connect llm`")
		return ExitUsage
	}
	if pos[0] == app.TranscriptionAccount {
		return c.connectTranscription(ctx, tf)
	}
	if tf.set() {
		c.usageError("--url, --model, --timeout, --key-stdin and --no-check are for `connect whisper` and `connect llm`")
		return ExitUsage
	}
	xflags := xin.ConsumerKey != "" || xin.AccessToken != "" || xin.SecretsStdin || xin.PIN
	switch {
	case xflags && pos[0] != "x":
		c.usageError("--consumer-key, --access-token, --secrets-stdin and --pin are for `connect x`")
		return ExitUsage
	case pos[0] == "x" && xin.ConsumerKey == "":
		c.usageError("connect x needs --consumer-key KEY (your X app's API Key): the secret comes on standard input")
		return ExitUsage
	case pos[0] == "x" && xin.AccessToken != "" && !xin.SecretsStdin:
		c.usageError("with --access-token, give --secrets-stdin: standard input holds the consumer secret and the access token secret, one a line")
		return ExitUsage
	case pos[0] == "x" && xin.AccessToken == "" && xin.SecretsStdin:
		c.usageError("--secrets-stdin goes with --access-token TOKEN; without a token, CaseyOS signs you in and reads only the consumer secret")
		return ExitUsage
	case pos[0] == "x" && xin.AccessToken != "" && xin.PIN:
		c.usageError("use --access-token or --pin, not both")
		return ExitUsage
	case pos[0] == "x":
		xin.Stdin = c.env.Stdin
		*oauth, ctx = true, app.WithConnectInput(ctx, xin)
	}
	if c.env.Secrets == nil {
		return c.fail(backend.Errorf(backend.EUNAVAILABLE, "this build of CaseyOS has no keychain to keep credentials in"))
	}
	if pos[0] == app.WebhookSecretAccount {
		if !*secretStdin {
			c.usageError("connect webhook needs --secret-stdin")
			return ExitUsage
		}
		secret, err := c.readSecret()
		if err != nil {
			return c.fail(err)
		}
		if err := app.CheckWebhookSecret(secret); err != nil {
			return c.fail(err)
		}
		if r := c.webhookInstance(); r != nil {
			if _, err := app.Forward[app.WebhookDTO](r, "ConnectionsService.ConnectWebhook", secret); err != nil {
				return c.fail(err)
			}
			fmt.Fprintln(c.env.Stdout, "Stored the webhook secret in the keychain; the running CaseyOS checks webhooks with it from now on.")
			return ExitOK
		}
		if err := c.env.Secrets.Set(app.WebhookSecretAccount, secret); err != nil {
			return c.fail(err)
		}
		fmt.Fprintf(c.env.Stdout, "Stored the webhook secret in the keychain. The receiver starts with CaseyOS when CASEYOS_WEBHOOK_ADDR is set; a running one uses the new secret within %s.\n", shortDuration(app.WebhookSecretTTL))
		return ExitOK
	}
	conns, ok := c.connectorsFor(pos[0])
	if !ok {
		return ExitUsage
	}
	conn := conns[0]
	if *credentials != "" {
		*oauth, ctx = true, app.WithCredentialsFile(ctx, *credentials)
	}
	var secret string
	var err error
	switch {
	case *oauth && *fromStdin:
		c.usageError("use --token-stdin or --oauth, not both")
		return ExitUsage
	case *oauth:
		if conn.Authorize == nil {
			return c.fail(backend.Errorf(backend.EINVALID, "%s has no sign-in flow here: use --token-stdin", conn.Label))
		}
		if secret, err = conn.Authorize(ctx, c.env.Stdout); err != nil {
			return c.fail(err)
		}
	case *fromStdin:
		if secret, err = c.readSecret(); err != nil {
			return c.fail(err)
		}
		if conn.Check != nil {
			if err := conn.Check(ctx, secret); err != nil {
				return c.fail(err)
			}
		}
	default:
		c.usageError(fmt.Sprintf("say how to connect: %s", conn.Hint))
		return ExitUsage
	}
	for _, k := range conns {
		if err := c.env.Secrets.Set(k.Account, secret); err != nil {
			return c.fail(err)
		}
	}
	conn.Label = groupLabel(conns)
	// Connecting an account makes the workspace your own.
	dir, err := app.DataDir(c.g.dataDir)
	if err != nil {
		return c.fail(err)
	}
	ws := app.ChooseWorkspace(dir, false, true)
	if r := app.FindInstance(dir, ws); r != nil {
		for _, k := range conns {
			if _, err := app.Forward[[]app.SyncStatusDTO](r, "ConnectionsService.SyncNow", k.Account); err != nil {
				return c.fail(err)
			}
		}
		fmt.Fprintf(c.env.Stdout, "Connected %s; the running CaseyOS is syncing it now.\n", conn.Label)
		return ExitOK
	}
	a, done, err := c.openLocal(ctx, ws)
	if err != nil {
		return c.fail(err)
	}
	defer done()
	for _, k := range conns {
		if err := a.Sync().MarkConnected(ctx, k.Account); err != nil {
			return c.fail(err)
		}
	}
	fmt.Fprintf(c.env.Stdout, "Connected %s (credentials in the OS keychain). Run `caseyos sync --once` to fetch now; CaseyOS syncs it every %s while it runs.\n",
		conn.Label, shortDuration(backend.DefaultSyncInterval))
	if info, err := app.ReadInstance(dir); err == nil && app.FindInstance(dir, app.ChooseWorkspace(dir, true, false)) != nil {
		fmt.Fprintf(c.env.Stdout, "CaseyOS (pid %d) is showing the demo workspace: restart it to switch to yours.\n", info.PID)
	}
	return ExitOK
}

func runDisconnect(ctx context.Context, c *command, args []string) int {
	c.flags()
	pos, ok := c.parse(args, 1, "an account to disconnect")
	if !ok {
		return ExitUsage
	}
	if pos[0] == app.WebhookSecretAccount {
		if c.env.Secrets == nil {
			return c.fail(backend.Errorf(backend.EUNAVAILABLE, "this build of CaseyOS has no keychain"))
		}
		if r := c.webhookInstance(); r != nil {
			if _, err := app.Forward[app.WebhookDTO](r, "ConnectionsService.DisconnectWebhook"); err != nil {
				return c.fail(err)
			}
			fmt.Fprintln(c.env.Stdout, "Removed the webhook secret; the running CaseyOS refuses every webhook from now on.")
			return ExitOK
		}
		if err := c.env.Secrets.Delete(app.WebhookSecretAccount); err != nil && backend.ErrorCode(err) != backend.ENOTFOUND {
			return c.fail(err)
		}
		fmt.Fprintf(c.env.Stdout, "Removed the webhook secret; a running receiver refuses every webhook within %s.\n", shortDuration(app.WebhookSecretTTL))
		return ExitOK
	}
	if pos[0] == app.TranscriptionAccount {
		return c.disconnectTranscription(ctx)
	}
	if pos[0] == app.ModelAccount {
		return c.disconnectModel(ctx)
	}
	conn, ok := c.connector(pos[0])
	if !ok {
		return ExitUsage
	}
	dir, err := app.DataDir(c.g.dataDir)
	if err != nil {
		return c.fail(err)
	}
	f, done, err := c.reach(ctx, dir, app.ChooseWorkspace(dir, false, false))
	if err != nil {
		return c.fail(err)
	}
	defer done()
	if _, err := app.Forward[app.ConnectionDTO](f, "ConnectionsService.Disconnect", conn.Account); err != nil {
		return c.fail(err)
	}
	fmt.Fprintf(c.env.Stdout, "Disconnected %s: its credentials are gone from the keychain; what it brought in stays.\n", conn.Label)
	return ExitOK
}

// StatusDTO is `caseyos status --json`.
type StatusDTO struct {
	Workspace app.WorkspaceDTO     `json:"workspace"`
	Accounts  []app.ConnectionDTO  `json:"accounts"`
	Model     app.LanguageModelDTO `json:"model"`
}

func runStatus(ctx context.Context, c *command, args []string) int {
	fs := c.flags()
	fs.BoolVar(&c.json, "json", false, "print JSON")
	if _, ok := c.parse(args, 0, "no arguments"); !ok {
		return ExitUsage
	}
	a, done, ok := c.open(ctx, false)
	if !ok {
		return ExitError
	}
	defer done()
	conns, err := app.Forward[[]app.ConnectionDTO](a, "ConnectionsService.Connections")
	if err != nil {
		return c.fail(err)
	}
	ws, err := app.Forward[app.WorkspaceDTO](a, "SignalsService.Workspace")
	if err != nil {
		return c.fail(err)
	}
	model, err := app.Forward[app.LanguageModelDTO](a, "ConnectionsService.LanguageModel")
	if err != nil {
		return c.fail(err)
	}
	if c.json {
		c.printJSON(c.env.Stdout, StatusDTO{Workspace: ws, Accounts: conns, Model: model})
		return ExitOK
	}
	defer fmt.Fprintln(c.env.Stdout, modelStatus(model))
	c.banner(ws)
	now := c.env.Clock.Now()
	fmt.Fprintf(c.env.Stdout, "%-9s  %-13s  %-14s  %-12s  %6s  %s\n", "ACCOUNT", "STATE", "LAST SUCCESS", "NEXT RUN", "ITEMS", "LAST ERROR")
	for _, k := range conns {
		last, next, items, lastErr := "—", "—", "—", ""
		state := k.State
		if s := k.Sync; s != nil {
			if s.State == string(backend.SyncRunning) || s.State == string(backend.SyncFailing) {
				state = s.State
			}
			if s.LastSuccess != nil {
				last = "just now"
				if d := now.Sub(*s.LastSuccess); d >= time.Minute {
					last = shortDuration(d) + " ago"
				}
			}
			if s.NextRun != nil {
				next = dueText(s.NextRun, now)
			}
			items, lastErr = fmt.Sprint(s.Items), s.LastError
			if lastErr == "" && s.Skipped > 0 {
				lastErr = itemCount(s.Skipped) + " could not be stored: " + s.SkipReason
			}
			if lastErr == "" && s.Note != "" {
				lastErr = s.Note
			}
		}
		switch state {
		case "not_connected":
			lastErr = k.ConnectHint
		case "coming_soon":
			lastErr = "no " + k.Label + " connector yet"
		}
		fmt.Fprintf(c.env.Stdout, "%-9s  %-13s  %-14s  %-12s  %6s  %s\n", k.Account, state, last, next, items, lastErr)
	}
	return ExitOK
}

func runSync(ctx context.Context, c *command, args []string) int {
	fs := c.flags()
	once := fs.Bool("once", false, "one pass, then exit")
	fs.BoolVar(&c.json, "json", false, "print JSON (with --once)")
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			c.usageError(err.Error())
			return ExitUsage
		}
		if fs.NArg() == 0 {
			break
		}
		pos, args = append(pos, fs.Arg(0)), fs.Args()[1:]
	}
	if len(pos) > 1 {
		c.usageError("sync takes at most one ACCOUNT")
		return ExitUsage
	}
	account := ""
	if len(pos) == 1 {
		if _, ok := c.connector(pos[0]); !ok {
			return ExitUsage
		}
		account = pos[0]
	}
	dir, err := app.DataDir(c.g.dataDir)
	if err != nil {
		return c.fail(err)
	}
	ws := app.ChooseWorkspace(dir, c.g.demo, false)
	if r := app.FindInstance(dir, ws); r != nil {
		if !*once {
			if _, err := app.Forward[[]app.SyncStatusDTO](r, "ConnectionsService.SyncNow", account); err != nil {
				return c.fail(err)
			}
			fmt.Fprintln(c.env.Stdout, "CaseyOS is running and syncing this workspace; it is syncing now.")
			return ExitOK
		}
		sts, err := app.Forward[[]app.SyncStatusDTO](r, "ConnectionsService.SyncPass", account)
		if err != nil {
			return c.fail(err)
		}
		return c.reportPass(sts)
	}
	a, done, err := c.openLocal(ctx, ws)
	if err != nil {
		return c.fail(err)
	}
	defer done()
	// What a pass waits for goes to standard error, keeping --json's
	// standard output one document.
	// On a terminal, --once shows how far a long first sync has got.
	progress := c.syncProgress()
	stopWaits := a.App().Events().Subscribe(func(name string, payload any) {
		if w, ok := payload.(app.SyncWaitDTO); ok && name == backend.EventSyncWaiting {
			progress.clear()
			fmt.Fprintln(c.env.Stderr, waitLine(w))
		}
		if k, ok := payload.(app.SyncSkippedDTO); ok && name == backend.EventSyncSkipped {
			progress.clear()
			fmt.Fprintln(c.env.Stderr, k.Message)
		}
		if *once {
			progress.event(name, payload)
		}
	})
	defer stopWaits()
	if *once {
		sts, err := app.Forward[[]app.SyncStatusDTO](a, "ConnectionsService.SyncPass", account)
		progress.clear()
		if err != nil {
			return c.fail(err)
		}
		return c.reportPass(sts)
	}
	n, err := a.Sync().LoadAccounts(ctx)
	if err != nil {
		return c.fail(err)
	}
	if n == 0 {
		return c.fail(backend.Errorf(backend.ENOTFOUND, "no account is connected: run `caseyos connect hubspot --token-stdin`"))
	}
	if account != "" {
		for _, name := range a.Sync().SyncAccounts() {
			if name != account {
				_ = a.Sync().StopSyncing(name)
			}
		}
	}
	stop := a.App().Events().Subscribe(func(name string, payload any) {
		if st, ok := payload.(app.SyncStatusDTO); ok && name == backend.EventSyncStatus && st.State != string(backend.SyncRunning) {
			fmt.Fprintln(c.env.Stdout, c.statusLine(st))
		}
	})
	defer stop()
	fmt.Fprintf(c.env.Stdout, "Syncing %s every %s. Press Ctrl-C to stop.\n", strings.Join(a.Sync().SyncAccounts(), ", "), shortDuration(backend.DefaultSyncInterval))
	_ = a.Sync().RunSync(ctx) // until Ctrl-C
	return ExitOK
}

// waitLine says what a pass waits for: "hubspot: rate limited (10-second
// window); waiting 10s".
func waitLine(w app.SyncWaitDTO) string {
	d := time.Duration(w.WaitSeconds * float64(time.Second))
	if d >= time.Second {
		d = d.Round(time.Second)
	} else {
		d = d.Round(10 * time.Millisecond)
	}
	return fmt.Sprintf("%s: rate limited (%s); waiting %s", w.Account, w.Limit, d)
}

func (c *command) statusLine(st app.SyncStatusDTO) string {
	now := c.env.Clock.Now()
	line := fmt.Sprintf("%s: %s, %d items", st.Account, st.State, st.Items)
	if st.LastError != "" {
		line += " — " + st.LastError
	}
	if st.NextRun != nil {
		line += "; next run " + dueText(st.NextRun, now)
	}
	return line
}

// reportPass prints the statuses of a pass and fails when one failed.
func (c *command) reportPass(sts []app.SyncStatusDTO) int {
	sort.Slice(sts, func(i, j int) bool { return sts[i].Account < sts[j].Account })
	if c.json {
		c.printJSON(c.env.Stdout, sts)
	}
	code := ExitOK
	for _, st := range sts {
		if st.LastError != "" {
			fmt.Fprintf(c.env.Stderr, "caseyos sync: %s: %s\n", st.Account, st.LastError)
			code = ExitError
			continue
		}
		if !c.json {
			fmt.Fprintf(c.env.Stdout, "Synced %s: %d new items (%d in all).\n", st.Account, st.LastItems, st.Items)
		}
	}
	return code
}

// Fake is a developer's stand-in for a vendor, served on its own.
type Fake func(ctx context.Context, addr string) (url string, stop func(), err error)

func runDev(ctx context.Context, c *command, args []string) int {
	if len(args) == 0 || !strings.HasPrefix(args[0], "fake-") {
		c.usageError("dev needs a fake to run: dev fake-hubspot --addr 127.0.0.1:PORT")
		return ExitUsage
	}
	name := strings.TrimPrefix(args[0], "fake-")
	fs := c.flags()
	addr := fs.String("addr", "127.0.0.1:0", "address to listen on")
	if _, ok := c.parse(args[1:], 0, "no arguments besides --addr"); !ok {
		return ExitUsage
	}
	fake, ok := c.env.Fakes[name]
	if !ok {
		c.usageError(fmt.Sprintf("there is no fake %q", name))
		return ExitUsage
	}
	url, stop, err := fake(ctx, *addr)
	if err != nil {
		return c.fail(err)
	}
	defer stop()
	if name == app.TranscriptionAccount {
		// Not an account with a base URL: the endpoint is connected itself.
		fmt.Fprintf(c.env.Stdout, "Fake %s serving at %s\nConnect it in Settings → Voice, or with `caseyos connect whisper --url %s --key-stdin` and the key above. Press Ctrl-C to stop.\n", name, url, url)
	} else {
		fmt.Fprintf(c.env.Stdout, "Fake %s serving at %s\nPoint CaseyOS at it: CASEYOS_%s_BASE_URL=%s. Press Ctrl-C to stop.\n", name, url, strings.ToUpper(name), url)
	}
	<-ctx.Done()
	return ExitOK
}

// webhookInstance is the running CaseyOS of the data directory, whichever
// workspace it shows (the webhook secret is not a workspace's), or nil.
func (c *command) webhookInstance() *app.Instance {
	dir, err := app.DataDir(c.g.dataDir)
	if err != nil {
		return nil
	}
	for _, demo := range []bool{false, true} {
		if r := app.FindInstance(dir, app.ChooseWorkspace(dir, demo, false)); r != nil {
			return r
		}
	}
	return nil
}

// Accounts that share one sign-in (Connector.Group) are connected together:
// `caseyos connect google --credentials FILE` signs in to Google once and
// connects both gmail and gcal.

// connectorsFor returns the connector named name, or every connector of
// the group name; it prints a usage error when there is neither.
func (c *command) connectorsFor(name string) ([]app.Connector, bool) {
	var group []app.Connector
	for _, k := range c.env.Connectors {
		if k.Account == name {
			return []app.Connector{k}, true
		}
		if k.Group == name {
			group = append(group, k)
		}
	}
	if len(group) > 0 {
		return group, true
	}
	k, ok := c.connector(name)
	return []app.Connector{k}, ok
}

// groupLabel names the accounts connected together: "Gmail and Google Calendar".
func groupLabel(conns []app.Connector) string {
	labels := make([]string, 0, len(conns))
	for _, k := range conns {
		labels = append(labels, k.Label)
	}
	if len(labels) <= 2 {
		return strings.Join(labels, " and ")
	}
	return strings.Join(labels[:len(labels)-1], ", ") + " and " + labels[len(labels)-1]
}

// itemCount says "1 item", "3 items".
func itemCount(n int) string {
	if n == 1 {
		return "1 item"
	}
	return fmt.Sprintf("%d items", n)
}

package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/caseyos/caseyos/app"
	"github.com/caseyos/caseyos/backend"
)

// Env is what the CLI needs from the process: streams, the store opener and
// the clock.
type Env struct {
	Stdin         io.Reader
	Stdout        io.Writer
	Stderr        io.Writer
	Open          app.OpenFunc
	Clock         backend.Clock
	SchemaVersion int
	Assets        fs.FS // the built frontend (its root holds index.html)
	Voice         app.VoiceEnv

	// Secrets is the OS keychain (connectors/keychain); nil when none.
	Secrets backend.Secrets
	// Connectors are the accounts that can be connected, built in main.go.
	Connectors []app.Connector
	// WebhookAddr is the webhook receiver's loopback address
	// ($CASEYOS_WEBHOOK_ADDR); "" keeps it off.
	WebhookAddr string
	// Fakes are the vendors' fakes `caseyos dev fake-NAME` serves.
	Fakes map[string]Fake
	// DemoFeed, when set, brings the demo's vendor signals through the
	// real connectors from in-process fakes.
	DemoFeed app.DemoFeed
	// DemoAccounts, when set, lets the demo's moves execute against its
	// fakes (demo.go).
	DemoAccounts app.DemoAccounts
	// Restore puts the backup src in place of the data file at path and
	// returns where the replaced file was kept (store.RestoreFile); nil:
	// this build cannot.
	Restore func(path, src string) (replaced string, err error)
	// Compact rewrites the data file at a path without its free pages
	// (store.CompactFile) and returns its size before and after; nil: this
	// build cannot.
	Compact func(path string) (before, after int64, err error)
	// Model builds the optional language model's client (connectors/llm).
	Model app.ModelFunc
}

// Exit codes.
const (
	ExitOK      = 0
	ExitError   = 1 // the command failed
	ExitUsage   = 2
	ExitPartial = 3 // ingest, classify: some lines were rejected, the rest were done
)

const usage = `CaseyOS — today's go-to-market moves, ranked.

Usage: caseyos [--data-dir DIR] [--demo] [--tray] [COMMAND [ARGS]]

With no command, caseyos opens the desktop window (with --tray, only its tray icon:
how it starts at login).

Commands:
  today [--json] [--domain sales|marketing|cs] [--limit N]   Today's Moves, best first
  explain ID [--json]                    why a move scores what it does, and its history
  skip ID [--reason R] [--not-duplicate] [--json]   skip a move (a merge: --not-duplicate never proposes the pair again)
  snooze ID --until WHEN [--json]        hide a move until WHEN (2h, 3d, tomorrow, monday, 15:30, RFC 3339)
  restore ID [--json]                    bring a skipped, snoozed or undone move back
  restore FILE [--json]                  put a backup in place of the data file (not while CaseyOS runs; the replaced file is kept)
  execute ID [--dry-run] [--yes] [--allow-template] [--json]   preview a move, ask, then carry it out (waits out the undo window)
  undo ID [--json]                       cancel a waiting execution (nothing sent), or roll back a done one
  outcome ID TYPE [--note TEXT] [--corrects N] [--json]   record what happened after a move (or correct a detected outcome)
  outcomes [ID] [--json] [--limit N]     a move's outcomes, or the latest of every move, with what each was detected from
  sequence [stop] ID [--json]            the follow-ups of an unanswered email (ID: its move or a follow-up's); stop ends them
  kill-switch on|off|status [--reason R] stop every outgoing action at once (persisted)
  autostart on|off|status [--json]       start CaseyOS (to its tray) when you log in
  shortcuts [status|set ACTION KEYS|off ACTION] [--json]   global shortcuts (show_hide, preview, skip, push_to_talk) and their state
  dnc list|add EMAIL|remove EMAIL [--reason R] [--note N] [--json]
                                         the do-not-contact list: addresses nothing may be sent to (alias: do-not-contact)
  export PERSON [--out FILE]             everything CaseyOS holds about a person (email or contact id), as JSON
  forget PERSON [--yes] [--hubspot] [--json]   delete everything about a person; only a hash stays on the do-not-contact list
  compact [--json]                       prune what is older than the retention period, then shrink the data file
  outbox [--retry] [--json]              executions waiting for their account or the recipient's send window
  audit [--verify] [--json] [--limit N]  the hash-chained audit log; --verify detects tampering
  audit --rekey [--yes]                  replace a lost audit key (recorded; older entries become unverifiable)
  rules simulate RULE_FILE [--days N]    what an auto-approval rule would have executed in the last 7 days
  stats [--weeks N] [--json]             what the moves carried out achieved, per week and kind (docs/cli.md)
  ingest FILE|- [--json]                 add signals from JSON lines (docs/signals.md)
  classify [--json] [FILE|-]             the intent of each email given as a JSON line (offline, needs no workspace)
  import contacts FILE.csv|- [--json]    import a CRM export (HubSpot's columns); bad rows are reported, the rest kept (exit 3)
  duplicates [--json] [--min-score S] [--propose] [--companies]
                                         pairs of contacts (or companies) that look like one, with the evidence
  learning [show|on|off|reset] [--json] the learned fifth score line: switch it, or forget what it learned
  serve [--addr 127.0.0.1:PORT]          the app in your browser (prints the URL to open)
  backup FILE                            write a consistent copy of the data file
  voice recognize FILE.wav|devices|listen   voice commands (offline, or online first when connected)
  connect hubspot --token-stdin|--oauth  store an account's credentials in the OS keychain (validated first)
  connect google --credentials FILE      sign in to Google once for gmail and gcal (docs/google.md)
  connect x --consumer-key KEY [--pin]   sign in to X; the consumer secret on standard input
  connect x --consumer-key KEY --access-token TOKEN --secrets-stdin  keys and tokens from X's developer portal
  connect webhook --secret-stdin         store the webhook receiver's secret
  connect whisper --url URL [--model M] [--timeout D] [--key-stdin]
                                         hear voice commands online first (OpenAI, a whisper.cpp server)
  connect llm --url URL --model MODEL [--key-stdin] [--no-check] [--daily-tokens N]
                                         let a language model rewrite reply drafts (OpenAI, Grok, Gemini, Ollama)
  disconnect ACCOUNT                     remove an account's credentials and stop syncing it
  status [--json]                        each account: state, last success, last error, next run, items
  sync [--once] [--json] [ACCOUNT]       sync in the foreground (one pass with --once; exit 1 if it failed)
  dev fake-hubspot [--addr ADDR]         serve the fake HubSpot for development
  dev fake-google [--addr ADDR]          serve the fake Google (OAuth, Gmail, Calendar) for development
  dev fake-whisper [--addr ADDR]         serve a fake transcription endpoint (prints its API key)
  dev fake-x [--addr ADDR]               serve the fake X (OAuth 1.0a, mentions, search, posting) for development
  dev fake-llm [--addr ADDR]             serve a fake OpenAI-compatible model (prints its API key)
  version                                print the version

Global flags:
  --data-dir DIR   where data lives (default $CASEYOS_DATA_DIR, else the OS user data directory)
  --demo           use the demo workspace even when your own exists

With no workspace of your own yet, commands run on the demo workspace.
`

// Main runs the CLI with args (without the program name) and returns the
// process exit code.
func Main(ctx context.Context, args []string, env Env) int {
	if env.Clock == nil {
		env.Clock = backend.SystemClock{}
	}
	cmd, rest := "", args
	// Global flags may come before the command.
	var g globals
	pre := flag.NewFlagSet("caseyos", flag.ContinueOnError)
	pre.SetOutput(io.Discard)
	g.register(pre)
	tray := pre.Bool("tray", false, "open the desktop app to its tray only")
	if err := pre.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(env.Stdout, usage)
			return ExitOK
		}
		fmt.Fprintf(env.Stderr, "caseyos: %v\n\n%s", err, usage)
		return ExitUsage
	}
	if pre.NArg() > 0 {
		cmd, rest = pre.Arg(0), pre.Args()[1:]
	}
	if *tray && cmd != "" {
		fmt.Fprintf(env.Stderr, "caseyos: --tray opens the desktop app to its tray; it takes no command (got %q)\n\n%s", cmd, usage)
		return ExitUsage
	}
	switch cmd {
	case "":
		// No command: the desktop window (desktop.go), or in a build
		// without it, a message saying how to get one.
		return runDesktop(ctx, &command{name: "desktop", env: env, g: g}, *tray)
	case "help":
		if u, ok := commandUsage(strings.Join(rest, " ")); ok {
			fmt.Fprint(env.Stdout, u)
			return ExitOK
		}
		fmt.Fprint(env.Stdout, usage)
		return ExitOK
	case app.WindowCommand:
		// The desktop app's window process (app/window_link.go), started by
		// the app itself; not a command for people.
		switch err := app.RunWindow(ctx, env.Assets, env.Stderr); {
		case err == nil:
			return ExitOK
		case errors.Is(err, app.ErrNoDesktop):
			fmt.Fprintln(env.Stderr, err.Error())
			return ExitUsage
		case !errors.Is(err, app.ErrReported):
			fmt.Fprintf(env.Stderr, "caseyos: %s\n", backend.ErrorMessage(err))
		}
		return ExitError
	case "version":
		fmt.Fprintf(env.Stdout, "caseyos %s (data schema %d, %s, %s/%s)\n", app.Version, env.SchemaVersion, runtime.Version(), runtime.GOOS, runtime.GOARCH)
		return ExitOK
	}
	c := &command{name: cmd, env: env, g: g}
	run, ok := commands[cmd]
	if !ok {
		fmt.Fprintf(env.Stderr, "caseyos: unknown command %q\n\n%s", cmd, usage)
		return ExitUsage
	}
	if asksHelp(rest) {
		u, _ := commandUsage(cmd)
		fmt.Fprint(env.Stdout, u)
		return ExitOK
	}
	return run(ctx, c, rest)
}

// asksHelp says whether a command's arguments ask for help (-h, --help)
// anywhere before a "--".
func asksHelp(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-h", "--h", "-help", "--help":
			return true
		}
	}
	return false
}

// commandUsage returns the usage of the command line starts with ("today",
// "connect hubspot" …): every line of the Commands list for that command
// (all of connect's for "connect hubspot") and the global flags; ok is
// false when the list does not name the command.
func commandUsage(line string) (string, bool) {
	words := strings.Fields(line)
	if len(words) == 0 {
		return "", false
	}
	_, rest, _ := strings.Cut(usage, "\nCommands:\n")
	list, globalsPart, _ := strings.Cut(rest, "\nGlobal flags:\n")
	globalFlags, _, _ := strings.Cut(globalsPart, "\n\n")
	var lines []string
	taking := false
	for _, l := range strings.Split(list, "\n") {
		if strings.HasPrefix(l, "   ") { // continues the line above
			if taking {
				lines = append(lines, l)
			}
			continue
		}
		f := strings.Fields(l)
		taking = len(f) > 0 && f[0] == words[0]
		if taking {
			lines = append(lines, l)
		}
	}
	if len(lines) == 0 {
		return "", false
	}
	var b strings.Builder
	b.WriteString("Usage:\n")
	for _, l := range lines {
		if strings.HasPrefix(l, "   ") {
			b.WriteString("        " + l + "\n") // keeps it under its description
			continue
		}
		b.WriteString("  caseyos " + strings.TrimPrefix(l, "  ") + "\n")
	}
	b.WriteString("\nGlobal flags:\n" + globalFlags + "\n")
	return b.String(), true
}

type globals struct {
	dataDir string
	demo    bool
}

func (g *globals) register(fs *flag.FlagSet) {
	fs.StringVar(&g.dataDir, "data-dir", g.dataDir, "data directory")
	fs.BoolVar(&g.demo, "demo", g.demo, "use the demo workspace")
}

// command is one CLI invocation.
type command struct {
	name string
	env  Env
	g    globals
	fs   *flag.FlagSet
	json bool
}

var commands map[string]func(context.Context, *command, []string) int

func init() {
	commands = map[string]func(context.Context, *command, []string) int{
		"today": runToday, "explain": runExplain, "skip": runSkip, "snooze": runSnooze,
		"restore": runRestore, "execute": runExecuteMove, "undo": runUndoExecution, "kill-switch": runKillSwitch,
		"outbox": runOutbox, "audit": runAudit, "rules": runRules, "ingest": runIngest, "backup": runBackup,
		"serve": runServe, "connect": runConnect, "disconnect": runDisconnect, "status": runStatus,
		"sync": runSync, "dev": runDev, "voice": runVoice,
		"dnc": runDoNotContact, "do-not-contact": runDoNotContact, "classify": runClassify,
		"import": runImport, "duplicates": runDuplicates,
		"stats": runStats, "export": runExport, "forget": runForget, "compact": runCompact,
		"outcome": runOutcome, "outcomes": runOutcomes,
		"sequence": runSequence, "autostart": runAutostart,
		"learning": runLearning, "shortcuts": runShortcuts,
	}
}

func (c *command) flags() *flag.FlagSet {
	c.fs = flag.NewFlagSet("caseyos "+c.name, flag.ContinueOnError)
	c.fs.SetOutput(io.Discard)
	c.g.register(c.fs)
	return c.fs
}

// parse parses flags that may come before or after positional arguments
// ("skip 12 --reason x" and "skip --reason x 12") and returns the positionals.
func (c *command) parse(args []string, want int, what string) ([]string, bool) {
	var pos []string
	for {
		if err := c.fs.Parse(args); err != nil {
			c.usageError(err.Error())
			return nil, false
		}
		if c.fs.NArg() == 0 {
			break
		}
		pos = append(pos, c.fs.Arg(0))
		args = c.fs.Args()[1:]
	}
	if len(pos) != want {
		c.usageError(fmt.Sprintf("%s needs %s", c.name, what))
		return nil, false
	}
	return pos, true
}

func (c *command) usageError(msg string) {
	fmt.Fprintf(c.env.Stderr, "caseyos %s: %s\n", c.name, msg)
	fmt.Fprintf(c.env.Stderr, "Run 'caseyos help' for usage.\n")
}

// target is what the commands call: the App of this process's Host, or a
// running instance's App over its loopback API when that instance holds
// the data file. Both take the bound services' methods by
// "<Service>.<Method>" (app.Forward), and stream an import or a backup.
type target interface {
	app.Caller
	Ingest(r io.Reader) (app.IngestDTO, error)
	ImportContacts(r io.Reader, progress func(int)) (app.ImportContactsDTO, error)
	Backup(path string) (app.BackupDTO, error)
}

var (
	_ target = (*app.Host)(nil)
	_ target = (*app.Instance)(nil)
)

// open opens the workspace the command runs on. When a running CaseyOS
// (desktop or serve) holds that workspace, the command goes to it instead,
// so the window sees the change at once.
func (c *command) open(ctx context.Context, createsReal bool) (target, func(), bool) {
	dir, err := app.DataDir(c.g.dataDir)
	if err != nil {
		c.fail(err)
		return nil, nil, false
	}
	f, done, err := c.reach(ctx, dir, app.ChooseWorkspace(dir, c.g.demo, createsReal))
	if err != nil {
		c.fail(err)
		return nil, nil, false
	}
	return f, done, true
}

// reach returns the running CaseyOS that holds ws, or else ws opened in
// this process; done closes what it opened.
func (c *command) reach(ctx context.Context, dir string, ws app.Workspace) (f target, done func(), err error) {
	if r := app.FindInstance(dir, ws); r != nil {
		return r, func() {}, nil
	}
	a, done, err := c.openLocal(ctx, ws)
	if err != nil {
		return nil, nil, err
	}
	return a, done, nil
}

// openLocal opens ws in this process.
func (c *command) openLocal(ctx context.Context, ws app.Workspace) (*app.Host, func(), error) {
	return app.OpenHost(ctx, ws, c.host())
}

// host is what this process opens a workspace with.
func (c *command) host() app.HostOptions {
	e := c.env
	return app.HostOptions{Open: e.Open, Clock: e.Clock, Assets: e.Assets, Voice: e.Voice, Secrets: e.Secrets, Connectors: e.Connectors,
		WebhookAddr: e.WebhookAddr, DemoFeed: e.DemoFeed, DemoAccounts: e.DemoAccounts, Stderr: e.Stderr, Model: e.Model}
}

// runDesktop opens the desktop window (app.RunDesktop), or in a build
// without it, says how to get one.
func runDesktop(ctx context.Context, c *command, tray bool) int {
	o := c.host()
	o.TrayOnly = tray
	err := app.RunDesktop(ctx, c.g.dataDir, c.g.demo, o)
	switch {
	case err == nil:
		return ExitOK
	case errors.Is(err, app.ErrNoDesktop):
		fmt.Fprintln(c.env.Stderr, err.Error())
		return ExitUsage
	case errors.Is(err, app.ErrReported):
		return ExitError
	}
	return c.fail(err)
}

// fail prints err for a person (or as {code, message} JSON with --json) and
// returns the exit code.
func (c *command) fail(err error) int {
	if c.json {
		c.printJSON(c.env.Stderr, app.ErrorDTO{Code: backend.ErrorCode(err), Message: backend.ErrorMessage(err)})
		return ExitError
	}
	msg := backend.ErrorMessage(err)
	if backend.ErrorCode(err) == backend.EINTERNAL {
		msg += " (" + err.Error() + ")"
	}
	fmt.Fprintf(c.env.Stderr, "caseyos %s: %s\n", c.name, msg)
	return ExitError
}

func (c *command) printJSON(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// openForMove parses the one move ID a command takes and opens the
// workspace. When done is nil, code is the exit code to return.
func (c *command) openForMove(ctx context.Context, args []string) (a target, id uint64, done func(), code int) {
	pos, ok := c.parse(args, 1, "a move ID")
	if !ok {
		return nil, 0, nil, ExitUsage
	}
	if id, ok = parseID(c, pos[0]); !ok {
		return nil, 0, nil, ExitUsage
	}
	if a, done, ok = c.open(ctx, false); !ok {
		return nil, 0, nil, ExitError
	}
	return a, id, done, ExitOK
}

func parseID(c *command, s string) (uint64, bool) {
	id, err := strconv.ParseUint(strings.TrimPrefix(s, "#"), 10, 64)
	if err != nil || id == 0 {
		c.usageError(fmt.Sprintf("%q is not a move id (the number shown in the # column)", s))
		return 0, false
	}
	return id, true
}

func runToday(ctx context.Context, c *command, args []string) int {
	fs := c.flags()
	fs.BoolVar(&c.json, "json", false, "print JSON")
	domain := fs.String("domain", "", "sales, marketing or cs")
	limit := fs.Int("limit", 0, "how many moves")
	if _, ok := c.parse(args, 0, "no arguments"); !ok {
		return ExitUsage
	}
	a, done, ok := c.open(ctx, false)
	if !ok {
		return ExitError
	}
	defer done()
	t, err := app.Forward[app.TodayDTO](a, "TodayService.Today", *domain, *limit)
	if err != nil {
		return c.fail(err)
	}
	if c.json {
		c.printJSON(c.env.Stdout, t)
		return ExitOK
	}
	c.printToday(t)
	return ExitOK
}

func (c *command) banner(ws app.WorkspaceDTO) {
	if ws.Demo {
		fmt.Fprintf(c.env.Stdout, "▌ %s — sample data. Your own workspace starts with `caseyos ingest FILE` or connecting an account.\n\n", strings.ToUpper(ws.Label))
	}
}

func (c *command) printToday(t app.TodayDTO) {
	out := c.env.Stdout
	c.banner(t.Workspace)
	now := c.env.Clock.Now()
	scope := "all domains"
	if t.Domain != "" {
		scope = t.Domain
	}
	fmt.Fprintf(out, "Today's Moves — %d pending in %s (sales %d · marketing %d · cs %d)\n\n",
		t.Pending, scope, t.ByDomain["sales"], t.ByDomain["marketing"], t.ByDomain["cs"])
	if len(t.Moves) == 0 {
		fmt.Fprintln(out, "Nothing to do right now. New signals will bring new moves.")
		return
	}
	// The move title goes last so a long title never pushes the columns.
	fmt.Fprintf(out, "%5s  %5s  %-9s  %-10s  %s\n", "#", "APS", "DOMAIN", "DUE", "MOVE")
	for _, m := range t.Moves {
		fmt.Fprintf(out, "%5d  %5.1f  %-9s  %-10s  %s\n", m.ID, m.APS, m.Domain, dueText(m.DueAt, now), m.Title)
		if m.TopReason != "" {
			fmt.Fprintf(out, "%36s↳ %s\n", "", m.TopReason)
		}
	}
	fmt.Fprintln(out, "\ncaseyos explain ID · execute ID · skip ID · snooze ID --until 2h")
}

func dueText(t *time.Time, now time.Time) string {
	if t == nil {
		return "—"
	}
	d := t.Sub(now)
	switch {
	case d < -time.Minute:
		return "overdue " + shortDuration(-d)
	case d < time.Minute:
		return "now"
	}
	return "in " + shortDuration(d)
}

func shortDuration(d time.Duration) string {
	switch {
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	}
	return fmt.Sprintf("%dd", int(d.Hours()/24))
}

func runExplain(ctx context.Context, c *command, args []string) int {
	fs := c.flags()
	fs.BoolVar(&c.json, "json", false, "print JSON")
	a, id, done, code := c.openForMove(ctx, args)
	if done == nil {
		return code
	}
	defer done()
	e, err := app.Forward[app.ExplainDTO](a, "TodayService.Explain", id)
	if err != nil {
		return c.fail(err)
	}
	if c.json {
		c.printJSON(c.env.Stdout, e)
		return ExitOK
	}
	out := c.env.Stdout
	c.banner(e.Workspace)
	m := e.Move
	fmt.Fprintf(out, "Move %d · %s\n%s · %s · %s · from %s\n\n", m.ID, m.Title, m.Status, m.Domain, m.Kind, m.Source)
	fmt.Fprintln(out, e.Formula)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	row := func(name string, c app.ComponentDTO) {
		fmt.Fprintf(tw, "  %s\t%.2f\t×%.2f\t= %4.1f\t%s\n", name, c.Value, c.Weight, c.Contribution, c.Reason)
	}
	row("revenue", m.Score.Revenue)
	row("urgency", m.Score.Urgency)
	row("effort (1−x)", m.Score.Effort)
	row("strategic", m.Score.Strategic)
	if l := m.Score.Learned; l != nil {
		fmt.Fprintf(tw, "  learned\t\t\t= %+4.1f\t%s\n", l.Points, l.Reason)
	}
	tw.Flush()
	fmt.Fprintln(out, "\nWhy:")
	for _, r := range m.Reasons {
		fmt.Fprintf(out, "  • %s\n", r)
	}
	fmt.Fprintln(out, "\nWhat executing does:")
	var effects []string
	if p, err := app.Forward[app.ExecutionPreviewDTO](a, "ExecutionService.PreviewExecution", id); err == nil {
		effects = p.DraftEffects
	}
	printDraft(out, m, effects)
	if q := e.FollowUps; q != nil {
		fmt.Fprintf(out, "\nFollow-ups: %s\n", q.Summary)
	}
	fmt.Fprintln(out, "\nHistory:")
	for _, h := range e.History {
		change := h.Action
		if h.From != "" || h.To != "" {
			change = fmt.Sprintf("%s → %s", nonDash(h.From), nonDash(h.To))
		}
		fmt.Fprintf(out, "  %-15s  %-6s %-22s %s\n", backend.Stamp(h.At, time.Local), h.Actor, change, h.Detail)
	}
	return ExitOK
}

func nonDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// printDraft says what executing m does; effects are its preview's lines
// (names, not ids, for the records a merge or a reply points at).
func printDraft(out io.Writer, m app.MoveDTO, effects []string) {
	d := m.Draft
	first := func(fallback string) string {
		if len(effects) > 0 {
			return effects[0]
		}
		return fallback
	}
	switch m.Kind {
	case string(backend.KindSendEmail):
		fmt.Fprintf(out, "  send email to %s\n  subject: %s\n", strings.Join(d.To, ", "), d.Subject)
		if d.ThreadID != "" {
			fmt.Fprintf(out, "  as a reply in the same thread\n")
		}
		fmt.Fprintf(out, "  ---\n  %s\n", strings.ReplaceAll(d.Body, "\n", "\n  "))
	case string(backend.KindCreateTask):
		fmt.Fprintf(out, "  create task %q\n", d.TaskTitle)
		if d.TaskDue != nil {
			fmt.Fprintf(out, "  due %s\n", backend.Stamp(*d.TaskDue, time.Local))
		}
	case string(backend.KindMergeContacts):
		fmt.Fprintf(out, "  %s\n", first("merge contacts "+strings.Join(d.MergeIDs, " ← ")))
	case string(backend.KindReplySocial):
		fmt.Fprintf(out, "  %s\n", first(fmt.Sprintf("reply to post %s: %q", d.PostID, d.Body)))
	case string(backend.KindNote):
		fmt.Fprintf(out, "  save note %q\n  %s\n", d.Subject, strings.ReplaceAll(d.Body, "\n", "\n  "))
	default:
		fmt.Fprintf(out, "  %s\n", m.Kind)
	}
}

func runSkip(ctx context.Context, c *command, args []string) int {
	fs := c.flags()
	fs.BoolVar(&c.json, "json", false, "print JSON")
	reason := fs.String("reason", "", "why")
	notDup := fs.Bool("not-duplicate", false, "a merge move's contacts are two people: never propose the pair again")
	return c.change(ctx, args, func(a target, id uint64) (app.MoveDTO, error) {
		if *notDup {
			*reason = backend.SkipNotDuplicate
		}
		return app.Forward[app.MoveDTO](a, "TodayService.Skip", id, *reason, "cli")
	}, "Skipped")
}

func runSnooze(ctx context.Context, c *command, args []string) int {
	fs := c.flags()
	fs.BoolVar(&c.json, "json", false, "print JSON")
	until := fs.String("until", "", "when the move comes back")
	return c.change(ctx, args, func(a target, id uint64) (app.MoveDTO, error) {
		if *until == "" {
			return app.MoveDTO{}, backend.Errorf(backend.EINVALID, "snooze needs --until (2h, 3d, tomorrow, monday, 15:30, RFC 3339)")
		}
		return app.Forward[app.MoveDTO](a, "TodayService.Snooze", id, *until, "cli")
	}, "Snoozed")
}

func runRestore(ctx context.Context, c *command, args []string) int {
	fs := c.flags()
	fs.BoolVar(&c.json, "json", false, "print JSON")
	if file, ok := restoreFileArg(args); ok {
		return c.restoreFile(ctx, args, file)
	}
	return c.change(ctx, args, func(a target, id uint64) (app.MoveDTO, error) {
		return app.Forward[app.MoveDTO](a, "TodayService.Restore", id, "cli")
	}, "Restored")
}

func (c *command) change(ctx context.Context, args []string, fn func(target, uint64) (app.MoveDTO, error), verb string) int {
	a, id, done, code := c.openForMove(ctx, args)
	if done == nil {
		return code
	}
	defer done()
	m, err := fn(a, id)
	if err != nil {
		return c.fail(err)
	}
	if c.json {
		c.printJSON(c.env.Stdout, m)
		return ExitOK
	}
	extra := ""
	if m.SnoozedUntil != nil {
		extra = " until " + backend.Stamp(*m.SnoozedUntil, time.Local)
	}
	fmt.Fprintf(c.env.Stdout, "%s move %d: %s%s\n", verb, m.ID, m.Title, extra)
	return ExitOK
}

func runIngest(ctx context.Context, c *command, args []string) int {
	fs := c.flags()
	fs.BoolVar(&c.json, "json", false, "print JSON")
	pos, ok := c.parse(args, 1, "a FILE of JSON lines, or - for standard input")
	if !ok {
		return ExitUsage
	}
	in := c.env.Stdin
	if pos[0] != "-" {
		f, err := os.Open(pos[0])
		if err != nil {
			return c.fail(&backend.Error{Code: backend.EINVALID, Message: fmt.Sprintf("cannot read %s", pos[0]), Err: err})
		}
		defer f.Close()
		in = f
	}
	// An import creates your own workspace; one that stores nothing must
	// not, or its empty file would hide the demo from then on.
	fresh := ""
	if dir, err := app.DataDir(c.g.dataDir); err == nil && !c.g.demo {
		if p := filepath.Join(dir, app.RealFile); !fileExists(p) {
			fresh = p
		}
	}
	// A first import writes under a temporary name until its first batch
	// is stored, so that being killed before leaves no workspace either.
	var first *app.FirstImport
	if fresh != "" && app.FirstImportsRename {
		first = app.NewFirstImport(fresh)
		c.env.Open = first.Open(c.env.Open)
	}
	a, done, ok := c.open(ctx, true)
	if !ok {
		if first != nil {
			first.Finish()
		}
		return ExitError
	}
	var rep app.IngestDTO
	var err error
	if local, isLocal := a.(*app.Host); isLocal && first != nil {
		rep, err = local.IngestThen(in, first.Publish)
	} else {
		first = nil // a running instance has the file open already
		rep, err = a.Ingest(in)
	}
	done()
	switch {
	case first != nil:
		first.Finish()
	case fresh != "" && rep.Stored == 0:
		if rerr := os.Remove(fresh); rerr != nil && !errors.Is(rerr, os.ErrNotExist) {
			fmt.Fprintf(c.env.Stderr, "caseyos ingest: cannot remove the empty workspace %s: %v\n", fresh, rerr)
		}
	}
	if !c.json {
		for _, r := range rep.Rejected {
			fmt.Fprintf(c.env.Stderr, "line %d: %s\n", r.Line, r.Message)
		}
		if more := rep.RejectedTotal - len(rep.Rejected); more > 0 {
			fmt.Fprintf(c.env.Stderr, "… and %s more rejected lines; reasons: %s\n", thousands(more), reasonCounts(rep))
		}
	}
	if err != nil {
		if !c.json {
			fmt.Fprintf(c.env.Stderr, "stopped after storing %d signals\n", rep.Stored)
		}
		return c.fail(err)
	}
	switch {
	case c.json:
		c.printJSON(c.env.Stdout, rep)
	case rep.Lines == 0:
		fmt.Fprintf(c.env.Stdout, "No signals in %s: nothing stored.\n", pos[0])
	case fresh != "" && rep.Stored == 0:
		fmt.Fprintf(c.env.Stdout, "Nothing stored: all %d signals were rejected, so no workspace was created.\n", rep.Lines)
	default:
		fmt.Fprintf(c.env.Stdout, "Ingested %d of %d signals into %s: %d new, %d already known, %d rejected; %d moves created, %d updated.\n",
			rep.Stored+rep.Duplicates, rep.Lines, rep.Workspace.Path, rep.Stored, rep.Duplicates, rep.RejectedTotal, len(rep.Created), len(rep.Updated))
	}
	if rep.RejectedTotal > 0 {
		return ExitPartial
	}
	return ExitOK
}

// reasonCounts says how many lines of the whole import were rejected for
// each reason counted.
func reasonCounts(rep app.IngestDTO) string {
	var b strings.Builder
	sum := 0
	for i, r := range rep.RejectedReasons {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%s (%s)", r.Message, thousands(r.Count))
		sum += r.Count
	}
	if other := rep.RejectedTotal - sum; other > 0 {
		fmt.Fprintf(&b, "; other reasons (%s)", thousands(other))
	}
	return b.String()
}

// thousands writes n with commas: 1,234,567.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func runBackup(ctx context.Context, c *command, args []string) int {
	c.flags()
	pos, ok := c.parse(args, 1, "a FILE to write")
	if !ok {
		return ExitUsage
	}
	a, done, ok := c.open(ctx, false)
	if !ok {
		return ExitError
	}
	defer done()
	b, err := a.Backup(pos[0])
	if err != nil {
		return c.fail(err)
	}
	fmt.Fprintf(c.env.Stdout, "Backed up %s (%d bytes) to %s\n", b.Source, b.Bytes, b.Path)
	return ExitOK
}

func runServe(ctx context.Context, c *command, args []string) int {
	fs := c.flags()
	addr := fs.String("addr", "127.0.0.1:0", "address to listen on (loopback unless you say otherwise)")
	if _, ok := c.parse(args, 0, "no arguments"); !ok {
		return ExitUsage
	}
	dir, err := app.DataDir(c.g.dataDir)
	if err != nil {
		return c.fail(err)
	}
	ws := app.ChooseWorkspace(dir, c.g.demo, false)
	if info, err := app.ReadInstance(dir); err == nil && app.FindInstance(dir, ws) != nil {
		return c.fail(backend.Errorf(backend.ECONFLICT, "CaseyOS is already running on this workspace: open %s?token=%s", info.URL, info.Token))
	}
	if host, _, err := net.SplitHostPort(*addr); err != nil {
		return c.fail(backend.Errorf(backend.EINVALID, "--addr %q is not host:port", *addr))
	} else if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		fmt.Fprintf(c.env.Stderr, "warning: serving on %s, which other machines may reach; the token is all that protects your data\n", *addr)
	}
	a, done, err := c.openLocal(ctx, ws)
	if err != nil {
		return c.fail(err)
	}
	defer done()
	a.Start(ctx)
	defer a.Stop()
	url, stop, err := a.Serve(ctx, dir, *addr)
	if err != nil {
		return c.fail(err)
	}
	defer stop()
	label := "your workspace"
	if ws.Demo {
		label = "the " + app.DemoLabel
	}
	fmt.Fprintf(c.env.Stdout, "CaseyOS is serving %s at %s\n", label, url)
	fmt.Fprintln(c.env.Stdout, "Open that address in your browser. Press Ctrl-C to stop.")
	<-ctx.Done()
	return ExitOK
}

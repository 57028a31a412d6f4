package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/caseyos/caseyos/app"
	"github.com/caseyos/caseyos/backend"
)

// The execution commands: execute, undo, kill-switch, outbox, audit and
// rules simulate. They call the App (or a running instance's) through
// target.

func runExecuteMove(ctx context.Context, c *command, args []string) int {
	fs := c.flags()
	fs.BoolVar(&c.json, "json", false, "print JSON")
	dryRun := fs.Bool("dry-run", false, "print what would be sent or created, and stop")
	yes := fs.Bool("yes", false, "do not ask before executing")
	allowTemplate := fs.Bool("allow-template", false, "send a draft that still holds template text (an empty bullet, a [placeholder], a TODO) as it is; the audit log records it")
	f, id, done, code := c.openForMove(ctx, args)
	if done == nil {
		return code
	}
	defer done()
	if !*dryRun && !c.settle(f) { // a dry run changes nothing
		return ExitError
	}
	p, err := app.Forward[app.ExecutionPreviewDTO](f, "ExecutionService.PreviewExecution", id)
	if err == nil {
		err = p.Blocked() // no account can carry it out: nothing to preview or run
	}
	if err != nil {
		return c.fail(err)
	}
	if c.json && *dryRun {
		c.printJSON(c.env.Stdout, p)
		return ExitOK
	}
	if !c.json {
		c.printPreview(p)
	}
	if *dryRun {
		return ExitOK
	}
	if p.Refused != nil {
		return c.fail(backend.Errorf(backend.ECONFLICT, "%s", p.Refused.Message))
	}
	if len(p.Holes) > 0 && !*allowTemplate {
		names := make([]string, len(p.Holes))
		for i, h := range p.Holes {
			names[i] = h.Message
		}
		return c.fail(&backend.Error{Code: backend.EINVALID, Err: backend.ErrTemplateHoles, Message: fmt.Sprintf(
			"the draft still holds template text (%s): edit it in the window, or run `caseyos execute %d --allow-template` to send it as it is", strings.Join(names, "; "), id)})
	}
	if !*yes {
		fmt.Fprint(c.env.Stdout, "Execute this? [y/N] ")
		line, _ := bufio.NewReader(c.env.Stdin).ReadString('\n')
		if ans := strings.ToLower(strings.TrimSpace(line)); ans != "y" && ans != "yes" {
			fmt.Fprintln(c.env.Stdout, "Not executed; nothing was sent.")
			return ExitError
		}
	}
	st, err := app.Forward[app.ExecutionStatusDTO](f, "ExecutionService.ExecuteMove", id, app.ExecuteRequestDTO{PreviewHash: p.Hash, Via: "cli", AllowTemplate: *allowTemplate})
	if err != nil {
		return c.fail(err)
	}
	if st.State == string(backend.ExecWaitingUndo) {
		if !c.json {
			fmt.Fprintf(c.env.Stdout, "Leaving in %.0f s — run `caseyos undo %d` (or press Ctrl-C here) to cancel.\n", st.UndoSeconds, id)
		}
		if local, ok := f.(*app.Host); ok {
			// This process holds the data file while it waits: it serves
			// the loopback API as a window does, so that `caseyos undo ID`
			// (or any command) from another terminal reaches it.
			if stop, err := local.StartInstance(ctx); err != nil {
				fmt.Fprintf(c.env.Stderr, "caseyos execute: other commands cannot reach this one while it waits (%s); Ctrl-C still cancels\n", backend.ErrorMessage(err))
			} else {
				defer stop()
			}
			// Nothing else would carry it out once this process exits.
			if st, err = local.WaitExecution(ctx, id); err != nil {
				return c.fail(err)
			}
		}
	}
	if c.json {
		c.printJSON(c.env.Stdout, st)
		return ExitOK
	}
	c.printStatus(st)
	if st.State == string(backend.ExecFailed) {
		return ExitError
	}
	return ExitOK
}

// settle finishes, before a command acts through the accounts in this
// process, what a process that stopped in the middle of a call left in
// flight (a CLI killed while it sent): as the window does when it starts,
// the remote side is asked whether it happened, and it is recorded or
// done again. A running instance has done so itself.
func (c *command) settle(f any) bool {
	local, ok := f.(*app.Host)
	if !ok {
		return true
	}
	if err := local.Settle(); err != nil {
		c.fail(err)
		return false
	}
	return true
}

func (c *command) printPreview(p app.ExecutionPreviewDTO) {
	out := c.env.Stdout
	fmt.Fprintf(out, "Move %d — %s via %s\n", p.MoveID, p.Action, p.Account)
	for _, e := range p.Effects {
		fmt.Fprintf(out, "  • %s\n", e)
	}
	if e := p.Plan.Email; e != nil {
		fmt.Fprintf(out, "\n  To:      %s\n", strings.Join(e.To, ", "))
		if len(e.Cc) > 0 {
			fmt.Fprintf(out, "  Cc:      %s\n", strings.Join(e.Cc, ", "))
		}
		fmt.Fprintf(out, "  Subject: %s\n", e.Subject)
		fmt.Fprintf(out, "\n%s\n\n", indent(e.Body))
	}
	if t := p.Plan.Task; t != nil && t.Body != "" {
		fmt.Fprintf(out, "\n%s\n\n", indent(t.Body))
	}
	if m := p.Plan.Meeting; m != nil {
		fmt.Fprintf(out, "  Attendees: %s (working hours judged in %s)\n", strings.Join(m.Attendees, ", "), m.TimeZone)
	}
	for _, h := range p.Holes {
		fmt.Fprintf(out, "  Template text left: %s\n", h.Message)
	}
	if pv := p.Provenance; pv != nil {
		fmt.Fprintf(out, "  %s\n", pv.Line)
		if pv.Note != "" {
			fmt.Fprintf(out, "  %s\n", pv.Note)
		}
		if len(pv.Sent) > 0 {
			// The whole prompt is long; --json holds it (provenance.sent).
			fmt.Fprintf(out, "  What was sent to the model: %d messages, %d characters (--json shows them)\n", len(pv.Sent), len([]rune(pv.SentText())))
		}
	}
	fmt.Fprintf(out, "  Undo: %s\n", p.Undo)
	if p.UndoWindowSeconds > 0 {
		fmt.Fprintf(out, "  It waits %.0f s before leaving.\n", p.UndoWindowSeconds)
	}
	if p.QueuedReason != "" {
		fmt.Fprintf(out, "  Held: %s\n", p.QueuedReason)
	}
	if p.Refused != nil {
		fmt.Fprintf(out, "  Refused by %s: %s\n", p.Refused.Guardrail, p.Refused.Message)
	}
	fmt.Fprintf(out, "  Preview %s\n", p.Hash[:12])
}

// oneLine folds tabs and newlines into spaces, for a table cell.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func indent(s string) string {
	return "    " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n    ")
}

func (c *command) printStatus(st app.ExecutionStatusDTO) {
	out := c.env.Stdout
	switch backend.ExecutionState(st.State) {
	case backend.ExecCommitted:
		fmt.Fprintf(out, "Done (%s): %s\n", st.IdempotencyKey, st.Result)
	case backend.ExecWaitingUndo:
		fmt.Fprintf(out, "Waiting to leave until %s (%s).\n", st.UndoDeadline.Local().Format("15:04:05"), st.IdempotencyKey)
	case backend.ExecQueued:
		fmt.Fprintf(out, "Queued in the outbox (%s): %s\n", st.IdempotencyKey, st.QueuedReason)
	case backend.ExecUndone:
		fmt.Fprintf(out, "Undone (%s): %s\n", st.IdempotencyKey, st.Result)
	case backend.ExecFailed:
		fmt.Fprintf(out, "Failed (%s): %s\n", st.IdempotencyKey, st.Error)
	default:
		fmt.Fprintf(out, "%s (%s)\n", st.State, st.IdempotencyKey)
	}
}

func runUndoExecution(ctx context.Context, c *command, args []string) int {
	fs := c.flags()
	fs.BoolVar(&c.json, "json", false, "print JSON")
	f, id, done, code := c.openForMove(ctx, args)
	if done == nil {
		return code
	}
	defer done()
	if !c.settle(f) {
		return ExitError
	}
	st, err := app.Forward[app.ExecutionStatusDTO](f, "ExecutionService.Rollback", id, "cli") // cancels an execution that has not left yet
	if err != nil {
		return c.fail(err)
	}
	if c.json {
		c.printJSON(c.env.Stdout, st)
		return ExitOK
	}
	c.printStatus(st)
	// Say where the move went: off the list after a rollback, back on it
	// after a cancel.
	if st.State == string(backend.ExecUndone) && st.RolledBackAt != nil {
		fmt.Fprintf(c.env.Stdout, "Move %d is off today's list (undone). `caseyos restore %d` brings it back with its draft; `caseyos explain %d` shows its history.\n", id, id, id)
	} else if st.State == string(backend.ExecUndone) {
		fmt.Fprintf(c.env.Stdout, "Nothing was sent; move %d is back in today's list.\n", id)
	}
	return ExitOK
}

func runKillSwitch(ctx context.Context, c *command, args []string) int {
	fs := c.flags()
	fs.BoolVar(&c.json, "json", false, "print JSON")
	reason := fs.String("reason", "", "why (kept in the audit log)")
	pos, ok := c.parse(args, 1, "on, off or status")
	if !ok {
		return ExitUsage
	}
	a, done, ok := c.open(ctx, false)
	if !ok {
		return ExitError
	}
	defer done()
	ks, err := app.Forward[app.KillSwitchDTO](a, "ExecutionService.KillSwitch", pos[0], *reason, "cli")
	if err != nil {
		return c.fail(err)
	}
	if c.json {
		c.printJSON(c.env.Stdout, ks)
		return ExitOK
	}
	if !ks.On {
		fmt.Fprintln(c.env.Stdout, "Kill switch is off: executions may leave.")
		return ExitOK
	}
	fmt.Fprintf(c.env.Stdout, "Kill switch is ON since %s (by %s): nothing leaves this computer.\n", backend.Stamp(*ks.At, time.Local), ks.By)
	if len(ks.Cancelled) > 0 {
		fmt.Fprintf(c.env.Stdout, "Taken back before they left: moves %v.\n", ks.Cancelled)
	}
	return ExitOK
}

func runOutbox(ctx context.Context, c *command, args []string) int {
	fs := c.flags()
	fs.BoolVar(&c.json, "json", false, "print JSON")
	retry := fs.Bool("retry", false, "try the executions held offline now")
	if _, ok := c.parse(args, 0, "no arguments"); !ok {
		return ExitUsage
	}
	a, done, ok := c.open(ctx, false)
	if !ok {
		return ExitError
	}
	defer done()
	if !c.settle(a) {
		return ExitError
	}
	method := "ExecutionService.Outbox"
	if *retry {
		method = "ExecutionService.RetryOutbox"
	}
	list, err := app.Forward[[]app.ExecutionStatusDTO](a, method)
	if err != nil {
		return c.fail(err)
	}
	if c.json {
		c.printJSON(c.env.Stdout, list)
		return ExitOK
	}
	if len(list) == 0 {
		fmt.Fprintln(c.env.Stdout, "The outbox is empty.")
		return ExitOK
	}
	fmt.Fprintf(c.env.Stdout, "%d queued, in the order they will leave:\n", len(list))
	for _, e := range list {
		when := ""
		if e.NotBefore != nil {
			when = " — next try " + backend.Stamp(*e.NotBefore, time.Local)
		}
		fmt.Fprintf(c.env.Stdout, "  #%d %s: %s (%s)%s\n", e.MoveID, e.Action, e.Summary, e.QueuedReason, when)
	}
	return ExitOK
}

func runAudit(ctx context.Context, c *command, args []string) int {
	fs := c.flags()
	fs.BoolVar(&c.json, "json", false, "print JSON")
	verify := fs.Bool("verify", false, "check the keyed hash chain, its head, count and seal; exit 1 when an entry was altered, inserted, dropped or cut off, the audit key is missing, or entries were signed with a key that was lost and replaced")
	acceptRekeyed := fs.Bool("accept-rekeyed", false, "with --verify: exit 0 when the only finding is entries signed with a lost key that was replaced (they are still reported as unverifiable)")
	rekey := fs.Bool("rekey", false, "replace a lost audit key with a new one, recorded in the log; the entries signed with the lost key can then no longer be proven untampered")
	yes := fs.Bool("yes", false, "with --rekey: do not ask before replacing the key")
	limit := fs.Int("limit", 0, "print only the last N entries")
	if _, ok := c.parse(args, 0, "no arguments"); !ok {
		return ExitUsage
	}
	if *rekey {
		if *verify {
			c.usageError("--rekey and --verify do not go together: replace the key first, then verify")
			return ExitUsage
		}
		return c.rekeyAudit(ctx, *yes)
	}
	a, done, ok := c.open(ctx, false)
	if !ok {
		return ExitError
	}
	defer done()
	if *verify {
		chk, err := app.Forward[app.AuditCheckDTO](a, "AuditService.VerifyAudit")
		if err != nil {
			return c.fail(err)
		}
		if c.json {
			c.printJSON(c.env.Stdout, chk)
		} else {
			switch chk.Status {
			case "ok":
				fmt.Fprintf(c.env.Stdout, "Audit log OK: %s.\n", chk.Message)
			case "partly_unverifiable":
				fmt.Fprintf(c.env.Stdout, "Audit log PARTLY UNVERIFIABLE: %s.\n", chk.Message)
			default:
				fmt.Fprintf(c.env.Stdout, "Audit log TAMPERED: %s.\n", chk.Message)
			}
		}
		switch {
		case chk.OK:
			return ExitOK
		case chk.Status == "partly_unverifiable" && *acceptRekeyed:
			return ExitOK
		case chk.Status == "partly_unverifiable" && !c.json:
			fmt.Fprintln(c.env.Stderr, "caseyos audit: not every entry could be verified (exit 1); `caseyos audit --verify --accept-rekeyed` accepts the replaced key and exits 0 when nothing else is wrong")
		}
		return ExitError
	}
	head, err := app.Forward[app.AuditLogDTO](a, "AuditService.AuditLog", 0, 1)
	if err != nil {
		return c.fail(err)
	}
	offset := 0
	if *limit > 0 && head.Total > *limit {
		offset = head.Total - *limit
	}
	log, err := app.Forward[app.AuditLogDTO](a, "AuditService.AuditLog", offset, 0)
	if err != nil {
		return c.fail(err)
	}
	if c.json {
		c.printJSON(c.env.Stdout, log)
		return ExitOK
	}
	for _, e := range log.Entries {
		move := ""
		if e.MoveID != 0 {
			move = fmt.Sprintf(" #%d", e.MoveID)
		}
		fmt.Fprintf(c.env.Stdout, "%6d %s %-6s %-22s%s %s\n", e.Seq, e.At.Local().Format("2006-01-02 15:04:05"), e.Actor, e.Action, move, e.Detail)
	}
	return ExitOK
}

// rekeyAudit replaces a lost audit key: in this process only, never
// through a running window (the window would keep signing with what it
// loaded, and the UI must not be able to do this), after saying what is
// given up and asking.
func (c *command) rekeyAudit(ctx context.Context, yes bool) int {
	dir, err := app.DataDir(c.g.dataDir)
	if err != nil {
		return c.fail(err)
	}
	ws := app.ChooseWorkspace(dir, c.g.demo, false)
	if r := app.FindInstance(dir, ws); r != nil {
		return c.fail(backend.Errorf(backend.ECONFLICT, "CaseyOS is running with %s (the window, `caseyos serve` or a waiting `caseyos execute`): close it, then run `caseyos audit --rekey` again — the key is replaced only by a process that holds the data file alone", ws.Path))
	}
	a, done, err := c.openLocal(ctx, ws)
	if err != nil {
		return c.fail(err)
	}
	defer done()
	head, lost, err := a.Audit().LostAuditKey()
	if err != nil {
		return c.fail(err)
	}
	if lost == nil {
		return c.fail(backend.Errorf(backend.ECONFLICT, "the audit log's key %s is here: there is nothing to replace", head.KeyID))
	}
	if backend.ErrorCode(lost) != backend.EUNAVAILABLE {
		return c.fail(lost)
	}
	if !c.json {
		fmt.Fprintf(c.env.Stdout, "The audit log of %s is signed with key %s, which cannot be found:\n  %s\n\n", ws.Path, head.KeyID, backend.ErrorMessage(lost))
		fmt.Fprintf(c.env.Stdout, "Replacing it makes a new key and records the replacement as a new entry in the log.\n"+
			"What you give up: the %d entries signed with the lost key can no longer be proven untampered.\n"+
			"`caseyos audit --verify` will report them as unverifiable from now on, and say so with exit status 1.\n"+
			"If the key is only out of reach (another machine, a keychain that needs the desktop session), restore it instead.\n", head.Count)
	}
	if !yes {
		fmt.Fprint(c.env.Stdout, "Replace the audit key? [y/N] ")
		line, _ := bufio.NewReader(c.env.Stdin).ReadString('\n')
		if ans := strings.ToLower(strings.TrimSpace(line)); ans != "y" && ans != "yes" {
			fmt.Fprintln(c.env.Stdout, "Not replaced; nothing changed.")
			return ExitError
		}
	}
	rk, err := a.Audit().RekeyAudit()
	if err != nil {
		return c.fail(err)
	}
	if c.json {
		c.printJSON(c.env.Stdout, app.AuditKeyReplacedDTO{Seq: rk.Seq, At: rk.At.UTC(), OldKeyID: rk.OldKeyID, NewKeyID: rk.NewKeyID, Before: rk.Before})
		return ExitOK
	}
	lostEntries := "no entry was signed with it"
	if rk.Before > 0 {
		lostEntries = fmt.Sprintf("entries 1–%d can no longer be verified", rk.Before)
	}
	fmt.Fprintf(c.env.Stdout, "Audit key replaced: key %s (lost) by key %s, recorded as entry %d; %s.\n", rk.OldKeyID, rk.NewKeyID, rk.Seq, lostEntries)
	return ExitOK
}

func runRules(ctx context.Context, c *command, args []string) int {
	fs := c.flags()
	fs.BoolVar(&c.json, "json", false, "print JSON")
	days := fs.Int("days", 7, "how many days back to simulate")
	pos, ok := c.parse(args, 2, "simulate RULE_FILE")
	if !ok {
		return ExitUsage
	}
	if pos[0] != "simulate" {
		c.usageError(fmt.Sprintf("unknown rules command %q (try: rules simulate RULE_FILE)", pos[0]))
		return ExitUsage
	}
	b, err := os.ReadFile(pos[1])
	if err != nil {
		return c.fail(&backend.Error{Code: backend.EINVALID, Message: fmt.Sprintf("cannot read %s", pos[1]), Err: err})
	}
	var rule app.RuleDTO
	if err := json.Unmarshal(b, &rule); err != nil {
		return c.fail(&backend.Error{Code: backend.EINVALID, Message: fmt.Sprintf("%s is not a rule (JSON: name, kinds, domains, email_domains, min_score, segments)", pos[1]), Err: err})
	}
	a, done, ok := c.open(ctx, false)
	if !ok {
		return ExitError
	}
	defer done()
	sim, err := app.Forward[app.SimulationDTO](a, "SettingsService.SimulateRule", rule, *days)
	if err != nil {
		return c.fail(err)
	}
	if c.json {
		c.printJSON(c.env.Stdout, sim)
		return ExitOK
	}
	fmt.Fprintf(c.env.Stdout, "Rule “%s” over %s – %s: %d of %d moves would have been executed.\n", sim.Rule.Name,
		sim.From.Local().Format("Jan 2"), sim.To.Local().Format("Jan 2"), len(sim.Matched), sim.Checked)
	if len(sim.Matched) == 0 {
		return ExitOK
	}
	// tabwriter counts runes, so “quotes” and × in a title keep the
	// columns straight; the title is last on its line and the reason goes
	// under it, so however long either is nothing after it moves.
	tw := tabwriter.NewWriter(c.env.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  #\tKIND\t%5s\tMOVE\n", "APS")
	for _, m := range sim.Matched {
		fmt.Fprintf(tw, "  %d\t%s\t%5.1f\t%s\n", m.MoveID, m.Kind, m.APS, oneLine(m.Title))
		why := m.Why
		if m.Blocked != "" {
			why += " · stopped by " + m.Blocked
		}
		fmt.Fprintf(tw, "  \t\t\t↳ %s\n", oneLine(why))
	}
	tw.Flush()
	return ExitOK
}

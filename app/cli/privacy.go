package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/caseyos/caseyos/app"
	"github.com/caseyos/caseyos/backend"
)

// runExport is `caseyos export PERSON [--out FILE]`: everything CaseyOS
// holds about one person (an email address or a contact id) as one JSON
// document (app.PersonExportDTO, docs/cli.md), on standard output or in a
// new file.
func runExport(ctx context.Context, c *command, args []string) int {
	fs := c.flags()
	out := fs.String("out", "", "write the document to this new file (never overwritten)")
	pos, ok := c.parse(args, 1, "a person: an email address or a contact id")
	if !ok {
		return ExitUsage
	}
	if *out != "" {
		if err := app.RefuseExisting(*out); err != nil {
			return c.fail(err)
		}
	}
	a, done, ok := c.open(ctx, false)
	if !ok {
		return ExitError
	}
	defer done()
	d, err := app.Forward[app.PersonExportDTO](a, "SettingsService.ExportPerson", pos[0])
	if err != nil {
		return c.fail(err)
	}
	if *out == "" {
		c.printJSON(c.env.Stdout, d)
		return ExitOK
	}
	n, err := app.WriteNewFile(*out, func(w io.Writer) (int64, error) {
		cw := &countWriter{w: w}
		enc := json.NewEncoder(cw)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		err := enc.Encode(d)
		return cw.n, err
	})
	if err != nil {
		return c.fail(err)
	}
	fmt.Fprintf(c.env.Stdout, "Exported %d signals, %d moves, %d executions, %d outcomes and %d audit entries about %s to %s (%d bytes).\n",
		len(d.Signals), len(d.Moves), len(d.Executions), len(d.Outcomes), len(d.Audit), personLabel(d.Person), *out, n)
	return ExitOK
}

type countWriter struct {
	w io.Writer
	n int64
}

func (cw *countWriter) Write(p []byte) (int, error) {
	n, err := cw.w.Write(p)
	cw.n += int64(n)
	return n, err
}

func personLabel(p app.PersonDTO) string {
	if p.Email != "" {
		return p.Email
	}
	return "contact " + strings.Join(p.ContactIDs, ", ")
}

// runForget is `caseyos forget PERSON [--yes] [--hubspot]`: deletes
// everything CaseyOS holds about one person, keeps only the hash of their
// address on the do-not-contact list, and, run on the data file itself
// (no CaseyOS running), compacts the file so that the deleted bytes are
// gone from it too.
func runForget(ctx context.Context, c *command, args []string) int {
	fs := c.flags()
	fs.BoolVar(&c.json, "json", false, "print JSON")
	yes := fs.Bool("yes", false, "do not ask before forgetting")
	hubspot := fs.Bool("hubspot", false, "also delete them from HubSpot for good (its GDPR delete)")
	pos, ok := c.parse(args, 1, "a person: an email address or a contact id")
	if !ok {
		return ExitUsage
	}
	if !*yes && !stdinIsTerminal(c.env.Stdin) {
		return c.fail(backend.Errorf(backend.EINVALID, "forget deletes everything about a person and cannot be undone: run it on a terminal to be asked, or pass --yes"))
	}
	a, done, ok := c.open(ctx, false)
	if !ok {
		return ExitError
	}
	closed := false
	defer func() {
		if !closed {
			done()
		}
	}()
	d, err := app.Forward[app.PersonExportDTO](a, "SettingsService.ExportPerson", pos[0])
	if err != nil {
		return c.fail(err)
	}
	who := personLabel(d.Person)
	if !*yes {
		if *hubspot {
			fmt.Fprintf(c.env.Stdout, "HubSpot will delete %s for good first (its GDPR delete, history included).\n", who)
		}
		fmt.Fprintf(c.env.Stdout, "This deletes %d signals, %d moves (with their drafts), %d executions and %d outcomes about %s%s, and empties %d audit entries. It cannot be undone; `caseyos export %s` first keeps a copy.\nForget %s? [y/N] ",
			len(d.Signals), len(d.Moves), len(d.Executions), len(d.Outcomes), who, contactClause(len(d.Contacts)), len(d.Audit), who, who)
		line, _ := bufio.NewReader(c.env.Stdin).ReadString('\n')
		if ans := strings.ToLower(strings.TrimSpace(line)); ans != "y" && ans != "yes" {
			fmt.Fprintln(c.env.Stdout, "Not forgotten; nothing changed.")
			return ExitError
		}
	}
	r, err := app.Forward[app.ForgetDTO](a, "SettingsService.ForgetPerson", pos[0], "cli", *hubspot)
	if err != nil {
		return c.fail(err)
	}
	compacted := ""
	if h, local := a.(*app.Host); local && c.env.Compact != nil {
		path := h.Workspace().Path
		done()
		closed = true
		if before, after, err := c.env.Compact(path); err != nil {
			compacted = fmt.Sprintf(" The data file could not be compacted (%s): run `caseyos compact` to clear the deleted bytes from it.", backend.ErrorMessage(err))
		} else {
			compacted = fmt.Sprintf(" The data file was compacted (%s → %s), so the deleted bytes are gone from it.", sizeText(before), sizeText(after))
		}
	} else {
		compacted = " CaseyOS is running: quit it and run `caseyos compact` to clear the deleted bytes from the data file."
	}
	if c.json {
		c.printJSON(c.env.Stdout, r)
		return ExitOK
	}
	switch r.HubSpot {
	case "deleted":
		fmt.Fprintf(c.env.Stdout, "HubSpot deleted %s for good.\n", who)
	case "absent":
		fmt.Fprintf(c.env.Stdout, "HubSpot had no contact with %s.\n", who)
	}
	fmt.Fprintf(c.env.Stdout, "Forgot %s: %d signals, %d moves, %d executions and %d outcomes deleted%s; %d audit entries emptied (their chain still verifies). Only a hash of the address stays, on the do-not-contact list.%s\n",
		who, r.Signals, r.Moves, r.Executions, r.Outcomes, contactClause(r.Contacts)+pairDealClause(r.Pairs, r.Deals), r.Audit, compacted)
	return ExitOK
}

// pairDealClause names the duplicate verdicts deleted and the deals the
// person was taken off, when there were any.
func pairDealClause(pairs, deals int) string {
	s := ""
	if pairs > 0 {
		s += fmt.Sprintf(", %d duplicate verdicts", pairs)
	}
	if deals > 0 {
		s += fmt.Sprintf(", taken off %d deals", deals)
	}
	return s
}

func contactClause(n int) string {
	switch n {
	case 0:
		return ""
	case 1:
		return " and the contact record"
	}
	return fmt.Sprintf(" and %d contact records", n)
}

// runCompact is `caseyos compact`: prunes what is older than the retention
// period, then rewrites the data file without its free pages. It refuses
// while CaseyOS runs on the workspace.
func runCompact(ctx context.Context, c *command, args []string) int {
	fs := c.flags()
	fs.BoolVar(&c.json, "json", false, "print JSON")
	if _, ok := c.parse(args, 0, "no arguments"); !ok {
		return ExitUsage
	}
	if c.env.Compact == nil {
		return c.fail(backend.Errorf(backend.EUNAVAILABLE, "this build cannot compact the data file"))
	}
	dir, err := app.DataDir(c.g.dataDir)
	if err != nil {
		return c.fail(err)
	}
	ws := app.ChooseWorkspace(dir, c.g.demo, false)
	if app.FindInstance(dir, ws) != nil {
		return c.fail(backend.Errorf(backend.ECONFLICT, "CaseyOS is running on this workspace: quit it first, then compact"))
	}
	h, done, err := c.openLocal(ctx, ws)
	if err != nil {
		return c.fail(err)
	}
	rep, err := h.ApplyRetention()
	done()
	if err != nil {
		return c.fail(err)
	}
	before, after, err := c.env.Compact(ws.Path)
	if err != nil {
		return c.fail(err)
	}
	if c.json {
		c.printJSON(c.env.Stdout, app.CompactDTO{Path: ws.Path, Before: before, After: after, RetentionMonths: rep.Months,
			SignalsPruned: rep.Signals, AuditEmptied: rep.Audit})
		return ExitOK
	}
	fmt.Fprintf(c.env.Stdout, "Retention (%d months): %d older signals deleted, %d older audit entries emptied.\nCompacted %s: %s → %s.\n",
		rep.Months, rep.Signals, rep.Audit, ws.Path, sizeText(before), sizeText(after))
	return ExitOK
}

func sizeText(n int64) string {
	switch {
	case n >= 10<<20:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 10<<10:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// stdinIsTerminal says whether r is a terminal a person can answer at.
func stdinIsTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

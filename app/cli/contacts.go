package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/caseyos/caseyos/app"
	"github.com/caseyos/caseyos/backend"
)

// runImport is `caseyos import contacts FILE.csv`.
func runImport(ctx context.Context, c *command, args []string) int {
	fs := c.flags()
	fs.BoolVar(&c.json, "json", false, "print JSON")
	pos, ok := c.parse(args, 2, "what to import and a file: import contacts FILE.csv")
	if !ok {
		return ExitUsage
	}
	if pos[0] != "contacts" {
		c.usageError(fmt.Sprintf("cannot import %q: only contacts (import contacts FILE.csv)", pos[0]))
		return ExitUsage
	}
	name := pos[1]
	in := c.env.Stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return c.fail(&backend.Error{Code: backend.EINVALID, Message: fmt.Sprintf("cannot read %s", name), Err: err})
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
	a, done, ok := c.open(ctx, true)
	if !ok {
		return ExitError
	}
	progress := c.progress()
	rep, err := a.ImportContacts(in, progress.update)
	progress.end()
	done()
	if fresh != "" && rep.Created == 0 {
		if rerr := os.Remove(fresh); rerr != nil && !errors.Is(rerr, os.ErrNotExist) {
			fmt.Fprintf(c.env.Stderr, "caseyos import: cannot remove the empty workspace %s: %v\n", fresh, rerr)
		}
	}
	if !c.json {
		for _, r := range rep.Rejected {
			fmt.Fprintf(c.env.Stderr, "line %d: %s\n", r.Line, r.Message)
		}
		if more := rep.RejectedTotal - len(rep.Rejected); more > 0 {
			fmt.Fprintf(c.env.Stderr, "… and %s more rejected rows\n", thousands(more))
		}
	}
	if err != nil {
		if !c.json && rep.Rows > 0 {
			fmt.Fprintf(c.env.Stderr, "stopped after %d rows (%d contacts created, %d updated)\n", rep.Rows, rep.Created, rep.Updated)
		}
		return c.fail(err)
	}
	switch {
	case c.json:
		c.printJSON(c.env.Stdout, rep)
	case rep.Rows == 0:
		fmt.Fprintf(c.env.Stdout, "No contacts in %s: nothing imported.\n", name)
	case fresh != "" && rep.Created == 0:
		fmt.Fprintf(c.env.Stdout, "Nothing imported: all %d rows were rejected, so no workspace was created.\n", rep.Rows)
	default:
		fmt.Fprintf(c.env.Stdout, "Imported %s of %s rows into %s: %s new, %s updated, %s unchanged, %s rejected.\n",
			thousands(rep.Rows-rep.RejectedTotal), thousands(rep.Rows), rep.Workspace.Path,
			thousands(rep.Created), thousands(rep.Updated), thousands(rep.Unchanged), thousands(rep.RejectedTotal))
		if n := rep.Duplicates.Pairs; n > 0 {
			fmt.Fprintf(c.env.Stdout, "%s %s proposed as merge moves: caseyos duplicates · caseyos today\n", thousands(n), plural(n, "duplicate"))
		}
	}
	if rep.RejectedTotal > 0 {
		return ExitPartial
	}
	return ExitOK
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// importProgress writes "Importing… N rows" over itself on a terminal,
// at most ten times a second, and nothing when stderr is not one.
type importProgress struct {
	w    io.Writer
	last time.Time
	on   bool
}

func (c *command) progress() *importProgress {
	return &importProgress{w: c.env.Stderr, on: !c.json && isTerminal(c.env.Stderr)}
}

func (p *importProgress) update(rows int) {
	if !p.on || time.Since(p.last) < 100*time.Millisecond {
		return
	}
	p.last = time.Now()
	fmt.Fprintf(p.w, "\rImporting contacts… %s rows", thousands(rows))
}

func (p *importProgress) end() {
	if p.on && !p.last.IsZero() {
		fmt.Fprint(p.w, "\r\033[K")
	}
}

// isTerminal reports whether w is a character device (a terminal), not a
// pipe or a file.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// runDuplicates is `caseyos duplicates`.
func runDuplicates(ctx context.Context, c *command, args []string) int {
	fs := c.flags()
	fs.BoolVar(&c.json, "json", false, "print JSON")
	minScore := fs.String("min-score", "", "list pairs scoring at least this (0..1; default the threshold)")
	propose := fs.Bool("propose", false, "make merge moves of the pairs at or above the threshold")
	companies := fs.Bool("companies", false, "pairs of companies instead of contacts")
	if _, ok := c.parse(args, 0, "no arguments"); !ok {
		return ExitUsage
	}
	min := 0.0
	if *minScore != "" {
		v, err := strconv.ParseFloat(*minScore, 64)
		if err != nil || v <= 0 || v > 1 {
			c.usageError(fmt.Sprintf("--min-score %q is not a number above 0 and at most 1", *minScore))
			return ExitUsage
		}
		min = v
	}
	a, done, ok := c.open(ctx, false)
	if !ok {
		return ExitError
	}
	defer done()
	if *companies {
		return c.companyDuplicates(a, min)
	}
	d, err := app.Forward[app.DuplicatesDTO](a, "ContactsService.Duplicates", min, *propose)
	if err != nil {
		return c.fail(err)
	}
	if c.json {
		c.printJSON(c.env.Stdout, d.Pairs)
		return ExitOK
	}
	out := c.env.Stdout
	c.banner(d.Workspace)
	if len(d.Pairs) == 0 {
		fmt.Fprintln(out, "No duplicate contacts found.")
		return ExitOK
	}
	fmt.Fprintf(out, "%s %s of contacts that look like one person, best first (keep ← merge):\n\n", thousands(d.Total), plural(d.Total, "pair"))
	for _, p := range d.Pairs {
		fmt.Fprintf(out, "%5.2f  %s ← %s\n", p.Score, contactLabel(p.A), contactLabel(p.B))
		fmt.Fprintf(out, "       %s\n", strings.Join(p.Evidence, "; "))
	}
	if d.Total > len(d.Pairs) {
		fmt.Fprintf(out, "\n… and %s more\n", thousands(d.Total-len(d.Pairs)))
	}
	if *propose {
		fmt.Fprintf(out, "\n%s merge %s proposed: caseyos today\n", thousands(len(d.Proposed.Moves)), plural(len(d.Proposed.Moves), "move"))
	} else {
		fmt.Fprintf(out, "\nPairs scoring %.2f or more become merge moves (--propose, or after a sync or import);\nskip one with --not-duplicate and it is never proposed again.\n", d.Threshold)
	}
	return ExitOK
}

func (c *command) companyDuplicates(a target, min float64) int {
	d, err := app.Forward[app.CompanyDuplicatesDTO](a, "ContactsService.CompanyDuplicates", min)
	if err != nil {
		return c.fail(err)
	}
	if c.json {
		c.printJSON(c.env.Stdout, d.Pairs)
		return ExitOK
	}
	out := c.env.Stdout
	c.banner(d.Workspace)
	if len(d.Pairs) == 0 {
		fmt.Fprintln(out, "No duplicate companies found.")
		return ExitOK
	}
	fmt.Fprintf(out, "%s %s of companies that look like one, best first (keep ← merge):\n\n", thousands(d.Total), plural(d.Total, "pair"))
	label := func(co app.DuplicateCompanyDTO) string {
		s := co.Name
		if co.Domain != "" {
			s += " (" + co.Domain + ")"
		}
		if co.Local {
			s += " (imported)"
		}
		return s
	}
	for _, p := range d.Pairs {
		fmt.Fprintf(out, "%5.2f  %s ← %s\n       %s\n", p.Score, label(p.A), label(p.B), strings.Join(p.Evidence, "; "))
	}
	return ExitOK
}

func contactLabel(c app.DuplicateContactDTO) string {
	s := c.Name
	switch {
	case s == "":
		s = c.Email
	case c.Email != "":
		s += " <" + c.Email + ">"
	}
	if s == "" {
		s = c.ID
	}
	if c.Local {
		s += " (imported)"
	}
	return s
}

package cli

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/caseyos/caseyos/app"
	"github.com/caseyos/caseyos/backend"
)

// runOutcome is `caseyos outcome ID TYPE [--note TEXT] [--corrects N]`:
// record by hand what happened after a move was carried out, or correct
// an outcome detected wrongly.
func runOutcome(ctx context.Context, c *command, args []string) int {
	fs := c.flags()
	fs.BoolVar(&c.json, "json", false, "print JSON")
	note := fs.String("note", "", "what happened, in your words")
	corrects := fs.Uint64("corrects", 0, "the id of an outcome of the same move that this one replaces")
	pos, ok := c.parse(args, 2, "a move id and an outcome type ("+outcomeTypeNames()+")")
	if !ok {
		return ExitUsage
	}
	id, ok := parseID(c, pos[0])
	if !ok {
		return ExitUsage
	}
	a, done, ok := c.open(ctx, false)
	if !ok {
		return ExitError
	}
	defer done()
	o, err := app.Forward[app.OutcomeDTO](a, "OutcomesService.RecordOutcome", id, strings.ToLower(pos[1]), *note, *corrects, "cli")
	if err != nil {
		return c.fail(err)
	}
	if c.json {
		c.printJSON(c.env.Stdout, o)
		return ExitOK
	}
	what := "Recorded"
	if o.Corrects != 0 {
		what = fmt.Sprintf("Corrected outcome %d:", o.Corrects)
	}
	fmt.Fprintf(c.env.Stdout, "%s %s for move %d (outcome %d).\n", what, o.Label, o.MoveID, o.ID)
	return ExitOK
}

// runOutcomes is `caseyos outcomes [ID] [--json] [--limit N]`: a move's
// outcomes, or the latest outcomes of every move.
func runOutcomes(ctx context.Context, c *command, args []string) int {
	fs := c.flags()
	fs.BoolVar(&c.json, "json", false, "print JSON")
	limit := fs.Int("limit", 50, "without ID: how many of the latest outcomes")
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
	ok := true
	if len(pos) > 1 {
		c.usageError("outcomes takes at most one move id")
		return ExitUsage
	}
	var id uint64
	if len(pos) == 1 {
		if id, ok = parseID(c, pos[0]); !ok {
			return ExitUsage
		}
	}
	a, done, ok := c.open(ctx, false)
	if !ok {
		return ExitError
	}
	defer done()
	var list []app.OutcomeDTO
	var err error
	if id != 0 {
		list, err = app.Forward[[]app.OutcomeDTO](a, "OutcomesService.Outcomes", id)
	} else {
		list, err = app.Forward[[]app.OutcomeDTO](a, "OutcomesService.RecentOutcomes", *limit)
	}
	if err != nil {
		return c.fail(err)
	}
	if list == nil {
		list = []app.OutcomeDTO{}
	}
	if c.json {
		c.printJSON(c.env.Stdout, list)
		return ExitOK
	}
	out := c.env.Stdout
	if len(list) == 0 {
		if id != 0 {
			fmt.Fprintf(out, "Move %d has no outcomes yet. Record one with: caseyos outcome %d TYPE\n", id, id)
		} else {
			fmt.Fprintln(out, "No outcomes yet.")
		}
		return ExitOK
	}
	if id != 0 {
		fmt.Fprintf(out, "Outcomes of move %d:\n", id)
	} else {
		fmt.Fprintf(out, "Latest outcomes (%d):\n", len(list))
	}
	for _, o := range list {
		who := "detected"
		if o.SignalID == 0 && o.Actor != string(backend.ActorSystem) {
			who = "by hand"
		}
		move := ""
		if id == 0 {
			move = fmt.Sprintf(" · move %d %s", o.MoveID, o.MoveTitle)
		}
		fmt.Fprintf(out, "  %d  %s  %s (%s)%s\n", o.ID, backend.Stamp(o.OccurredAt, time.Local), o.Label, who, move)
		if o.Note != "" {
			fmt.Fprintf(out, "      %s\n", o.Note)
		}
		if o.CorrectedBy != 0 {
			fmt.Fprintf(out, "      corrected by outcome %d\n", o.CorrectedBy)
		}
	}
	return ExitOK
}

func outcomeTypeNames() string {
	s := make([]string, len(backend.OutcomeTypes))
	for i, t := range backend.OutcomeTypes {
		s[i] = string(t)
	}
	return strings.Join(s, ", ")
}

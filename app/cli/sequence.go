package cli

import (
	"context"
	"fmt"

	"github.com/caseyos/caseyos/app"
)

// runSequence is `caseyos sequence MOVE_ID [--json]`, the follow-up
// sequence a move belongs to, and `caseyos sequence stop MOVE_ID`, which
// stops it (nothing more is proposed, its open follow-up ends, the audit
// log says who stopped it).
func runSequence(ctx context.Context, c *command, args []string) int {
	stop := len(args) > 0 && args[0] == "stop"
	if stop {
		args = args[1:]
	}
	fs := c.flags()
	fs.BoolVar(&c.json, "json", false, "print JSON")
	a, id, done, code := c.openForMove(ctx, args)
	if done == nil {
		return code
	}
	defer done()
	method, args2 := "TodayService.FollowUps", []any{id}
	if stop {
		method, args2 = "TodayService.StopFollowUps", []any{id, "cli"}
	}
	q, err := app.Forward[app.SequenceDTO](a, method, args2...)
	if err != nil {
		return c.fail(err)
	}
	if c.json {
		c.printJSON(c.env.Stdout, q)
		return ExitOK
	}
	if stop {
		fmt.Fprintf(c.env.Stdout, "Stopped the follow-ups on “%s” (move %d).\n", q.Subject, id)
		return ExitOK
	}
	fmt.Fprintf(c.env.Stdout, "Follow-ups to %s: %s\n", q.To, q.Summary)
	for i, m := range q.MoveIDs {
		what := "follow-up"
		if i == 0 {
			what = "first mail"
		}
		fmt.Fprintf(c.env.Stdout, "  step %d  move %d  %s\n", i+1, m, what)
	}
	return ExitOK
}

package cli

import (
	"context"
	"fmt"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/caseyos/caseyos/app"
)

// runStats prints what the moves carried out achieved, per week and kind
// (StatsService.Metrics; docs/cli.md defines each column).
func runStats(ctx context.Context, c *command, args []string) int {
	fs := c.flags()
	fs.BoolVar(&c.json, "json", false, "print JSON")
	weeks := fs.String("weeks", "8", "how many weeks, this one included (1..104)")
	if _, ok := c.parse(args, 0, "no arguments"); !ok {
		return ExitUsage
	}
	n, err := strconv.Atoi(*weeks)
	if err != nil || n < 1 || n > 104 {
		c.usageError(fmt.Sprintf("--weeks %q is not a number from 1 to 104", *weeks))
		return ExitUsage
	}
	a, done, ok := c.open(ctx, false)
	if !ok {
		return ExitError
	}
	defer done()
	m, err := app.Forward[app.MetricsDTO](a, "StatsService.Metrics", n)
	if err != nil {
		return c.fail(err)
	}
	if c.json {
		c.printJSON(c.env.Stdout, m)
		return ExitOK
	}
	c.banner(m.Workspace)
	out := c.env.Stdout
	fmt.Fprintf(out, "Moves carried out, per week (weeks start on Monday, %s), newest first.\n", m.Zone)
	fmt.Fprintln(out, "Reply rates: replied / carried out (a week's total: of emails and X replies only).")
	for i := len(m.Weeks) - 1; i >= 0; i-- {
		w := m.Weeks[i]
		start, _ := time.Parse(time.DateOnly, w.Start)
		title := "Week of " + start.Format("Mon 2 Jan 2006")
		if i == len(m.Weeks)-1 {
			title += " (so far)"
		}
		fmt.Fprintf(out, "\n%s\n", title)
		if w.Total.Executed == 0 {
			fmt.Fprintln(out, "  nothing carried out")
			continue
		}
		tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "  kind\tdone\treplied\treply rate\tpositive\tpositive rate\tmeetings\tdeals advanced\tdeals won\tfollow-ups answered\tauto-approved\ttime saved\t")
		rows := append(append([]app.MetricsRowDTO{}, w.Kinds...), w.Total)
		for j, r := range rows {
			kind := r.Kind
			if j == len(rows)-1 {
				kind = "all"
			}
			fmt.Fprintf(tw, "  %s\t%d\t%d\t%s\t%d\t%s\t%d\t%d\t%d\t%d of %d\t%s\t%s\t\n", kind, r.Executed, r.Replied, percent(r.ReplyRate),
				r.PositiveReplies, percent(r.PositiveReplyRate), r.MeetingsBooked, r.DealsAdvanced, r.DealsWon,
				r.FollowUpsAnswered, r.FollowUpsSent, percent(r.AutoApprovedShare), minutes(r.MinutesSaved))
		}
		tw.Flush()
	}
	return ExitOK
}

// percent writes a rate as a whole percentage; "–" when there is no
// denominator.
func percent(r *float64) string {
	if r == nil {
		return "–"
	}
	return fmt.Sprintf("%.0f%%", *r*100)
}

func minutes(n int) string {
	if n < 60 {
		return fmt.Sprintf("%dm", n)
	}
	return fmt.Sprintf("%dh%02dm", n/60, n%60)
}

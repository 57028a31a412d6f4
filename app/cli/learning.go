package cli

import (
	"context"
	"fmt"

	"github.com/caseyos/caseyos/app"
)

// runLearning shows, switches and resets the learned score line.
func runLearning(ctx context.Context, c *command, args []string) int {
	fs := c.flags()
	fs.BoolVar(&c.json, "json", false, "print JSON")
	sub := "show"
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		sub, args = args[0], args[1:]
	}
	switch sub {
	case "show", "on", "off", "reset":
	default:
		c.usageError("learning needs show, on, off or reset")
		return ExitUsage
	}
	if _, ok := c.parse(args, 0, "no arguments"); !ok {
		return ExitUsage
	}
	a, done, ok := c.open(ctx, false)
	if !ok {
		return ExitError
	}
	defer done()
	st, err := app.Forward[app.SettingsDTO](a, "SettingsService.Settings")
	if err != nil {
		return c.fail(err)
	}
	switch sub {
	case "on", "off":
		l := *st.Learning
		l.On = sub == "on"
		st.Learning = &l
		st, err = app.Forward[app.SettingsDTO](a, "SettingsService.SaveSettings", st)
	case "reset":
		st, err = app.Forward[app.SettingsDTO](a, "SettingsService.ResetLearning", "cli")
	}
	if err != nil {
		return c.fail(err)
	}
	l := st.Learning
	if c.json {
		c.printJSON(c.env.Stdout, l)
		return ExitOK
	}
	out := c.env.Stdout
	switch sub {
	case "on":
		fmt.Fprintln(out, "Learning is on: every open move was re-scored with what outcomes taught.")
	case "off":
		fmt.Fprintln(out, "Learning is off: every open move was re-scored with the plain four-component APS.")
	case "reset":
		fmt.Fprintln(out, "Learned statistics reset: outcomes are kept, and only those recorded from now on count.")
	}
	state := "off"
	if l.On {
		state = "on"
	}
	fmt.Fprintf(out, "learning %s · at most ±%g points · half-life %g days · prior worth %g outcomes\n", state, l.MaxPoints, l.HalfLifeDays, l.PriorStrength)
	return ExitOK
}

package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/caseyos/caseyos/app"
	"github.com/caseyos/caseyos/backend"
)

// runDoNotContact is `caseyos do-not-contact list|add EMAIL|remove EMAIL`:
// the addresses nothing may be sent to (bounces and unsubscribes join it
// by themselves; a person adds and removes the rest).
func runDoNotContact(ctx context.Context, c *command, args []string) int {
	fs := c.flags()
	fs.BoolVar(&c.json, "json", false, "print JSON")
	reason := fs.String("reason", backend.DNCManual, "add: bounced, unsubscribed or manual")
	note := fs.String("note", "", "add: a note kept with the address")
	sub := ""
	if len(args) > 0 {
		sub, args = args[0], args[1:]
	}
	want, what := 1, "an email address"
	switch sub {
	case "list":
		want, what = 0, "no arguments"
	case "add", "remove":
	default:
		c.usageError("do-not-contact needs list, add EMAIL or remove EMAIL")
		return ExitUsage
	}
	pos, ok := c.parse(args, want, what)
	if !ok {
		return ExitUsage
	}
	a, done, ok := c.open(ctx, false)
	if !ok {
		return ExitError
	}
	defer done()
	var list []app.DoNotContactDTO
	var err error
	switch sub {
	case "list":
		list, err = app.Forward[[]app.DoNotContactDTO](a, "SettingsService.DoNotContact")
	case "add":
		list, err = app.Forward[[]app.DoNotContactDTO](a, "SettingsService.AddDoNotContact", pos[0], *reason, *note, "cli")
	case "remove":
		list, err = app.Forward[[]app.DoNotContactDTO](a, "SettingsService.RemoveDoNotContact", pos[0], "cli")
	}
	if err != nil {
		return c.fail(err)
	}
	if c.json {
		c.printJSON(c.env.Stdout, list)
		return ExitOK
	}
	switch sub {
	case "add":
		fmt.Fprintf(c.env.Stdout, "Nothing will be sent to %s.\n", pos[0])
	case "remove":
		fmt.Fprintf(c.env.Stdout, "%s is off the do-not-contact list.\n", pos[0])
	}
	if len(list) == 0 {
		fmt.Fprintln(c.env.Stdout, "The do-not-contact list is empty.")
		return ExitOK
	}
	fmt.Fprintf(c.env.Stdout, "Do not contact (%d):\n", len(list))
	for _, d := range list {
		fmt.Fprintf(c.env.Stdout, "  %s — %s%s, %s by %s\n", d.Email, d.Reason, clauseIf(": ", d.Note), backend.Stamp(d.At, time.Local), nonEmptyBy(d.By))
	}
	return ExitOK
}

func clauseIf(sep, s string) string {
	if s == "" {
		return ""
	}
	return sep + s
}

func nonEmptyBy(by string) string {
	if by == "" {
		return "system"
	}
	return by
}

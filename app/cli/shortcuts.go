package cli

import (
	"context"
	"fmt"

	"github.com/caseyos/caseyos/app"
)

// runShortcuts is `caseyos shortcuts [status] | set ACTION KEYS | off
// ACTION`: the global shortcuts (ShortcutsService), and, when the desktop
// app runs, whether each one is the app's.
func runShortcuts(ctx context.Context, c *command, args []string) int {
	fs := c.flags()
	fs.BoolVar(&c.json, "json", false, "print JSON")
	// Flags may come anywhere (shortcuts set skip Ctrl+Alt+K --json).
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			c.usageError(err.Error())
			return ExitUsage
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
	method, params := "ShortcutsService.Shortcuts", []any{}
	switch {
	case len(pos) == 0 || (len(pos) == 1 && pos[0] == "status"):
	case len(pos) == 3 && pos[0] == "set":
		method, params = "ShortcutsService.SetShortcuts", []any{[]app.ShortcutDTO{{Action: pos[1], Keys: pos[2]}}, "cli"}
	case len(pos) == 2 && pos[0] == "off":
		method, params = "ShortcutsService.SetShortcuts", []any{[]app.ShortcutDTO{{Action: pos[1], Keys: ""}}, "cli"}
	default:
		c.usageError("shortcuts takes status, set ACTION KEYS (e.g. set show_hide Ctrl+Alt+Space) or off ACTION")
		return ExitUsage
	}
	a, done, ok := c.open(ctx, false)
	if !ok {
		return ExitError
	}
	defer done()
	s, err := app.Forward[app.ShortcutsDTO](a, method, params...)
	if err != nil {
		return c.fail(err)
	}
	if c.json {
		c.printJSON(c.env.Stdout, s)
		return ExitOK
	}
	for _, sc := range s.Shortcuts {
		keys := sc.Keys
		if keys == "" {
			keys = "—"
		}
		line := fmt.Sprintf("%-30s %-18s %s", sc.Label, keys, sc.State)
		if sc.Trigger != "" {
			line += " (" + sc.Trigger + ")"
		}
		if sc.Message != "" {
			line += ": " + sc.Message
		}
		fmt.Fprintln(c.env.Stdout, line)
	}
	if s.Note != "" {
		fmt.Fprintln(c.env.Stdout, s.Note)
	}
	return ExitOK
}

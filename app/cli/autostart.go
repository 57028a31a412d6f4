package cli

import (
	"context"
	"fmt"

	"github.com/caseyos/caseyos/app"
)

// runAutostart is `caseyos autostart on|off|status`: the login entry that
// opens CaseyOS to its tray (SettingsService.StartAtLogin).
func runAutostart(ctx context.Context, c *command, args []string) int {
	fs := c.flags()
	fs.BoolVar(&c.json, "json", false, "print JSON")
	pos, ok := c.parse(args, 1, "on, off or status")
	if !ok {
		return ExitUsage
	}
	var method string
	var params []any
	switch pos[0] {
	case "on", "off":
		method, params = "SettingsService.SetStartAtLogin", []any{pos[0] == "on", "cli"}
	case "status":
		method = "SettingsService.StartAtLogin"
	default:
		c.usageError(fmt.Sprintf("autostart takes on, off or status, not %q", pos[0]))
		return ExitUsage
	}
	a, done, ok := c.open(ctx, false)
	if !ok {
		return ExitError
	}
	defer done()
	s, err := app.Forward[app.StartAtLoginDTO](a, method, params...)
	if err != nil {
		return c.fail(err)
	}
	if c.json {
		c.printJSON(c.env.Stdout, s)
		return ExitOK
	}
	if s.On {
		fmt.Fprintf(c.env.Stdout, "Start at login is on: CaseyOS opens to its tray when you log in (%s).\n", s.Entry)
	} else {
		fmt.Fprintf(c.env.Stdout, "Start at login is off (%s absent).\n", s.Entry)
	}
	return ExitOK
}

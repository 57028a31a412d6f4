package cli

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/caseyos/caseyos/app"
	"github.com/caseyos/caseyos/backend"
)

// restoreFileArg says whether restore's one positional argument names a
// file (a backup) rather than a move: anything that is not a move id.
func restoreFileArg(args []string) (string, bool) {
	var pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			pos = append(pos, args[i+1:]...)
			i = len(args)
		case strings.HasPrefix(a, "-"):
			if (a == "--data-dir" || a == "-data-dir") && i+1 < len(args) {
				i++
			}
		default:
			pos = append(pos, a)
		}
	}
	if len(pos) != 1 {
		return "", false
	}
	if _, err := strconv.ParseUint(strings.TrimPrefix(pos[0], "#"), 10, 64); err == nil {
		return "", false
	}
	return pos[0], true
}

// RestoreDTO is what `caseyos restore FILE --json` prints.
type RestoreDTO struct {
	Path     string `json:"path"`     // the data file, now the backup
	From     string `json:"from"`     // the backup
	Replaced string `json:"replaced"` // where the replaced data file was kept; "" when there was none
}

// restoreFile is `caseyos restore FILE`: the backup in place of the
// workspace's data file, refused while CaseyOS runs on it.
func (c *command) restoreFile(_ context.Context, args []string, file string) int {
	if _, ok := c.parse(args, 1, "a move ID or a backup FILE"); !ok {
		return ExitUsage
	}
	if c.env.Restore == nil {
		return c.fail(backend.Errorf(backend.EUNAVAILABLE, "this build cannot restore a backup"))
	}
	dir, err := app.DataDir(c.g.dataDir)
	if err != nil {
		return c.fail(err)
	}
	ws := app.ChooseWorkspace(dir, c.g.demo, true)
	if app.FindInstance(dir, ws) != nil {
		return c.fail(backend.Errorf(backend.ECONFLICT, "CaseyOS is running on this workspace: quit it first, then restore"))
	}
	replaced, err := c.env.Restore(ws.Path, file)
	if err != nil {
		return c.fail(err)
	}
	if c.json {
		c.printJSON(c.env.Stdout, RestoreDTO{Path: ws.Path, From: file, Replaced: replaced})
		return ExitOK
	}
	fmt.Fprintf(c.env.Stdout, "Restored %s from %s.\n", ws.Path, file)
	if replaced != "" {
		fmt.Fprintf(c.env.Stdout, "The data file it replaced is kept as %s.\n", replaced)
	}
	return ExitOK
}

// Command caseyos is a local-first command center for go-to-market: it turns
// what happens in Gmail, Calendar, HubSpot and X into a short ranked list of
// moves for today. This file only wires the pieces together; see app/cli.go
// for the commands.
package main

import (
	"context"
	"embed"
	"io/fs"
	"os"
	"os/signal"
	"syscall"

	"github.com/caseyos/caseyos/app"
	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/store"
)

// dist is the built frontend; a fresh checkout holds only its .gitkeep,
// and the UI then says to run `make build`.
//
//go:embed all:frontend/dist
var dist embed.FS

func main() {
	assets, err := fs.Sub(dist, "frontend/dist")
	if err != nil {
		panic(err) // the embed pattern guarantees the directory
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := app.Main(ctx, os.Args[1:], app.Env{
		Stdin:  os.Stdin,
		Stdout: os.Stdout,
		Stderr: os.Stderr,
		Clock:  backend.SystemClock{},
		Open: func(path string) (backend.Store, error) {
			return store.Open(path, store.Options{})
		},
		SchemaVersion: store.SchemaVersion,
		Assets:        assets,
	})
	stop()
	os.Exit(code)
}

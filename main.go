// Command caseyos is a local-first command center for go-to-market: it turns
// what happens in Gmail, Calendar, HubSpot and X into a short ranked list of
// moves for today. This file only wires the pieces together; see app/cli.go
// for the commands.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/caseyos/caseyos/app"
	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/store"
)

func main() {
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
	})
	stop()
	os.Exit(code)
}

//go:build !desktop

package app

import (
	"context"
	"fmt"
)

// runDesktop stands in for the desktop window in builds without it (plain
// `go build`, the tests): it says how to get one and what to use instead.
func runDesktop(_ context.Context, c *command) int {
	fmt.Fprintln(c.env.Stderr, "This caseyos was built without the desktop window (go build -tags desktop,production). Run `caseyos serve` for the browser UI.")
	return ExitUsage
}

//go:build !desktop

package app

import (
	"context"
	"io"
	"io/fs"
)

// RunDesktop stands in for the desktop window in builds without it (plain
// `go build`, the tests): ErrNoDesktop says how to get one and what to use
// instead.
func RunDesktop(_ context.Context, _ string, _ bool, _ HostOptions) error {
	return ErrNoDesktop
}

// RunWindow stands in for the window process in builds without it.
func RunWindow(_ context.Context, _ fs.FS, _ io.Writer) error { return ErrNoDesktop }

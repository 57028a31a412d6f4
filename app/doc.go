// Package app is the facade every surface calls: the Wails window, the
// browser mode and the command line (app/cli, through Host and Instance).
// App's methods are thin — validate, call the backend, return a DTO — and
// the DTOs in dto.go are the stable JSON shapes that `--json` output and
// the HTTP API promise.
package app

//go:generate go run ./internal/tsgen/gen ../frontend/src/api.gen.ts

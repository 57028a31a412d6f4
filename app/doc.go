// Package app is the facade every surface calls: the CLI today, the Wails
// window and the browser mode later. App's methods are thin — validate, call
// the backend, return a DTO — and the DTOs in dto.go are the stable JSON
// shapes that `--json` output and the HTTP API promise.
package app

//go:generate go run ./internal/tsgen/gen ../frontend/src/api.gen.ts

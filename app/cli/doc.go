// Package cli is the caseyos command line. A command parses its flags,
// finds the running CaseyOS that holds the workspace (app.FindInstance) or
// opens the workspace in this process (app.OpenHost), calls the bound
// services' methods by "<Service>.<Method>" through app.Forward — the one
// list of them is the services' own — and prints the answer for a person or as JSON. main.go
// calls Main; with no command, Main opens the desktop window
// (app.RunDesktop).
package cli

// Package keychain keeps CaseyOS's credentials in the OS keychain — the
// Secret Service over D-Bus on Linux (gnome-keyring, KeePassXC), the
// Keychain on macOS, the Credential Manager on Windows — through
// github.com/zalando/go-keyring. Every entry lives under one service name,
// "CaseyOS", with the account ("hubspot", "webhook" …) as its user name.
// Secrets never leave it for the data file, logs or error messages: errors
// name the account and say how to fix the keychain, never the secret.
package keychain

// Package google is the desktop OAuth 2.0 flow shared by the Gmail and
// Calendar connectors: consent through a loopback redirect on 127.0.0.1 with
// PKCE (S256) and offline access, tokens kept in backend.Secrets, refreshed
// tokens persisted, and an HTTP client that answers an API 401 with one forced
// refresh and one retry.
//
// The connectors never import this package: main.go builds the client here
// and hands it to gmail.New and gcal.New, so each connector only sees an
// authorized *http.Client.
package google

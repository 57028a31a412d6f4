package app

import (
	"context"
)

type credentialsFileKey struct{}

// WithCredentialsFile is ctx carrying the file given to `--credentials`
// (CredentialsFile).
func WithCredentialsFile(ctx context.Context, path string) context.Context {
	return context.WithValue(ctx, credentialsFileKey{}, path)
}

// CredentialsFile is the file given to `caseyos connect NAME --credentials
// FILE` (the user's own OAuth client), for a Connector's Authorize; "" when
// none was given.
func CredentialsFile(ctx context.Context) string {
	s, _ := ctx.Value(credentialsFileKey{}).(string)
	return s
}

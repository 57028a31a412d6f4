package app

import (
	"context"
	"io"
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

// ConnectInput is what `caseyos connect NAME` was given beyond the
// account: the flags of a sign-in that takes keys (X's --consumer-key,
// --access-token, --pin, --secrets-stdin) and standard input, where the
// secrets are read from, never from flags.
type ConnectInput struct {
	ConsumerKey  string
	AccessToken  string
	PIN          bool
	SecretsStdin bool
	Stdin        io.Reader
}

type connectInputKey struct{}

// WithConnectInput is ctx carrying in, for a Connector's Authorize.
func WithConnectInput(ctx context.Context, in ConnectInput) context.Context {
	return context.WithValue(ctx, connectInputKey{}, in)
}

// ConnectInputFrom is what WithConnectInput put in ctx (the zero value when
// nothing).
func ConnectInputFrom(ctx context.Context) ConnectInput {
	in, _ := ctx.Value(connectInputKey{}).(ConnectInput)
	return in
}

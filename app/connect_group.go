package app

import (
	"context"
	"strings"
)

// Accounts that share one sign-in (Connector.Group) are connected together:
// `caseyos connect google --credentials FILE` signs in to Google once and
// connects both gmail and gcal.

// connectorsFor returns the connector named name, or every connector of
// the group name; it prints a usage error when there is neither.
func (c *command) connectorsFor(name string) ([]Connector, bool) {
	var group []Connector
	for _, k := range c.env.Connectors {
		if k.Account == name {
			return []Connector{k}, true
		}
		if k.Group == name {
			group = append(group, k)
		}
	}
	if len(group) > 0 {
		return group, true
	}
	k, ok := c.connector(name)
	return []Connector{k}, ok
}

// groupLabel names the accounts connected together: "Gmail and Google Calendar".
func groupLabel(conns []Connector) string {
	labels := make([]string, 0, len(conns))
	for _, k := range conns {
		labels = append(labels, k.Label)
	}
	if len(labels) <= 2 {
		return strings.Join(labels, " and ")
	}
	return strings.Join(labels[:len(labels)-1], ", ") + " and " + labels[len(labels)-1]
}

type credentialsFileKey struct{}

func withCredentialsFile(ctx context.Context, path string) context.Context {
	return context.WithValue(ctx, credentialsFileKey{}, path)
}

// CredentialsFile is the file given to `caseyos connect NAME --credentials
// FILE` (the user's own OAuth client), for a Connector's Authorize; "" when
// none was given.
func CredentialsFile(ctx context.Context) string {
	s, _ := ctx.Value(credentialsFileKey{}).(string)
	return s
}

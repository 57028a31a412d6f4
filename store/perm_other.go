//go:build !unix

package store

// privateDir does nothing where directories have no POSIX modes; the
// user's profile directory already keeps the data to its owner.
func privateDir(string) error { return nil }

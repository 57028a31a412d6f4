//go:build !sphinx

package sphinx

import (
	"context"

	"github.com/caseyos/caseyos/backend"
)

// Available reports whether this build has pocketsphinx in it.
const Available = false

// Recognizer is the recognizer of a build without the sphinx tag (or
// without cgo): every call reports that pocketsphinx is not in it, so
// that the app starts and says how to get offline voice.
type Recognizer struct{}

var _ backend.Recognizer = (*Recognizer)(nil)

func errNotBuilt() error {
	return &backend.Error{Code: backend.EUNAVAILABLE, Op: "sphinx.New",
		Message: "this build has no offline speech recognizer: rebuild with -tags sphinx (make voice-deps build)"}
}

// New reports that this build has no recognizer.
func New(Config) (*Recognizer, error) { return nil, errNotBuilt() }

// Decode reports that this build has no recognizer.
func (*Recognizer) Decode([]int16) (Result, error) { return Result{}, errNotBuilt() }

// Recognize reports that this build has no recognizer.
func (*Recognizer) Recognize(context.Context, []int16) (string, bool, error) {
	return "", false, errNotBuilt()
}

// Veto reports that this build has no recognizer.
func (*Recognizer) Veto(context.Context, []int16, string) (string, error) { return "", errNotBuilt() }

// Confirm reports that this build has no recognizer.
func (*Recognizer) Confirm(context.Context, []int16, string) (bool, error) {
	return false, errNotBuilt()
}

// Close does nothing.
func (*Recognizer) Close() error { return nil }

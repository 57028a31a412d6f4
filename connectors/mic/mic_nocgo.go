//go:build !cgo

package mic

import (
	"context"

	"github.com/caseyos/caseyos/backend"
)

// Microphone reports "no microphone" in builds without cgo.
type Microphone struct{}

var _ backend.Microphone = (*Microphone)(nil)

func errNoCgo() error {
	return backend.Errorf(backend.EUNAVAILABLE, "this build has no audio capture (built without cgo)")
}

// Devices reports that this build cannot capture.
func (*Microphone) Devices(context.Context) ([]backend.AudioDevice, error) { return nil, errNoCgo() }

// Open reports that this build cannot capture.
func (*Microphone) Open(context.Context, string) (backend.PCMSource, error) { return nil, errNoCgo() }

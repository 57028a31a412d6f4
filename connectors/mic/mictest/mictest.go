// Package mictest holds a fake backend.Microphone: WAV files or samples
// played as a microphone would deliver them, and the "no microphone" and
// "permission denied" states on demand.
package mictest

import (
	"context"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/connectors/mic"
)

var _ backend.Microphone = (*Fake)(nil)

// Fake is a microphone whose capture is PCM given in advance.
type Fake struct {
	Devs     []backend.AudioDevice
	PCM      []int16 // what Open's source plays, then io.EOF
	Realtime bool    // pace the samples like a real device
	Err      error   // returned by Devices and Open when set
}

// NoMicrophone is the error a machine without a capture device gives.
func NoMicrophone() error { return backend.Errorf(backend.EUNAVAILABLE, "no microphone is connected") }

// PermissionDenied is the error a refused microphone permission gives.
func PermissionDenied() error {
	return backend.Errorf(backend.EUNAUTHORIZED, "CaseyOS may not use the microphone")
}

// FromWAV returns a fake playing a 16 kHz mono WAV file.
func FromWAV(path string, realtime bool) (*Fake, error) {
	pcm, err := mic.ReadWAV(path)
	if err != nil {
		return nil, err
	}
	return &Fake{PCM: pcm, Realtime: realtime, Devs: []backend.AudioDevice{{ID: "wav", Name: path, Default: true}}}, nil
}

// Devices lists the fake's devices.
func (f *Fake) Devices(context.Context) ([]backend.AudioDevice, error) { return f.Devs, f.Err }

// Open returns a source playing the PCM.
func (f *Fake) Open(context.Context, string) (backend.PCMSource, error) {
	if f.Err != nil {
		return nil, f.Err
	}
	return &mic.Samples{PCM: f.PCM, Realtime: f.Realtime}, nil
}

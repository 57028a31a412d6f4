package voice

import (
	"io"

	"github.com/caseyos/caseyos/backend"
)

// Closing is an offline recognizer made of parts, with what frees the parts
// that hold memory Go does not collect (pocketsphinx's decoder): an App
// that releases its models when voice turns off calls Close, and the rest
// is left to the garbage collector.
type Closing struct {
	backend.Recognizer
	Free func() error
}

// Close frees the parts; the recognizer must not be used after.
func (c Closing) Close() error {
	if c.Free == nil {
		return nil
	}
	return c.Free()
}

// Close closes the recognizer Partial wraps, when it has anything to close.
func (p Partial) Close() error {
	if c, ok := p.Recognizer.(io.Closer); ok {
		return c.Close()
	}
	return nil
}

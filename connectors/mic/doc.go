// Package mic captures 16 kHz mono 16-bit audio from a microphone through
// miniaudio (github.com/gen2brain/malgo), which loads PulseAudio, ALSA,
// Core Audio or WASAPI at run time. "No microphone" and "permission
// denied" come back as backend errors with the codes EUNAVAILABLE and
// EUNAUTHORIZED, which the UI shows as states, never as crashes. It also
// reads WAV files as a backend.PCMSource, for `caseyos voice recognize`
// and for tests.
package mic

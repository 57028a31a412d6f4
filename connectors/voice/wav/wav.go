// Package wav encodes and decodes the one audio format CaseyOS handles:
// RIFF WAV files of 16 kHz mono 16-bit PCM, the samples a
// backend.Recognizer is given. The microphone connector reads test and
// `voice recognize` files with it, the online recognizer sends utterances
// in it, and the test corpora and fakes write and parse it.
package wav

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// SampleRate is the only rate Encode writes and Decode accepts.
const SampleRate = 16000

// Encode encodes 16 kHz mono 16-bit PCM as a WAV file.
func Encode(pcm []int16) []byte {
	n := len(pcm) * 2
	b := make([]byte, 44+n)
	copy(b, "RIFF")
	binary.LittleEndian.PutUint32(b[4:], uint32(36+n))
	copy(b[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(b[16:], 16)           // fmt chunk size
	binary.LittleEndian.PutUint16(b[20:], 1)            // PCM
	binary.LittleEndian.PutUint16(b[22:], 1)            // mono
	binary.LittleEndian.PutUint32(b[24:], SampleRate)   // samples per second
	binary.LittleEndian.PutUint32(b[28:], SampleRate*2) // bytes per second
	binary.LittleEndian.PutUint16(b[32:], 2)            // block align
	binary.LittleEndian.PutUint16(b[34:], 16)           // bits per sample
	copy(b[36:], "data")
	binary.LittleEndian.PutUint32(b[40:], uint32(n))
	for i, s := range pcm {
		binary.LittleEndian.PutUint16(b[44+2*i:], uint16(s))
	}
	return b
}

// Decode decodes a RIFF WAV holding 16 kHz mono 16-bit PCM (plain or
// WAVE_FORMAT_EXTENSIBLE). Other formats are refused with a hint rather
// than resampled badly. A data chunk cut short, as a recorder that was
// stopped leaves it, gives the samples that are there.
func Decode(b []byte) ([]int16, error) {
	if len(b) < 12 || string(b[:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return nil, errors.New("not a WAV file")
	}
	var fmtOK bool
	for p := 12; p+8 <= len(b); {
		id, size := string(b[p:p+4]), int(binary.LittleEndian.Uint32(b[p+4:p+8]))
		body := b[p+8 : min(len(b), p+8+size)]
		switch id {
		case "fmt ":
			if len(body) < 16 {
				return nil, errors.New("short fmt chunk")
			}
			format, ch := binary.LittleEndian.Uint16(body[0:2]), binary.LittleEndian.Uint16(body[2:4])
			rate, bits := binary.LittleEndian.Uint32(body[4:8]), binary.LittleEndian.Uint16(body[14:16])
			if (format != 1 && format != 0xFFFE) || ch != 1 || rate != SampleRate || bits != 16 {
				return nil, fmt.Errorf("the audio is %d Hz, %d channel(s), %d bits (format %d); convert it with `sox IN.wav -r 16000 -c 1 -b 16 OUT.wav`", rate, ch, bits, format)
			}
			fmtOK = true
		case "data":
			if !fmtOK {
				return nil, errors.New("data before the fmt chunk")
			}
			out := make([]int16, len(body)/2)
			for i := range out {
				out[i] = int16(binary.LittleEndian.Uint16(body[2*i:]))
			}
			return out, nil
		}
		p += 8 + size + size%2
	}
	return nil, errors.New("no audio data")
}

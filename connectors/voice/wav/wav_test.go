package wav_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/caseyos/caseyos/connectors/voice/wav"
)

func TestRoundTrip(t *testing.T) {
	pcm := []int16{0, 1, -1, 32767, -32768, 1234}
	got, err := wav.Decode(wav.Encode(pcm))
	if err != nil || !slices.Equal(got, pcm) {
		t.Fatalf("Decode(Encode(%v)) = %v, %v", pcm, got, err)
	}
}

func TestDecode_Truncated(t *testing.T) {
	b := wav.Encode([]int16{1, 2, 3, 4})
	got, err := wav.Decode(b[:len(b)-3]) // the last sample and a half are gone
	if err != nil || !slices.Equal(got, []int16{1, 2}) {
		t.Errorf("Decode(truncated) = %v, %v, want the two whole samples left", got, err)
	}
}

func TestDecode_Errors(t *testing.T) {
	stereo := wav.Encode([]int16{1, 2})
	stereo[22] = 2
	rate := wav.Encode([]int16{1, 2})
	rate[24], rate[25] = 0x44, 0xAC // 44,100 Hz
	noData := wav.Encode(nil)[:36]
	for name, tc := range map[string]struct {
		b    []byte
		want string
	}{
		"NotWAV": {[]byte("hello world!"), "not a WAV"},
		"Empty":  {nil, "not a WAV"},
		"Stereo": {stereo, "sox"},
		"Rate":   {rate, "44100 Hz"},
		"NoData": {noData, "no audio"},
	} {
		if _, err := wav.Decode(tc.b); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Decode(%s) = %v, want an error about %q", name, err, tc.want)
		}
	}
}

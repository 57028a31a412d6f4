package sphinxtest

import (
	"errors"
	"slices"
	"sync"
	"testing"
)

func TestCorpus_Measured(t *testing.T) {
	noise := make([]int16, 16000)
	for i := range noise {
		noise[i] = int16(i%7 - 3)
	}
	speech := make([]int16, 800)
	for i := range speech {
		speech[i] = 1000
	}
	c := &Corpus{noise: map[Noise][]int16{White: noise}}
	clips := []Clip{
		{Text: "skip", Voice: "en-us", PCM: speech}, {Text: "next", Voice: "flite:awb", PCM: speech},
		{Text: "undo", Voice: "en-gb", PCM: speech}, {Voice: "", PCM: make([]int16, 800)},
		{Text: "cancel", Voice: "en-029+f2", PCM: speech},
	}
	espeak, flite := Synths[0], Synths[1]
	if got := c.Measured(clips, espeak.Has, Condition{}); len(got) != 4 || got[0].Text != "skip" || got[3].Text != "cancel" {
		t.Errorf("espeak-ng clean = %d clips, want the 3 espeak-ng clips and the noise clip", len(got))
	}
	if got := c.Measured(clips, flite.Has, Condition{}); len(got) != 2 || got[0].Text != "next" || got[1].Voice != "" {
		t.Errorf("flite clean = %d clips, want the flite clip and the noise clip", len(got))
	}
	got := c.Measured(clips, espeak.Has, Condition{White, 13})
	if len(got) != 2 || got[0].Text != "skip" || got[1].Voice != "" {
		t.Fatalf("espeak-ng white 13 dB = %d clips, want every other one: skip and the noise clip", len(got))
	}
	if slices.Equal(got[0].PCM, speech) {
		t.Error("the noisy clip has no noise mixed in")
	}
	if !slices.Equal(clips[0].PCM, speech) {
		t.Error("Measured changed the clean clip")
	}
}

func TestAcross(t *testing.T) {
	clips := make([]Clip, 10)
	for i := range clips {
		clips[i].PCM = []int16{int16(i)}
	}
	var mu sync.Mutex
	byDecoder := map[string][]int{}
	got, err := Across([]string{"a", "b", "c"}, clips, func(d string, pcm []int16) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		byDecoder[d] = append(byDecoder[d], int(pcm[0]))
		return 10 * int(pcm[0]), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range got {
		if v != 10*i {
			t.Errorf("result %d = %d, want %d (in clips' order)", i, v, 10*i)
		}
	}
	if !slices.Equal(byDecoder["b"], []int{1, 4, 7}) {
		t.Errorf("decoder b took %v, want clips 1 4 7", byDecoder["b"])
	}
	boom := errors.New("boom")
	var after int
	_, err = Across([]string{"a", "b"}, clips, func(d string, pcm []int16) (int, error) {
		if d == "a" && pcm[0] >= 2 {
			mu.Lock()
			after++
			mu.Unlock()
		}
		if pcm[0] == 2 {
			return 0, boom
		}
		return 0, nil
	})
	if !errors.Is(err, boom) {
		t.Errorf("Across = %v, want the decoder's error", err)
	}
	if after != 1 {
		t.Errorf("decoder a went on to %d clips after its error, want none", after-1)
	}
}

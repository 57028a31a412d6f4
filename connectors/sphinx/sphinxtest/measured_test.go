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

func TestEach(t *testing.T) {
	seen := make([]int, 10)
	var mu sync.Mutex
	byWorker := map[int][]int{}
	if err := Each(3, len(seen), func(w, i int) error {
		mu.Lock()
		defer mu.Unlock()
		seen[i]++
		byWorker[w] = append(byWorker[w], i)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for i, n := range seen {
		if n != 1 {
			t.Errorf("item %d done %d times, want once", i, n)
		}
	}
	if !slices.Equal(byWorker[1], []int{1, 4, 7}) {
		t.Errorf("worker 1 took %v, want 1 4 7", byWorker[1])
	}
	boom := errors.New("boom")
	var after int
	err := Each(2, 10, func(w, i int) error {
		if w == 0 && i >= 2 {
			mu.Lock()
			after++
			mu.Unlock()
		}
		if i == 2 {
			return boom
		}
		return nil
	})
	if !errors.Is(err, boom) {
		t.Errorf("Each = %v, want the worker's error", err)
	}
	if after != 1 {
		t.Errorf("worker 0 went on to %d items after its error, want none", after-1)
	}
}

package store

import (
	stdjson "encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
)

// encode runs in goroutines that start with small stacks (every ingest,
// execution and HTTP request): the encoder's own frames make the stack
// grow while it reads the record, and a record left on the old stack was
// read after that stack was freed and reused by other goroutines — a data
// race under -race, garbage or a SIGSEGV without (CI, TestQueue_Execute-
// DoubleClick). Every encoding must match encoding/json's, from fresh
// goroutines at once.
func TestEncode_FreshGoroutines(t *testing.T) {
	type rec struct {
		ID    uint64            `json:"id"`
		Key   string            `json:"key"`
		Notes []string          `json:"notes"`
		Attrs map[string]string `json:"attrs"`
	}
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for g := 0; g < 64; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				r := rec{ID: uint64(g*1000 + i), Key: fmt.Sprintf("key-%d-%d", g, i), Notes: []string{strings.Repeat("n", g+i), "<b>&"}, Attrs: map[string]string{"g": fmt.Sprint(g)}}
				got, err := encode("test", "record", r)
				if err != nil {
					errs <- err.Error()
					return
				}
				want, _ := stdjson.Marshal(r)
				var a, b any
				if stdjson.Unmarshal(got, &a) != nil || stdjson.Unmarshal(want, &b) != nil || fmt.Sprint(a) != fmt.Sprint(b) {
					errs <- fmt.Sprintf("encode = %s, want %s", got, want)
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

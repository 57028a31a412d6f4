package sphinx_test

import (
	"reflect"
	"testing"

	"github.com/caseyos/caseyos/connectors/sphinx"
)

func TestInflections(t *testing.T) {
	p := func(s ...string) []string { return s }
	prons := map[string][][]string{
		"cancel":    {p("K", "AE", "N", "S", "AH", "L")},
		"canceled":  {p("K", "AE", "N", "S", "AH", "L", "D")},
		"cancelled": {p("K", "AE", "N", "S", "AH", "L", "D")},
		"cancels":   {p("K", "AE", "N", "S", "AH", "L", "Z")},
		"confirm":   {p("K", "AH", "N", "F", "ER", "M")},
		"confirmed": {p("K", "AH", "N", "F", "ER", "M", "D")},
		"confirms":  {p("K", "AH", "N", "F", "ER", "M", "Z")},
		"confirmes": {p("K", "AH", "N", "F", "ER", "M", "IH")}, // spelt as one, said otherwise
		// skip ends in a stop, next in one or a fricative: their release
		// sounds like -ed or -s.
		"skip":       {p("S", "K", "IH", "P")},
		"skipped":    {p("S", "K", "IH", "P", "T")},
		"skips":      {p("S", "K", "IH", "P", "S")},
		"next":       {p("N", "EH", "K", "S", "T"), p("N", "EH", "K", "S")},
		"nexts":      {p("N", "EH", "K", "S", "T", "S")},
		"snooze":     {p("S", "N", "UW", "Z")},
		"snoozes":    {p("S", "N", "UW", "Z", "IH", "Z")}, // two phones more
		"undo":       {p("AH", "N", "D", "UW")},
		"undoes":     {p("AH", "N", "D", "UW", "Z")}, // undo + "es", after a vowel
		"read":       {p("R", "IY", "D")},
		"reads":      {p("R", "IY", "D", "Z")}, // "read it" is two words: none
		"approve":    {p("AH", "P", "R", "UW", "V")},
		"approveing": {p("AH", "P", "R", "UW", "V", "IH", "NG")}, // not an inflection's spelling
	}
	got := sphinx.Inflections([]string{"cancel", "confirm", "skip", "snooze", "next", "read it", "approve", "undo"}, prons)
	want := map[string][]string{
		"cancel":  {"canceled", "cancelled", "cancels"},
		"confirm": {"confirmed", "confirms"},
		"undo":    {"undoes"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Inflections = %v, want %v", got, want)
	}
}

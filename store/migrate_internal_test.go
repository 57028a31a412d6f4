package store

import "testing"

// TestMigrations checks the list is consecutive and ends at currentVersion,
// so no version can be skipped or left without an upgrade.
func TestMigrations(t *testing.T) {
	for i, m := range migrations {
		if want := uint64(i + 2); m.version != want {
			t.Errorf("migrations[%d].version = %d, want %d", i, m.version, want)
		}
		if m.name == "" || m.fn == nil {
			t.Errorf("migrations[%d] needs a name and a function", i)
		}
	}
	if last := migrations[len(migrations)-1].version; last != currentVersion {
		t.Errorf("last migration produces schema %d, currentVersion is %d", last, currentVersion)
	}
}

func TestKeyOrder(t *testing.T) {
	scores := []float64{-1e9, -2.5, -0.0, 0, 1e-300, 0.5, 1, 87.5, 100, 1e300}
	for i := 1; i < len(scores); i++ {
		if a, b := scoreBits(scores[i-1]), scoreBits(scores[i]); a > b {
			t.Errorf("scoreBits(%v) = %x > scoreBits(%v) = %x", scores[i-1], a, scores[i], b)
		}
	}
}

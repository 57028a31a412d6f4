package app

import (
	"fmt"
	"strings"
	"time"

	"github.com/caseyos/caseyos/backend"
)

// SendWindowDTO is when sends may reach a recipient, on the recipient's own
// clock: "HH:MM" from (inclusive) to (exclusive, "24:00" = midnight).
type SendWindowDTO struct {
	Start        string `json:"start"`
	End          string `json:"end"`
	SkipWeekends bool   `json:"skip_weekends"`
}

func hhmm(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

// parseHHMM reads "8:00", "08:00" or "24:00" as minutes after midnight.
func parseHHMM(s, what string) (int, error) {
	s = strings.TrimSpace(s)
	if s == "24:00" {
		return 24 * 60, nil
	}
	t, err := time.Parse("15:04", s)
	if err != nil {
		if t, err = time.Parse("3:04", s); err != nil {
			return 0, backend.Errorf(backend.EINVALID, "the send window's %s %q is not a time like 08:00", what, s)
		}
	}
	return t.Hour()*60 + t.Minute(), nil
}

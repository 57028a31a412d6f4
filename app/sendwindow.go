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

// SendWindow returns the send window in force.
func (a *App) SendWindow() (SendWindowDTO, error) {
	g, err := a.queue.Guardrails.Get(a.ctx)
	if err != nil {
		return SendWindowDTO{}, err
	}
	w := g.Window()
	return SendWindowDTO{Start: hhmm(w.Start), End: hhmm(w.End), SkipWeekends: w.SkipWeekends}, nil
}

// SetSendWindow changes the send window; sends held by the old one are
// judged by the new one when their time comes.
func (a *App) SetSendWindow(in SendWindowDTO, via string) (SendWindowDTO, error) {
	start, err := parseHHMM(in.Start, "start")
	if err != nil {
		return SendWindowDTO{}, err
	}
	end, err := parseHHMM(in.End, "end")
	if err != nil {
		return SendWindowDTO{}, err
	}
	who, err := actor(via)
	if err != nil {
		return SendWindowDTO{}, err
	}
	w := backend.SendWindow{Start: start, End: end, SkipWeekends: in.SkipWeekends}
	if err := a.queue.Guardrails.SetSendWindow(a.ctx, w, who); err != nil {
		return SendWindowDTO{}, err
	}
	return a.SendWindow()
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

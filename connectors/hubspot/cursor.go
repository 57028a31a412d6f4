package hubspot

import "encoding/json"

// Cursor phases, in the order a pass runs them.
const (
	phaseContacts  = "contacts"
	phaseDeals     = "deals"
	phaseCompanies = "companies" // later passes only: the first reads companies through their contacts and deals
	phaseTasks     = "tasks"     // later passes only: tasks CaseyOS created that were completed
	phaseForms     = "forms"
)

// cursor is Poll's state, stored by the sync engine as an opaque string.
//
// A pass runs the phases contacts → deals → (companies → tasks) → forms. The first pass lists
// everything (Synced false); later passes search for records modified in
// (since, upper]. The paging state of the phase in progress is saved after
// every page whose signals are returned, so an interrupted pass resumes at
// the page it had not finished: a crash re-fetches, it never skips.
type cursor struct {
	V      int    `json:"v"`
	Synced bool   `json:"synced,omitempty"` // the first full pass finished
	Phase  string `json:"phase,omitempty"`  // the phase in progress; "" between passes
	After  string `json:"after,omitempty"`  // paging token inside the phase
	Upper  int64  `json:"upper,omitempty"`  // this pass's upper bound, epoch ms
	// The search window of an incremental phase: from From (exclusive
	// unless FromIncl) to Upper. Seen counts the results paged through in
	// it, against the 10,000-result cap.
	From     int64 `json:"from,omitempty"`
	FromIncl bool  `json:"from_incl,omitempty"`
	Seen     int   `json:"seen,omitempty"`
	// Since is, per object type, the time up to which every change is in.
	Since map[string]int64 `json:"since,omitempty"`
	// Forms is, per form guid, the newest submission seen (epoch ms).
	Forms map[string]int64 `json:"forms,omitempty"`
}

func decodeCursor(s string) cursor {
	var c cursor
	if s != "" && json.Unmarshal([]byte(s), &c) == nil && c.V == 1 {
		if c.Since == nil {
			c.Since = map[string]int64{}
		}
		if c.Forms == nil {
			c.Forms = map[string]int64{}
		}
		return c
	}
	// No cursor, or one this version cannot read: sync from scratch.
	// Dedupe keys make the repeated signals harmless.
	return cursor{V: 1, Since: map[string]int64{}, Forms: map[string]int64{}}
}

func (c cursor) encode() string {
	b, _ := json.Marshal(c)
	return string(b)
}

// Pending reports whether cursor stops in the middle of a pass.
func Pending(cursor string) bool { return decodeCursor(cursor).Phase != "" }

package backend

import (
	"strings"
	"sync"
)

// Who the owner is. Settings.OwnerEmail when the founder set it; else the
// address of the connected Google account (the app tells the services
// with SetOwnerAddress), so that with nothing set the owner's own address
// is still never among a meeting's attendees or a reply's recipients.

// connectedOwner is the connected account's address.
type connectedOwner struct {
	mu   sync.Mutex
	addr string
}

// SetOwnerAddress tells the services the connected account's address
// ("" when none is connected). Safe to call at any time.
func (s *Services) SetOwnerAddress(addr string) {
	o := &s.core.owner
	o.mu.Lock()
	o.addr = strings.ToLower(strings.TrimSpace(addr))
	o.mu.Unlock()
}

// OwnerAddress is the owner's address: st.OwnerEmail when set, else the
// connected account's, else "".
func OwnerAddress(st *Settings, connected string) string {
	if st != nil && st.OwnerEmail != "" {
		return st.OwnerEmail
	}
	if ValidEmail(connected) {
		return connected
	}
	return ""
}

// withOwner returns st with OwnerEmail answered by OwnerAddress: a copy
// when it fills it in, for the recommender and the composer of one
// ingest; never stored.
func (c *core) withOwner(st *Settings) *Settings {
	c.owner.mu.Lock()
	addr := c.owner.addr
	c.owner.mu.Unlock()
	if st == nil || st.OwnerEmail != "" || addr == "" {
		return st
	}
	cp := *st
	cp.OwnerEmail = OwnerAddress(st, addr)
	return &cp
}

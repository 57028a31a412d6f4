package notify

import (
	"github.com/caseyos/caseyos/backend"
)

// Actions are the keys of the actions a notification offers.
const (
	ActionOpen   = "open"
	ActionSnooze = "snooze-1h"
)

// Options configure a Client.
type Options struct {
	// AppName is what the server shows as the sender ("CaseyOS").
	AppName string
	// Icon is an icon name or an absolute path to an image; "" for none.
	Icon string
	// Open is called with the move's id when "Open" is chosen (or the
	// notification itself is clicked); 0 for a notification about no move.
	Open func(moveID uint64)
	// Snooze is called with the move's id when "Snooze 1h" is chosen.
	Snooze func(moveID uint64)
}

var _ backend.Notifier = (*Client)(nil)

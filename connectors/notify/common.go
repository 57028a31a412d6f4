package notify

import (
	"strings"

	"github.com/caseyos/caseyos/backend"
)

func has(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

// escapeMarkup keeps a server that reads the body as markup from reading
// a reason's "<" or "&" as a tag.
func escapeMarkup(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// category is the freedesktop notification category of a kind.
func category(k backend.NotifyKind) string {
	switch k {
	case backend.NotifyExecutionFailed:
		return "transfer.error"
	case backend.NotifyOutboxDrained:
		return "transfer.complete"
	case backend.NotifyKillSwitch:
		return "device"
	}
	return "im.received"
}

// urgency is the freedesktop urgency byte: 1 normal, 2 critical.
func urgency(k backend.NotifyKind) byte {
	if k == backend.NotifyExecutionFailed || k == backend.NotifyKillSwitch {
		return 2
	}
	return 1
}

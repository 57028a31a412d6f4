package app

import (
	"sync"

	"github.com/caseyos/caseyos/backend"
)

// Broker fans the domain's events out to every subscriber: the desktop
// window, each browser's event stream. It implements backend.Events.
// Subscribers are called in the publisher's goroutine, so they must not
// block: the event stream hands events to a buffered channel and drops
// them when a slow browser falls behind (it reloads on reconnect).
type Broker struct {
	mu   sync.Mutex
	next int
	subs map[int]func(name string, payload any)
}

var _ backend.Events = (*Broker)(nil)

// NewBroker returns a Broker with no subscribers.
func NewBroker() *Broker { return &Broker{subs: map[int]func(string, any){}} }

// Publish calls every subscriber with the event.
func (b *Broker) Publish(name string, payload any) {
	b.mu.Lock()
	fns := make([]func(string, any), 0, len(b.subs))
	for _, fn := range b.subs {
		fns = append(fns, fn)
	}
	b.mu.Unlock()
	for _, fn := range fns {
		fn(name, payload)
	}
}

// Subscribe registers fn and returns the function that removes it.
func (b *Broker) Subscribe(fn func(name string, payload any)) (cancel func()) {
	b.mu.Lock()
	id := b.next
	b.next++
	b.subs[id] = fn
	b.mu.Unlock()
	return func() {
		b.mu.Lock()
		delete(b.subs, id)
		b.mu.Unlock()
	}
}

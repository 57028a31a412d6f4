package backend

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode"
)

// Voice: the intent layer between a recognizer and the queue. A recognized
// phrase becomes an Intent; the Voice session carries it out through the
// same operations the keys call (VoiceTarget, implemented by the app) and
// answers out loud. Anything that sends needs a second, spoken "confirm"
// within ConfirmWindow; speech the recognizer rejected never does anything.

// Intent is what a spoken command asks for.
type Intent string

// The intents of the command grammar.
const (
	IntentNone          Intent = ""
	IntentApprove       Intent = "approve" // "approve" or "execute"
	IntentSkip          Intent = "skip"
	IntentNext          Intent = "next"
	IntentPrevious      Intent = "previous"
	IntentUndo          Intent = "undo"
	IntentReadIt        Intent = "read_it"
	IntentSnooze        Intent = "snooze"
	IntentConfirm       Intent = "confirm"
	IntentCancel        Intent = "cancel"
	IntentStopListening Intent = "stop_listening"
	IntentWake          Intent = "wake" // "hey casey"
)

// intentPhrases are the spoken forms of each intent: the grammar's phrases
// and, for free dictation, a few unambiguous variants.
var intentPhrases = map[string]Intent{
	"approve": IntentApprove, "execute": IntentApprove,
	"skip": IntentSkip, "skip it": IntentSkip,
	"next": IntentNext, "previous": IntentPrevious, "undo": IntentUndo,
	"read it": IntentReadIt, "snooze": IntentSnooze, "snooze it": IntentSnooze,
	"confirm": IntentConfirm, "cancel": IntentCancel,
	"stop listening": IntentStopListening, "hey casey": IntentWake,
}

// politeness may surround a command in dictation without changing it.
var politeness = map[string]bool{"please": true, "ok": true, "okay": true, "casey": true}

// ParseIntent maps what was heard to an intent. The whole utterance must be
// one command, give or take "please" or "okay": "don't approve" or "skip
// lunch" are not commands, so dictation from an online recognizer is held
// to the same standard as the grammar.
func ParseIntent(text string) Intent {
	words := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && r != '\''
	})
	phrase := strings.Join(words, " ")
	if in, ok := intentPhrases[phrase]; ok {
		return in
	}
	var kept []string
	for _, w := range words {
		if !politeness[w] {
			kept = append(kept, w)
		}
	}
	if len(kept) == 0 || len(kept) == len(words) {
		return IntentNone
	}
	return intentPhrases[strings.Join(kept, " ")]
}

// NeedsConfirm reports whether executing a move of kind must be confirmed
// by voice: whatever reaches another person (email, a social reply, a
// meeting invitation) or cannot be rolled back (a contact merge).
func NeedsConfirm(kind MoveKind) bool {
	switch kind {
	case KindSendEmail, KindReplySocial, KindScheduleMeeting, KindMergeContacts:
		return true
	}
	return false
}

// VoiceMove is what voice needs to know about a move.
type VoiceMove struct {
	ID        uint64
	Kind      MoveKind
	Title     string
	TopReason string
	Draft     string // the draft as it should be read aloud
}

// VoiceTarget is what voice commands act on: the same operations the keys
// call, each recorded as done by voice.
type VoiceTarget interface {
	// Moves returns Today's pending moves, best first.
	Moves(ctx context.Context) ([]VoiceMove, error)
	Skip(ctx context.Context, id uint64) error
	Snooze(ctx context.Context, id uint64) (until string, err error)
	// Undo takes back the latest skip or snooze and names the move.
	Undo(ctx context.Context) (title string, err error)
	// Preview plans a move as executing it would, and returns the
	// preview's hash; Execute carries out the move only if it still
	// plans to that hash (what runs is what was approved), and says what
	// happened.
	Preview(ctx context.Context, id uint64) (hash string, err error)
	Execute(ctx context.Context, id uint64, hash string) (summary string, err error)
}

// Speaker reads text aloud. Say returns once the text is queued or spoken;
// it must not block for long.
type Speaker interface {
	Say(ctx context.Context, text string) error
}

// Listening modes.
const (
	ModePushToTalk = "push_to_talk" // only while the key is held
	ModeWake       = "wake"         // "hey casey" opens a short command window
	ModeAlways     = "always"       // every utterance is a command (the terminal's `voice listen`)
)

// VoiceState says what the session is doing.
type VoiceState string

// The session's states.
const (
	VoiceIdle       VoiceState = "idle"       // not listening for commands
	VoiceListening  VoiceState = "listening"  // commands are acted on
	VoiceAsleep     VoiceState = "asleep"     // wake mode: waiting for "hey casey"
	VoiceConfirming VoiceState = "confirming" // a send waits for "confirm"
)

// Event names of the voice session.
const (
	EventVoiceState = "voice:state" // VoiceStatus
	EventVoiceHeard = "voice:heard" // VoiceOutcome
)

// VoiceStatus is the payload of EventVoiceState.
type VoiceStatus struct {
	State      VoiceState `json:"state"`
	Mode       string     `json:"mode"`
	MoveID     uint64     `json:"move_id,omitempty"` // the move voice commands act on
	InSpeech   bool       `json:"in_speech"`
	ConfirmFor uint64     `json:"confirm_for,omitempty"` // the move "confirm" would execute
	Until      *time.Time `json:"until,omitempty"`       // when the confirm or wake window closes
	Mic        string     `json:"mic,omitempty"`         // "", "no_microphone", "permission_denied", "error"
	Detail     string     `json:"detail,omitempty"`
}

// VoiceOutcome is what one utterance did.
type VoiceOutcome struct {
	Heard   string `json:"heard"`   // the recognizer's best phrase, even when rejected
	Intent  Intent `json:"intent"`  // "" when nothing was done
	Ignored string `json:"ignored"` // why nothing was done: "rejected", "asleep", "too_long", "not_a_command"
	Action  string `json:"action"`  // what was done, for the UI
	Said    string `json:"said"`    // the read-back
	MoveID  uint64 `json:"move_id,omitempty"`
	Err     string `json:"error,omitempty"`
}

// Voice is one voice session. It is safe for concurrent use.
type Voice struct {
	target VoiceTarget
	speak  Speaker
	clock  Clock
	events Events

	// ConfirmWindow is how long "confirm" is accepted after "approve" on a
	// move that sends; WakeWindow is how long "hey casey" keeps listening
	// after the last command.
	ConfirmWindow time.Duration
	WakeWindow    time.Duration

	mu          sync.Mutex
	mode        string
	state       VoiceState
	cursor      uint64
	confirmFor  uint64
	confirmHash string // the preview "approve" made of confirmFor
	confirmTill time.Time
	wakeTill    time.Time
	inSpeech    bool
	mic         string
	detail      string
}

// NewVoice returns a session in push-to-talk mode, idle.
func NewVoice(target VoiceTarget, speak Speaker, clock Clock, events Events) *Voice {
	if events == nil {
		events = NopEvents{}
	}
	if clock == nil {
		clock = SystemClock{}
	}
	return &Voice{target: target, speak: speak, clock: clock, events: events,
		ConfirmWindow: 6 * time.Second, WakeWindow: 8 * time.Second, mode: ModePushToTalk, state: VoiceIdle}
}

// SetMode switches the listening mode; the session starts afresh.
func (v *Voice) SetMode(mode string) error {
	switch mode {
	case ModePushToTalk, ModeWake, ModeAlways:
	default:
		return Errorf(EINVALID, "listening mode %q is not one of %s, %s, %s", mode, ModePushToTalk, ModeWake, ModeAlways)
	}
	v.mu.Lock()
	v.mode = mode
	v.confirmFor, v.wakeTill = 0, time.Time{}
	v.state = v.restingState()
	v.mu.Unlock()
	v.publish()
	return nil
}

// Mode returns the listening mode.
func (v *Voice) Mode() string {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.mode
}

// Focus sets the move commands act on (the UI's selection).
func (v *Voice) Focus(id uint64) {
	v.mu.Lock()
	if id != v.cursor {
		v.cursor = id
		v.confirmFor = 0 // a confirmation is for the move it was asked on
	}
	v.mu.Unlock()
	v.publish()
}

// PushToTalk opens (down) or closes the command window in push-to-talk
// mode. An utterance that ends after the key is released is still heard:
// the listener (connectors/voice) flushes it on release.
func (v *Voice) PushToTalk(down bool) {
	v.mu.Lock()
	if down {
		v.state = VoiceListening
		if v.confirmFor != 0 {
			v.state = VoiceConfirming
		}
	} else if v.mode == ModePushToTalk && v.confirmFor == 0 {
		v.state = VoiceIdle
	}
	v.mu.Unlock()
	v.publish()
}

// SetSpeech tells the session whether someone is speaking, for the UI.
func (v *Voice) SetSpeech(in bool) {
	v.mu.Lock()
	changed := v.inSpeech != in
	v.inSpeech = in
	v.mu.Unlock()
	if changed {
		v.publish()
	}
}

// SetMic records the microphone's state ("" when capturing).
func (v *Voice) SetMic(state, detail string) {
	v.mu.Lock()
	v.mic, v.detail = state, detail
	v.mu.Unlock()
	v.publish()
}

// Status returns the session's state.
func (v *Voice) Status() VoiceStatus {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.expire()
	s := VoiceStatus{State: v.state, Mode: v.mode, MoveID: v.cursor, InSpeech: v.inSpeech, ConfirmFor: v.confirmFor, Mic: v.mic, Detail: v.detail}
	switch {
	case v.confirmFor != 0:
		t := v.confirmTill
		s.Until = &t
	case v.mode == ModeWake && v.state == VoiceListening:
		t := v.wakeTill
		s.Until = &t
	}
	return s
}

func (v *Voice) publish() { v.events.Publish(EventVoiceState, v.Status()) }

func (v *Voice) restingState() VoiceState {
	switch v.mode {
	case ModeWake:
		return VoiceAsleep
	case ModeAlways:
		return VoiceListening
	}
	return VoiceIdle
}

// expire closes windows whose time has passed. v.mu is held.
func (v *Voice) expire() {
	now := v.clock.Now()
	if v.confirmFor != 0 && !now.Before(v.confirmTill) {
		v.confirmFor = 0
		if v.state == VoiceConfirming {
			v.state = VoiceListening
			if v.mode != ModeAlways {
				v.state = v.restingState()
			}
		}
	}
	if v.mode == ModeWake && v.state == VoiceListening && !now.Before(v.wakeTill) {
		v.state = VoiceAsleep
	}
}

// Rejected records an utterance the recognizer did not accept (or that was
// too long to be a command): nothing happens, and a pending confirmation
// stays pending — it can only be completed by "confirm".
func (v *Voice) Rejected(heard, why string) VoiceOutcome {
	out := VoiceOutcome{Heard: heard, Ignored: why}
	v.events.Publish(EventVoiceHeard, out)
	return out
}

// Failed records an utterance the recognizer failed on: nothing happens,
// and the UI is told why.
func (v *Voice) Failed(heard string, err error) VoiceOutcome {
	out := VoiceOutcome{Heard: heard, Err: ErrorMessage(err), Ignored: "error"}
	v.events.Publish(EventVoiceHeard, out)
	return out
}

// Heard carries out one accepted utterance.
func (v *Voice) Heard(ctx context.Context, text string) VoiceOutcome {
	in := ParseIntent(text)
	out := VoiceOutcome{Heard: text, Intent: in}
	if in == IntentNone {
		out.Ignored = "not_a_command"
		v.events.Publish(EventVoiceHeard, out)
		return out
	}
	v.mu.Lock()
	v.expire()
	now := v.clock.Now()
	switch {
	case in == IntentWake:
		if v.mode == ModeWake {
			v.state, v.wakeTill = VoiceListening, now.Add(v.WakeWindow)
		}
		v.mu.Unlock()
		out.Action = "listening"
		v.say(ctx, &out, "Yes?")
		v.finish(out)
		return out
	case v.state == VoiceAsleep || (v.state == VoiceIdle && v.mode != ModeAlways):
		v.mu.Unlock()
		out.Intent, out.Ignored = IntentNone, "asleep"
		v.events.Publish(EventVoiceHeard, out)
		return out
	}
	if v.mode == ModeWake {
		v.wakeTill = now.Add(v.WakeWindow)
	}
	pending, cursor := v.confirmFor, v.cursor
	if in != IntentConfirm {
		// Any other command cancels a pending confirmation; only the word
		// "confirm" can complete it.
		v.confirmFor = 0
		if v.state == VoiceConfirming {
			v.state = VoiceListening
		}
	}
	v.mu.Unlock()

	v.do(ctx, in, pending, cursor, &out)
	v.finish(out)
	return out
}

func (v *Voice) finish(out VoiceOutcome) {
	v.events.Publish(EventVoiceHeard, out)
	v.publish()
}

func (v *Voice) say(ctx context.Context, out *VoiceOutcome, format string, args ...any) {
	out.Said = fmt.Sprintf(format, args...)
	if v.speak != nil {
		if err := v.speak.Say(ctx, out.Said); err != nil && out.Err == "" {
			out.Err = "read-back failed: " + ErrorMessage(err)
		}
	}
}

func (v *Voice) fail(ctx context.Context, out *VoiceOutcome, err error) {
	out.Err = ErrorMessage(err)
	v.say(ctx, out, "%s", sentence(ErrorMessage(err)))
}

// current finds the focused move among Today's, or the first one.
func (v *Voice) current(ctx context.Context, cursor uint64) (VoiceMove, []VoiceMove, int, error) {
	moves, err := v.target.Moves(ctx)
	if err != nil {
		return VoiceMove{}, nil, -1, err
	}
	if len(moves) == 0 {
		return VoiceMove{}, nil, -1, nil
	}
	for i, m := range moves {
		if m.ID == cursor {
			return m, moves, i, nil
		}
	}
	return moves[0], moves, 0, nil
}

func (v *Voice) setCursor(id uint64) {
	v.mu.Lock()
	v.cursor = id
	v.mu.Unlock()
}

func (v *Voice) do(ctx context.Context, in Intent, pending, cursor uint64, out *VoiceOutcome) {
	switch in {
	case IntentStopListening:
		v.mu.Lock()
		v.state, v.confirmFor = VoiceIdle, 0
		if v.mode == ModeWake {
			v.state = VoiceAsleep
		}
		v.mu.Unlock()
		out.Action = "stopped listening"
		v.say(ctx, out, "Stopped listening.")
		return
	case IntentCancel:
		if pending != 0 {
			out.Action, out.MoveID = "cancelled", pending
			v.say(ctx, out, "Cancelled. Nothing was sent.")
		} else {
			out.Action = "nothing to cancel"
			v.say(ctx, out, "Nothing to cancel.")
		}
		return
	case IntentUndo:
		title, err := v.target.Undo(ctx)
		if err != nil {
			v.fail(ctx, out, err)
			return
		}
		out.Action = "undone"
		v.say(ctx, out, "Undone: %s.", title)
		return
	case IntentConfirm:
		v.confirm(ctx, pending, out)
		return
	}
	m, moves, i, err := v.current(ctx, cursor)
	if err != nil {
		v.fail(ctx, out, err)
		return
	}
	if m.ID == 0 {
		out.Action = "no moves"
		v.say(ctx, out, "No moves left for today.")
		return
	}
	out.MoveID = m.ID
	switch in {
	case IntentNext, IntentPrevious:
		j := i + 1
		if in == IntentPrevious {
			j = i - 1
		}
		if cursor == 0 && in == IntentNext { // nothing focused yet: start at the top
			j = 0
		}
		if j < 0 || j >= len(moves) {
			out.Action = "no more moves"
			v.say(ctx, out, "That was the %s move.", map[Intent]string{IntentNext: "last", IntentPrevious: "first"}[in])
			return
		}
		n := moves[j]
		v.setCursor(n.ID)
		out.MoveID, out.Action = n.ID, "focused"
		v.say(ctx, out, "%s%s", sentence(n.Title), reasonSuffix(n.TopReason))
	case IntentReadIt:
		v.setCursor(m.ID)
		out.Action = "read the draft"
		d := m.Draft
		if strings.TrimSpace(d) == "" {
			d = "There is no draft; executing " + sentence(m.Title)
		}
		v.say(ctx, out, "%s", d)
	case IntentSkip:
		if err := v.target.Skip(ctx, m.ID); err != nil {
			v.fail(ctx, out, err)
			return
		}
		out.Action = "skipped"
		v.advance(moves, i)
		v.say(ctx, out, "Skipped.")
	case IntentSnooze:
		until, err := v.target.Snooze(ctx, m.ID)
		if err != nil {
			v.fail(ctx, out, err)
			return
		}
		out.Action = "snoozed"
		v.advance(moves, i)
		v.say(ctx, out, "Snoozed until %s.", until)
	case IntentApprove:
		hash, err := v.target.Preview(ctx, m.ID)
		if err != nil {
			v.fail(ctx, out, err)
			return
		}
		if NeedsConfirm(m.Kind) {
			v.mu.Lock()
			v.cursor, v.confirmFor, v.confirmHash, v.confirmTill = m.ID, m.ID, hash, v.clock.Now().Add(v.ConfirmWindow)
			v.state = VoiceConfirming
			v.mu.Unlock()
			out.Action = "waiting for confirm"
			v.say(ctx, out, "Say confirm to send.")
			return
		}
		v.execute(ctx, m.ID, hash, moves, i, out)
	}
}

func (v *Voice) confirm(ctx context.Context, pending uint64, out *VoiceOutcome) {
	if pending == 0 {
		out.Action = "nothing to confirm"
		v.say(ctx, out, "Nothing to confirm.")
		return
	}
	v.mu.Lock()
	if v.confirmFor != pending { // expired or cancelled in the meantime
		v.mu.Unlock()
		out.Action = "nothing to confirm"
		v.say(ctx, out, "Nothing to confirm.")
		return
	}
	v.confirmFor = 0
	hash := v.confirmHash
	if v.state == VoiceConfirming {
		v.state = VoiceListening
	}
	v.mu.Unlock()
	moves, err := v.target.Moves(ctx)
	if err != nil {
		v.fail(ctx, out, err)
		return
	}
	i := -1
	for k, m := range moves {
		if m.ID == pending {
			i = k
		}
	}
	v.execute(ctx, pending, hash, moves, i, out)
}

// execute carries out move id as previewed (hash) when it was approved.
func (v *Voice) execute(ctx context.Context, id uint64, hash string, moves []VoiceMove, i int, out *VoiceOutcome) {
	out.MoveID = id
	summary, err := v.target.Execute(ctx, id, hash)
	if err != nil {
		v.fail(ctx, out, err)
		return
	}
	out.Action = "executed"
	v.advance(moves, i)
	v.say(ctx, out, "%s", sentence(nonEmpty(summary, "Done")))
}

// advance moves the cursor past a move that left the queue.
func (v *Voice) advance(moves []VoiceMove, i int) {
	var next uint64
	switch {
	case i >= 0 && i+1 < len(moves):
		next = moves[i+1].ID
	case i > 0:
		next = moves[i-1].ID
	}
	v.setCursor(next)
}

func reasonSuffix(r string) string {
	if r == "" {
		return ""
	}
	return " " + sentence(r)
}

// sentence ends s with a full stop unless it has its own punctuation.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	if strings.ContainsRune(".!?", rune(s[len(s)-1])) {
		return s
	}
	return s + "."
}

package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/backend/intent"
)

// maxClassifyLine is the longest input line classify reads; a longer one
// is reported and skipped without being held in memory.
const maxClassifyLine = 1 << 20

// classifyLine is one input line of `caseyos classify`.
type classifyLine struct {
	Subject    string `json:"subject"`
	Body       string `json:"body"`
	From       string `json:"from"`
	ReceivedAt string `json:"received_at"` // RFC 3339; default now
	Timezone   string `json:"timezone"`    // IANA name; default the offset of received_at, else UTC
}

// runClassify is `caseyos classify [--json] [FILE|-]`: the intent of each
// email given as a JSON line, offline. It needs no workspace and opens
// none.
func runClassify(_ context.Context, c *command, args []string) int {
	fs := c.flags()
	fs.BoolVar(&c.json, "json", false, "print each result as a JSON line")
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			c.usageError(err.Error())
			return ExitUsage
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(pos) > 1 {
		c.usageError("classify takes one FILE of JSON lines, or - for standard input")
		return ExitUsage
	}
	in := c.env.Stdin
	if len(pos) == 1 && pos[0] != "-" {
		f, err := os.Open(pos[0])
		if err != nil {
			return c.fail(&backend.Error{Code: backend.EINVALID, Message: fmt.Sprintf("cannot read %s", pos[0]), Op: "classify", Err: err})
		}
		defer f.Close()
		in = f
	}
	out := bufio.NewWriter(c.env.Stdout)
	defer out.Flush()
	r := bufio.NewReaderSize(in, 64<<10)
	failed := 0
	for n := 1; ; n++ {
		line, tooLong, err := readLine(r, maxClassifyLine)
		if err != nil && !errors.Is(err, io.EOF) {
			out.Flush()
			return c.fail(&backend.Error{Code: backend.EINVALID, Message: fmt.Sprintf("cannot read line %d", n), Op: "classify", Err: err})
		}
		if len(bytes.TrimSpace(line)) > 0 || tooLong {
			res, lerr := classifyOne(line, tooLong, c.env.Clock.Now())
			if lerr != nil {
				out.Flush()
				fmt.Fprintf(c.env.Stderr, "line %d: %v\n", n, lerr)
				failed++
			} else if c.json {
				b, _ := json.Marshal(res)
				out.Write(append(b, '\n'))
			} else {
				fmt.Fprintln(out, describe(res))
			}
		}
		if err != nil { // io.EOF
			break
		}
	}
	if failed > 0 {
		out.Flush()
		fmt.Fprintf(c.env.Stderr, "caseyos classify: %d lines could not be classified\n", failed)
		return ExitPartial
	}
	return ExitOK
}

// readLine reads one line (without its newline) of at most max bytes;
// of a longer one it keeps nothing, reads on to its end and says so.
func readLine(r *bufio.Reader, max int) (line []byte, tooLong bool, err error) {
	for {
		chunk, err := r.ReadSlice('\n')
		if !tooLong {
			if len(line)+len(chunk) > max+1 { // +1: the newline
				tooLong, line = true, nil
			} else {
				line = append(line, chunk...)
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		line = bytes.TrimSuffix(bytes.TrimSuffix(line, []byte("\n")), []byte("\r"))
		return line, tooLong, err
	}
}

func classifyOne(line []byte, tooLong bool, now time.Time) (intent.Result, error) {
	if tooLong {
		return intent.Result{}, fmt.Errorf("longer than %d bytes: skipped", maxClassifyLine)
	}
	var in classifyLine
	if err := json.Unmarshal(line, &in); err != nil {
		return intent.Result{}, fmt.Errorf("not a JSON object {\"subject\", \"body\", \"from\"?, \"received_at\"?, \"timezone\"?}: %v", err)
	}
	e := intent.Email{Subject: in.Subject, Body: in.Body, From: in.From, Received: now.UTC()}
	if in.ReceivedAt != "" {
		t, err := time.Parse(time.RFC3339, in.ReceivedAt)
		if err != nil {
			return intent.Result{}, fmt.Errorf("received_at %q is not an RFC 3339 time", in.ReceivedAt)
		}
		e.Received, e.Zone = t, t.Location()
	}
	if in.Timezone != "" {
		loc, err := time.LoadLocation(in.Timezone)
		if err != nil || strings.HasPrefix(in.Timezone, "/") {
			return intent.Result{}, fmt.Errorf("timezone %q is not an IANA time zone name", in.Timezone)
		}
		e.Zone = loc
	}
	return intent.Classify(e), nil
}

// describe is the readable line of a result: the intent, how sure, the
// evidence, then what it found to act on.
func describe(r intent.Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %.2f", r.Intent, r.Confidence)
	if r.Confidence < intent.LowConfidence {
		b.WriteString(" (unsure)")
	}
	if len(r.Evidence) > 0 {
		b.WriteString(" —")
		for i, e := range r.Evidence {
			if i > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, " %q", e)
		}
	}
	en := r.Entities
	for _, w := range en.Times {
		fmt.Fprintf(&b, "; time %s", window(w))
	}
	if n := len(en.Questions); n > 0 {
		topics := make([]string, 0, n)
		for _, q := range en.Questions {
			topics = append(topics, q.Topic)
		}
		fmt.Fprintf(&b, "; %d question(s) (%s)", n, strings.Join(topics, ", "))
	}
	if en.Seats > 0 {
		fmt.Fprintf(&b, "; %d seats", en.Seats)
	}
	for _, a := range en.Amounts {
		fmt.Fprintf(&b, "; amount %s", a.Text)
	}
	if !en.Until.IsZero() {
		fmt.Fprintf(&b, "; until %s", en.Until.Format("Mon 2 Jan 2006"))
	}
	if p := en.Referral; p != nil {
		fmt.Fprintf(&b, "; referral %s <%s>", p.Name, p.Email)
	}
	return b.String()
}

func window(w intent.When) string {
	s, e := w.Start, w.End
	if s.Year() == e.Year() && s.YearDay() == e.YearDay() {
		return fmt.Sprintf("%s–%s %s", s.Format("Mon 2 Jan 15:04"), e.Format("15:04"), s.Format("MST"))
	}
	return fmt.Sprintf("%s – %s %s", s.Format("Mon 2 Jan 15:04"), e.Format("Mon 2 Jan 15:04"), s.Format("MST"))
}

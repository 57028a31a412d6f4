package backend_test

import (
	"strings"
	"testing"

	"github.com/caseyos/caseyos/backend"
)

func TestAnswerHole(t *testing.T) {
	tests := []struct {
		name, question string
		want           []string // TemplateHole.String() of each hole in "Hi,\n\n" + AnswerHole(question)
	}{
		{"a question", "Do you support SSO?", []string{"line 3: an unanswered question 'Do you support SSO?'"}},
		{"brackets in the question stay inside the hole", "Is [beta] feature X GA?", []string{"line 3: an unanswered question 'Is (beta) feature X GA?'"}},
		{"a question over lines is one line", "Do you\nsupport\r\n  SAML?", []string{"line 3: an unanswered question 'Do you support SAML?'"}},
		{"a marker or a merge field in the question is not a second hole", "TODO: is {{pricing}} public?", []string{"line 3: an unanswered question 'todo: is ((pricing)) public?'"}},
		{"digits and colons, which a placeholder may not hold", "Is the API at v2: 99.9% uptime?", []string{"line 3: an unanswered question 'Is the API at v2: 99.9% uptime?'"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := "Hi,\n\n" + backend.AnswerHole(tt.question)
			holes := backend.FindTemplateHoles("Re: hi", body)
			var got []string
			for _, h := range holes {
				got = append(got, h.String())
				if h.Kind != backend.HoleUnanswered {
					t.Errorf("hole %v has kind %q, want %q", h, h.Kind, backend.HoleUnanswered)
				}
			}
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("FindTemplateHoles(%q) = %q, want %q", body, got, tt.want)
			}
		})
	}
	t.Run("a long question is cut, still one hole", func(t *testing.T) {
		body := backend.AnswerHole(strings.Repeat("why ", 3000) + "?")
		if len(body) > 600 {
			t.Errorf("AnswerHole of a 12 KB question is %d bytes, want a short mark", len(body))
		}
		if h := backend.FindTemplateHoles("", body); len(h) != 1 || h[0].Kind != backend.HoleUnanswered {
			t.Errorf("FindTemplateHoles = %v, want one unanswered question", h)
		}
	})
	t.Run("quoted history is not read", func(t *testing.T) {
		if h := backend.FindTemplateHoles("", "Thanks!\n\n> "+backend.AnswerHole("Do you support SSO?")); len(h) != 0 {
			t.Errorf("FindTemplateHoles = %v, want none in quoted text", h)
		}
	})
}

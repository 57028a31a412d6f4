package hubspottest

import (
	"net/http"
	"strconv"
)

type pipeline struct {
	ID     string
	Label  string
	Stages []Stage
}

// Stage is one stage of a deal pipeline.
type Stage struct {
	ID          string
	Label       string
	IsClosed    bool
	Probability float64
}

// Pipeline is a deal pipeline to seed.
type Pipeline struct {
	ID     string
	Label  string
	Stages []Stage
}

func defaultPipeline() *pipeline {
	return &pipeline{ID: "default", Label: "Sales Pipeline", Stages: []Stage{
		{"appointmentscheduled", "Appointment Scheduled", false, 0.2},
		{"qualifiedtobuy", "Qualified To Buy", false, 0.4},
		{"presentationscheduled", "Presentation Scheduled", false, 0.6},
		{"decisionmakerboughtin", "Decision Maker Bought-In", false, 0.8},
		{"contractsent", "Contract Sent", false, 0.9},
		{"closedwon", "Closed Won", true, 1},
		{"closedlost", "Closed Lost", true, 0},
	}}
}

// knownStage says whether id is a stage of some pipeline; s.mu is held.
func (s *Server) knownStage(id string) bool {
	for _, p := range s.pipelines {
		for _, st := range p.Stages {
			if st.ID == id {
				return true
			}
		}
	}
	return false
}

func (s *Server) listPipelines(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	results := []map[string]any{}
	for i, p := range s.pipelines {
		stages := []map[string]any{}
		for j, st := range p.Stages {
			stages = append(stages, map[string]any{
				"id": st.ID, "label": st.Label, "displayOrder": j, "archived": false,
				// HubSpot answers the metadata as strings.
				"metadata": map[string]string{"isClosed": strconv.FormatBool(st.IsClosed), "probability": strconv.FormatFloat(st.Probability, 'f', -1, 64)},
			})
		}
		results = append(results, map[string]any{"id": p.ID, "label": p.Label, "displayOrder": i, "archived": false, "stages": stages})
	}
	writeJSON(w, http.StatusOK, map[string]any{"results": results})
}

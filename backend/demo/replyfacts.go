package demo

import "github.com/caseyos/caseyos/backend"

// Pricing is the demo company's price list: Pebblecache's remote build
// cache, per seat per month. Northwind's deal (40 engineers, $48,000 a
// year) is the Team tier.
func Pricing() backend.Pricing {
	return backend.Pricing{Currency: "USD", Tiers: []backend.PriceTier{
		{Name: "Starter", MinSeats: 1, MaxSeats: 15, SeatPrice: 120},
		{Name: "Team", MinSeats: 16, MaxSeats: 150, SeatPrice: 100},
		{Name: "Scale", MinSeats: 151, SeatPrice: 85},
	}}
}

// Facts are what the demo company's reply drafts may say about it.
func Facts() []backend.Fact {
	return []backend.Fact{
		{Topic: "security", Keywords: []string{"sso", "saml", "okta", "entra"},
			Text: "SSO over SAML (Okta, Entra ID, Google Workspace) is included in the Team and Scale plans."},
		{Topic: "security",
			Text: "Our security overview is at https://pebblecache.dev/security, and we complete security questionnaires within two business days."},
		{Topic: "compliance", Keywords: []string{"soc 2", "soc2", "iso 27001", "audit", "audited"},
			Text: "We are SOC 2 Type II audited; the report is available under NDA."},
		{Topic: "data", Keywords: []string{"gdpr", "dpa", "residency", "region", "retention", "eu"},
			Text: "Build artifacts are stored encrypted in the region you choose (US or EU) and deleted after 30 days unless pinned; we sign a DPA."},
		{Topic: "integration", Keywords: []string{"bazel", "gradle", "turborepo", "github", "gitlab", "ci", "buildkite", "jenkins"},
			Text: "Pebblecache works as a remote cache for Bazel, Gradle and Turborepo, from any CI that can reach an HTTPS endpoint (GitHub Actions, GitLab CI and Buildkite included)."},
		{Topic: "trial", Text: "A 14-day trial covers the whole product, with no card needed."},
		{Topic: "pricing", Keywords: []string{"annual", "discount", "budget", "expensive", "cost"},
			Text: "Annual plans come with two months free."},
		{Topic: "contract", Keywords: []string{"contract", "msa", "order form", "terms", "procurement"},
			Text: "We sign on our standard order form and MSA; for larger teams we are happy to review your paper."},
		{Topic: "onboarding", Text: "Most teams are caching builds within a day; we run the setup call with your build engineers."},
	}
}

package xtest

import "time"

// The demo workspace's X app and account. The credentials are fixed so that
// the demo's connector, `caseyos dev fake-x` and the browser tests can sign
// requests to a fake started anywhere; they are worthless outside it.
const (
	DemoConsumerKey    = "cAseyOSdemoConsumerKey001"
	DemoConsumerSecret = "cAseyOSdemoConsumerSecretNotASecretAnywhere0000001"
	DemoUserID         = "1500000000000000001"
	DemoUsername       = "pebblecache"
	DemoAccessToken    = DemoUserID + "-cAseyOSdemoAccessToken000000000000000001"
	DemoAccessSecret   = "cAseyOSdemoAccessSecretNotASecretAnywhere0001"
)

// Ids of the demo's posts, as in backend/demo/scenario.jsonl.
const (
	DemoOwnPost        = "1790000000000000050" // @pebblecache's launch post, which @kubekate answers
	DemoKubeKatePost   = "1790000000000000101" // a question answering our post, four days ago
	DemoCarlaPost      = "1790000000000000202" // Stackwise raised prices (a competitor mention)
	DemoBuildNerdPost  = "1790000000000000303" // Stackwise shipped sharding (a competitor mention)
	DemoDevJessMention = "1790000000000000404" // CI from 22 minutes to 6, three hours ago
)

// DemoSeed adds the demo workspace's X as it is at now: the @pebblecache
// account with its app and developer-portal token (the Demo* constants),
// our launch post and @kubekate's question answering it, @devjess's
// mention, and the two competitor posts its watch list finds in recent
// search (@ci_carla and @buildnerd on Stackwise), with the scenario's ids,
// authors, names, reach, threads, texts and times.
func (s *Server) DemoSeed(now time.Time) {
	s.AddConsumer(DemoConsumerKey, DemoConsumerSecret)
	s.AddUser(User{ID: DemoUserID, Username: DemoUsername, Name: "PebbleCache", Followers: 2300, Following: 310,
		Description: "Remote build cache for Bazel, Gradle and Turborepo. Made by @caseymorgan.", CreatedAt: now.AddDate(-2, 0, 0)})
	s.AddAccessToken(DemoConsumerKey, DemoUserID, DemoAccessToken, DemoAccessSecret)
	kate := s.AddUser(User{ID: "1500000000000000101", Username: "kubekate", Name: "Kate Lindqvist", Followers: 640, Following: 540,
		Description: "Platform engineer. Kubernetes, Bazel, too many YAML files."})
	carla := s.AddUser(User{ID: "1500000000000000202", Username: "ci_carla", Name: "Carla Mendes", Followers: 860, Following: 420,
		Description: "CI/CD at a 70-person startup."})
	nerd := s.AddUser(User{ID: "1500000000000000303", Username: "buildnerd", Name: "Build Nerd", Followers: 14200, Following: 180, Verified: true,
		Description: "Build systems news and opinions."})
	jess := s.AddUser(User{ID: "1500000000000000404", Username: "devjess", Name: "Jess Okafor", Followers: 4800, Following: 690,
		Description: "Staff engineer, developer productivity. Views mine."})
	s.AddTweet(Tweet{ID: DemoOwnPost, AuthorID: DemoUserID, CreatedAt: now.Add(-5 * 24 * time.Hour),
		Text: "Pebblecache 1.0 is out: a remote build cache for Bazel, Gradle and Turborepo that you can host yourself.", Likes: 48, Retweets: 11, Impressions: 8700})
	s.AddTweet(Tweet{ID: DemoKubeKatePost, AuthorID: kate.ID, CreatedAt: now.Add(-4 * 24 * time.Hour), InReplyToID: DemoOwnPost,
		Text: "Has anyone tried @pebblecache for remote build caching? Our Bazel CI is crawling.", Likes: 4, Replies: 2, Impressions: 2100})
	s.AddTweet(Tweet{ID: DemoCarlaPost, AuthorID: carla.ID, CreatedAt: now.Add(-26 * time.Hour),
		Text: "Stackwise just raised prices 40% for teams over 50 seats. Looking at alternatives, suggestions welcome.", Likes: 31, Replies: 12, Retweets: 6, Impressions: 9800})
	s.AddTweet(Tweet{ID: DemoBuildNerdPost, AuthorID: nerd.ID, CreatedAt: now.Add(-5 * time.Hour),
		Text: "Stackwise shipped distributed test sharding today. Nice, but still no self-hosted option.", Likes: 120, Replies: 18, Retweets: 25, Impressions: 41000})
	s.AddTweet(Tweet{ID: DemoDevJessMention, AuthorID: jess.ID, CreatedAt: now.Add(-3 * time.Hour),
		Text: "Moved our monorepo to @pebblecache remote cache — CI went from 22 minutes to 6. Wild.", Likes: 212, Replies: 9, Retweets: 40, Impressions: 56000})
}

// Package whisper is CaseyOS's optional online speech recognizer: a
// backend.Recognizer over any Whisper-compatible transcription endpoint —
// OpenAI's API, or a local whisper.cpp whisper-server — on net/http.
//
// Each utterance is sent as one in-memory WAV (utterance.wav) with the
// command words as the prompt, so that Whisper spells them the way the
// grammar does; the transcript is accepted only when backend.ParseIntent
// finds one whole command in it, which holds free dictation to the offline
// grammar's standard ("skip lunch" is not "skip").
//
// Voice must feel instant, so a whole Recognize — a retry included — has a
// short deadline (Config.Timeout, default 4 s). Errors are mapped at the
// boundary: 401/403 → unauthorized (the key is wrong: connect again); 429
// rate_limit_exceeded → one retry when retry-after is short, else
// unavailable with the wait; 429 insufficient_quota → unavailable with no
// wait and a message saying to check the plan, never retried; 5xx, network
// failures and timeouts → unavailable with a wait that backend.RetryAfter
// returns; 404 → not_found (wrong URL or model); other 4xx → invalid. The
// API key never appears in an error: messages from the service are
// scrubbed of it and of anything that looks like one.
package whisper

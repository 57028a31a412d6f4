// Package llm is CaseyOS's optional language model: a backend.LLM over
// any OpenAI-compatible chat-completions endpoint — OpenAI, xAI's Grok
// (https://api.x.ai/v1), Google Gemini's OpenAI-compatible endpoint
// (https://generativelanguage.googleapis.com/v1beta/openai), and local
// servers such as Ollama (http://127.0.0.1:11434/v1) and llama.cpp's
// llama-server — chosen by base URL and model name, on net/http.
//
// It speaks the two calls CaseyOS makes (POST /chat/completions, GET
// /models) itself rather than through github.com/openai/openai-go/v3:
// linking that SDK for them doubled the binary (35 MB → 64 MB) and added
// 14 MiB to every process's resident memory at start (file pages of the
// larger text), which broke serve's 100 MiB memory bound
// (TestE2E_ServeBodyMemory: peak 83 → 104 MiB).
//
// The client reads nothing from the environment (no OPENAI_API_KEY): its
// key comes from the keychain. Each call has a short deadline
// (Config.Timeout, default 20 s) and is never retried here: the offline
// draft already stands, and the caller decides. Structured output is
// asked with response_format json_schema; a server that refuses it (a 400
// naming response_format or json_schema) or answers with something that
// is not JSON is asked once more without it — the prompt already asks for
// JSON only — and from then on never with it. A server that refuses
// max_tokens is asked with max_completion_tokens.
//
// Errors are mapped at the boundary: 401/403 → unauthorized ("reconnect
// the model"); 429 → unavailable caused by a backend.RateLimited with the
// retry-after wait when the server gave one (insufficient_quota: no wait,
// "no quota left"); 5xx, network failures and timeouts → unavailable; 404 →
// not_found (wrong URL or model); other 4xx → invalid. No error holds the
// key, and nothing here logs the prompt.
package llm

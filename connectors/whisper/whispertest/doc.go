// Package whispertest is a stateful, in-process fake of an OpenAI-compatible
// transcription endpoint (POST {base}/audio/transcriptions), for the whisper
// connector's tests, the app's tests and development.
//
// It reproduces what ../shared/docs/api-facts.md §6 lists, faithfully
// enough that a client which passes against it has met each behaviour once:
//
//   - POST only, at /v1/audio/transcriptions (other paths: OpenAI's 404
//     "Invalid URL"); a multipart/form-data body with the audio in `file`,
//     whose file name must carry a supported extension (the service tells
//     the format from it), `model` (required; unknown → 404
//     model_not_found), `language` (ISO-639-1), `prompt` and
//     `response_format` (json, text or verbose_json).
//   - The 25 MB request cap (413), audio shorter than 0.1 s (400
//     audio_too_short), and here, because CaseyOS only ever sends that, a
//     `file` that must be a parseable 16 kHz mono 16-bit WAV.
//   - Bearer keys when Options.APIKey is set: none → 401, a wrong one →
//     401 invalid_api_key whose message quotes the key masked the way
//     OpenAI does (so a client that echoes messages leaks part of it). With
//     no key configured it behaves like whisper.cpp's whisper-server, which
//     takes any or no Authorization header.
//   - Errors in OpenAI's shape {"error":{"message","type","param","code"}}.
//
// What an utterance "says" is scripted: Transcript ties a transcript to
// exact PCM (by hash), Say queues transcripts for the next requests, and
// anything else is heard as silence (""). Fault knobs — Unauthorized,
// RateLimit (rate_limit_exceeded with retry-after), NoQuota
// (insufficient_quota), Fail (5xx), Slow and Drop — provoke the rest, and
// Requests records what the server received.
package whispertest

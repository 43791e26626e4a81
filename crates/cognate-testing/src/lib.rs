//! Test doubles for Cognate: [`MockLm`] and a loopback OpenAI-compatible mock server.

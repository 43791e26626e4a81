//! HTTP language-model providers for Cognate.

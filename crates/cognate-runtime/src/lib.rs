//! Cognate's runtime: modules, settings and traces.

/// The runtime's everyday imports.
pub mod prelude {}

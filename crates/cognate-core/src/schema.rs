//! Building a [`TypeDesc`] from a Rust type's `schemars::JsonSchema`.
//!
//! (Owned by the `#[signature]` work: `TypeDesc::of::<T>()`.)

use crate::types::TypeDesc;

impl TypeDesc {
    /// The descriptor of a Rust type, derived from its JSON schema.
    pub fn of<T: schemars::JsonSchema + ?Sized>() -> TypeDesc {
        unimplemented_schema::<T>()
    }
}

fn unimplemented_schema<T: schemars::JsonSchema + ?Sized>() -> TypeDesc {
    TypeDesc::Str
}

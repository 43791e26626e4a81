//! `#[program]` step 2: the rules a program struct follows.
//!
//! Each broken rule is reported at the narrowest span, and validation recovers: a bad
//! `#[component(...)]` is ignored, a duplicate name is reported once and the code is still
//! generated. Only generics the macro cannot handle (lifetimes, const parameters) stop the
//! expansion; the struct is then emitted as written.

use std::collections::HashMap;

use quote::ToTokens;
use syn::ext::IdentExt;
use syn::{GenericParam, Generics, Ident, Path, Type};

use super::parse::{FieldDef, StructDef};
use crate::errors::Errors;

/// A validated program, ready to expand.
pub(crate) struct Program {
    /// The path of the `cognate` facade.
    pub(crate) krate: Path,
    pub(crate) ident: Ident,
    pub(crate) generics: Generics,
    /// The struct's type parameters (field types mentioning one get a `Component` bound).
    pub(crate) type_params: Vec<Ident>,
    /// The fields that are components, in order.
    pub(crate) components: Vec<ComponentField>,
}

/// A field visited as a part of the program.
pub(crate) struct ComponentField {
    pub(crate) ident: Ident,
    pub(crate) ty: Type,
    /// The DSPy attribute name: the rename, or the field's name without `r#`.
    pub(crate) name: String,
    /// The field's `#[cfg(...)]`s.
    pub(crate) cfgs: Vec<syn::Attribute>,
}

/// Checks the struct. Returns `None` when no code can be generated (unsupported generics).
pub(crate) fn validate(krate: Path, def: StructDef, errors: &mut Errors) -> Option<Program> {
    let mut supported = true;
    let mut type_params = Vec::new();
    for param in &def.generics.params {
        match param {
            GenericParam::Type(t) => type_params.push(t.ident.clone()),
            GenericParam::Lifetime(l) => {
                supported = false;
                errors.spanned(
                    l,
                    "`#[program]` structs cannot have lifetime parameters: optimizers copy programs and move them \
                     across tasks, so a program owns its parts (use owned data or an `Arc` in a `#[skip]` field)",
                );
            }
            GenericParam::Const(c) => {
                supported = false;
                errors.spanned(
                    c,
                    "`#[program]` does not support const generic parameters: use a type parameter, or a `Variable` \
                     for a number an optimizer may tune",
                );
            }
        }
    }

    let mut components = Vec::new();
    // DSPy names seen so far, with the field that claimed each.
    let mut names: HashMap<String, Ident> = HashMap::new();
    for field in def.fields {
        if let Some(c) = validate_field(field, &mut names, errors) {
            components.push(c);
        }
    }
    supported.then_some(Program { krate, ident: def.ident, generics: def.generics, type_params, components })
}

fn validate_field(field: FieldDef, names: &mut HashMap<String, Ident>, errors: &mut Errors) -> Option<ComponentField> {
    let FieldDef { ident, ty, skips, components, rename, cfgs } = field;
    for skip in &skips {
        if !matches!(skip.meta, syn::Meta::Path(_)) {
            errors.spanned(skip, "`#[skip]` takes no arguments: write `#[skip]`");
        }
    }
    for extra in skips.iter().skip(1) {
        errors.spanned(extra, format!("duplicate `#[skip]` on field `{ident}`"));
    }
    for extra in components.iter().skip(1) {
        errors.spanned(
            extra,
            format!("duplicate `#[component(...)]` on field `{ident}`: put every key in one attribute"),
        );
    }
    if !skips.is_empty() {
        if let Some(component) = components.first() {
            errors.spanned(
                component,
                format!(
                    "field `{ident}` is marked `#[skip]`, so it is not a component and has no name: remove \
                     `#[component(...)]` or `#[skip]`"
                ),
            );
        }
        return None;
    }

    let name = match &rename {
        Some(lit) => {
            let value = lit.value();
            if !is_attribute_name(&value) {
                errors.spanned(
                    lit,
                    format!(
                        "`{value}` is not a valid component name: DSPy paths use Python attribute names (letters, \
                         digits and `_`, not starting with a digit)"
                    ),
                );
            }
            value
        }
        None => ident.unraw().to_string(),
    };
    let name_span = rename.as_ref().map_or_else(|| ident.to_token_stream(), ToTokens::to_token_stream);
    if let Some(previous) = names.get(&name) {
        errors.spanned(
            name_span,
            format!(
                "duplicate component name `{name}`: field `{previous}` already uses it, and paths such as \
                 `{name}.predict` must name one predictor"
            ),
        );
    } else {
        names.insert(name.clone(), ident.clone());
    }
    Some(ComponentField { ident, ty, name, cfgs })
}

/// A Python identifier made of ASCII letters, digits and `_`.
fn is_attribute_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribute_names() {
        for ok in ["a", "_x", "hop_2", "Answer"] {
            assert!(is_attribute_name(ok), "{ok}");
        }
        for bad in ["", "2a", "a.b", "a-b", "a b", "é"] {
            assert!(!is_attribute_name(bad), "{bad}");
        }
    }
}

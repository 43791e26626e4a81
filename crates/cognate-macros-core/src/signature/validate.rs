//! `#[signature]` step 2: the rules a signature struct must follow.
//!
//! Each broken rule is reported at the narrowest span. Validation then recovers: a field
//! with an unusable type is left out of the generated code (so rustc does not report the
//! same type again), a field with no role is left out, and a field marked both ways counts
//! as an input.

use std::collections::HashMap;

use quote::ToTokens;
use syn::ext::IdentExt;
use syn::{Attribute, GenericArgument, Generics, Ident, LitStr, Path, PathArguments, Type, Visibility};

use super::parse::{FieldDef, Role, StructDef};
use crate::docs::{Doc, Text};
use crate::errors::Errors;

/// A validated signature, ready to expand.
pub(crate) struct Signature {
    /// The path of the `cognate` facade.
    pub(crate) krate: Path,
    /// The struct's attributes (docs included) for the marker type.
    pub(crate) attrs: Vec<Attribute>,
    pub(crate) vis: Visibility,
    pub(crate) ident: Ident,
    /// The generics of a generic struct (already reported: a signature cannot be generic).
    /// The expansion then keeps them and emits stubs — the marker, the input and output
    /// structs and a `Signature` impl that never builds a descriptor — so code naming
    /// `QAInput` or `Predict<QA<String>>` reports nothing more.
    pub(crate) generics: Option<Generics>,
    /// The struct's doc comment: the instructions.
    pub(crate) instructions: Doc,
    pub(crate) inputs: Vec<Field>,
    pub(crate) outputs: Vec<Field>,
}

/// A validated field.
pub(crate) struct Field {
    /// Attributes to keep on the generated field (docs, lints).
    pub(crate) attrs: Vec<Attribute>,
    pub(crate) vis: Visibility,
    pub(crate) ident: Ident,
    pub(crate) ty: Type,
    /// The name in prompts and dynamic maps: the alias, or the field's name without `r#`.
    pub(crate) name: String,
    /// Whether `name` comes from `alias = "..."` (the generated field gets a serde rename).
    pub(crate) aliased: bool,
    pub(crate) desc: Text,
    pub(crate) prefix: Option<LitStr>,
    /// Whether the type is `Option<T>` (the generated field gets `#[serde(default)]`).
    pub(crate) optional: bool,
}

/// Checks the struct. Every broken rule is reported; what comes back is always expandable
/// (for a generic struct, into stubs: see [`Signature::generics`]).
pub(crate) fn validate(krate: Path, def: StructDef, errors: &mut Errors) -> Signature {
    let generic = !def.generics.params.is_empty() || def.generics.where_clause.is_some();
    if generic {
        let span_of = match (def.generics.params.is_empty(), &def.generics.where_clause) {
            (false, _) => def.generics.to_token_stream(),
            (true, Some(w)) => w.to_token_stream(),
            (true, None) => def.ident.to_token_stream(),
        };
        errors.spanned(
            span_of,
            "`#[signature]` structs cannot be generic: a signature is one fixed contract, described once",
        );
    }
    for attr in &def.attrs {
        if attr.path().is_ident("serde") || attr.path().is_ident("schemars") {
            errors.spanned(
                attr,
                "serde and schemars attributes are not supported on a signature: the descriptor must match the \
                 generated structs' serde form; use `alias = \"...\"` in `#[input(...)]`/`#[output(...)]` to rename a field",
            );
        }
        if attr.path().is_ident("derive") {
            let ident = &def.ident;
            errors.spanned(
                attr,
                format!(
                    "`#[signature]` derives what it needs: remove this `#[derive]` (`{ident}` becomes a marker type \
                     deriving `Debug, Clone, Copy, Default, PartialEq, Eq, Hash`; the generated `{ident}Input` and \
                     `{ident}Output` derive `Serialize, Deserialize, Debug, Clone`)"
                ),
            );
        }
    }

    let mut inputs = Vec::new();
    let mut outputs = Vec::new();
    let (mut any_input, mut any_output) = (false, false);
    // Prompt names seen so far, with the field that claimed each.
    let mut names: HashMap<String, Ident> = HashMap::new();
    for field in def.fields {
        any_input |= field.markers.iter().any(|m| m.role == Role::Input);
        any_output |= field.markers.iter().any(|m| m.role == Role::Output);
        if let Some((role, f)) = validate_field(field, &mut names, errors) {
            match role {
                Role::Input => inputs.push(f),
                Role::Output => outputs.push(f),
            }
        }
    }
    let ident = &def.ident;
    if !any_input {
        errors
            .spanned(ident, format!("signature `{ident}` has no input field: mark at least one field with `#[input]`"));
    }
    if !any_output {
        errors.spanned(
            ident,
            format!("signature `{ident}` has no output field: mark at least one field with `#[output]`"),
        );
    }
    Signature {
        krate,
        attrs: def
            .attrs
            .into_iter()
            .filter(|a| !["derive", "serde", "schemars"].iter().any(|n| a.path().is_ident(n)))
            .collect(),
        vis: def.vis,
        ident: def.ident,
        generics: generic.then_some(def.generics),
        instructions: def.doc,
        inputs,
        outputs,
    }
}

fn validate_field(field: FieldDef, names: &mut HashMap<String, Ident>, errors: &mut Errors) -> Option<(Role, Field)> {
    let ident = &field.ident;
    let Some(first) = field.markers.first() else {
        errors.spanned(
            ident,
            format!("field `{ident}` is neither an input nor an output: mark it `#[input]` or `#[output]`"),
        );
        return None;
    };
    let role = first.role;
    for later in &field.markers[1..] {
        let message = if later.role == role {
            format!("duplicate `#[{}]` attribute on field `{ident}`", role.name())
        } else {
            format!("field `{ident}` is marked both `#[input]` and `#[output]`: a field is one or the other")
        };
        errors.spanned(&later.attr, message);
    }
    // Keys may be split over the repeated attributes; the first value of each wins.
    let key = |get: fn(&super::parse::Marker) -> &Option<LitStr>| field.markers.iter().find_map(|m| get(m).clone());
    let (desc, alias, prefix) = (key(|m| &m.desc), key(|m| &m.alias), key(|m| &m.prefix));

    for attr in &field.attrs {
        if attr.path().is_ident("serde") {
            errors.spanned(
                attr,
                "`#[serde]` attributes are not supported on signature fields: the descriptor must match the serde \
                 form; use `alias = \"...\"` in `#[input(...)]`/`#[output(...)]` to rename a field",
            );
        } else if attr.path().is_ident("cfg") || attr.path().is_ident("cfg_attr") {
            errors.spanned(attr, "`#[cfg]` is not supported on signature fields: a signature's fields are fixed");
        }
    }

    let name = match &alias {
        Some(lit) => {
            let value = lit.value();
            if !is_field_name(&value) {
                errors.spanned(
                    lit,
                    format!("alias `{value}` is not a valid field name: use letters, digits and `_`, not starting with a digit"),
                );
            }
            value
        }
        None => ident.unraw().to_string(),
    };
    let name_span = alias.as_ref().map_or_else(|| ident.to_token_stream(), ToTokens::to_token_stream);
    if let Some(previous) = names.get(&name) {
        errors.spanned(
            name_span,
            format!("duplicate field name `{name}`: field `{previous}` already uses it (names must be unique across inputs and outputs)"),
        );
    } else {
        names.insert(name.clone(), ident.clone());
    }

    if check_type(&field.ty, errors) == Verdict::Drop {
        return None;
    }
    let optional = is_option(&field.ty);
    let desc = match desc {
        Some(lit) => Text::Lit(lit),
        None => Text::Doc(field.doc),
    };
    let f = Field {
        attrs: field.attrs.into_iter().filter(|a| !a.path().is_ident("serde") && !a.path().is_ident("cfg")).collect(),
        vis: field.vis,
        ident: field.ident,
        ty: field.ty,
        name,
        aliased: alias.is_some(),
        desc,
        prefix,
        optional,
    };
    Some((role, f))
}

/// DSPy field names are Python identifiers.
fn is_field_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_') && chars.all(|c| c.is_alphanumeric() || c == '_')
}

const NOT_A_FIELD_TYPE: &str = "a field must hold owned data that serde can (de)serialize and schemars can describe";

/// What [`check_type`] concluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    /// Nothing wrong.
    Ok,
    /// Reported, but the type is valid Rust that serde and schemars accept (a tuple, a map
    /// with integer keys): keep the field in the generated code, so nothing else breaks.
    Keep,
    /// Reported, and the type would make rustc report more errors: leave the field out.
    Drop,
}

impl Verdict {
    fn and(self, other: Verdict) -> Verdict {
        match (self, other) {
            (Verdict::Drop, _) | (_, Verdict::Drop) => Verdict::Drop,
            (Verdict::Keep, _) | (_, Verdict::Keep) => Verdict::Keep,
            _ => Verdict::Ok,
        }
    }
}

/// Rejects the types that can never be a field (their errors from rustc would be confusing,
/// or they would only fail at run time), looking inside generic arguments.
fn check_type(ty: &Type, errors: &mut Errors) -> Verdict {
    let (verdict, reason) = match ty {
        Type::Reference(_) => (
            Verdict::Drop,
            "references cannot be signature field types: the generated structs own their data; \
             use `String` instead of `&str`, `Vec<T>` instead of `&[T]`"
                .to_string(),
        ),
        Type::Tuple(t) if t.elems.is_empty() => {
            (Verdict::Keep, "`()` has no DSPy type: every field holds a value".to_string())
        }
        Type::Tuple(_) => (
            Verdict::Keep,
            "tuples have no DSPy type: use a struct deriving `Serialize, Deserialize, JsonSchema` instead".to_string(),
        ),
        Type::BareFn(_) => {
            (Verdict::Drop, format!("function pointers cannot be signature field types: {NOT_A_FIELD_TYPE}"))
        }
        Type::Ptr(_) => (Verdict::Drop, format!("raw pointers cannot be signature field types: {NOT_A_FIELD_TYPE}")),
        Type::TraitObject(_) => {
            (Verdict::Drop, format!("trait objects cannot be signature field types: {NOT_A_FIELD_TYPE}"))
        }
        Type::ImplTrait(_) => {
            (Verdict::Drop, format!("`impl Trait` cannot be a signature field type: {NOT_A_FIELD_TYPE}"))
        }
        Type::Never(_) => (Verdict::Drop, format!("`!` cannot be a signature field type: {NOT_A_FIELD_TYPE}")),
        Type::Slice(_) => (Verdict::Drop, "unsized slices cannot be signature field types: use `Vec<T>`".to_string()),
        Type::Infer(_) => (Verdict::Drop, "write the field's type: `_` is not allowed here".to_string()),
        Type::Array(a) => return check_type(&a.elem, errors),
        Type::Paren(p) => return check_type(&p.elem, errors),
        Type::Group(g) => return check_type(&g.elem, errors),
        Type::Path(p) => return check_path(p, errors),
        _ => return Verdict::Ok,
    };
    errors.spanned(ty, reason);
    verdict
}

fn check_path(p: &syn::TypePath, errors: &mut Errors) -> Verdict {
    let mut verdict = p.qself.as_ref().map_or(Verdict::Ok, |q| check_type(&q.ty, errors));
    if let Some(reason) = p.qself.is_none().then(|| no_dspy_type(&p.path)).flatten() {
        // Valid Rust that serde and schemars accept: keep the field, so nothing else breaks.
        // The whole type is reported, so its arguments are not looked into.
        errors.spanned(p, reason);
        return verdict.and(Verdict::Keep);
    }
    let Some(last) = p.path.segments.last() else { return verdict };
    let PathArguments::AngleBracketed(args) = &last.arguments else { return verdict };
    let types: Vec<&Type> = args
        .args
        .iter()
        .filter_map(|a| match a {
            GenericArgument::Type(t) => Some(t),
            _ => None,
        })
        .collect();
    let is_map = ["HashMap", "BTreeMap", "IndexMap"].iter().any(|m| last.ident == m);
    if let (true, Some(key)) = (is_map, types.first()) {
        if is_non_string_scalar(key) {
            errors.spanned(key, "map keys must be strings: DSPy's type is `dict[str, T]`; use `String` keys");
            verdict = verdict.and(Verdict::Keep);
        }
    }
    for t in types {
        verdict = verdict.and(check_type(t, errors));
    }
    verdict
}

/// Why a type recognisable by its spelling has no DSPy type (its JSON schema accepts any
/// value, no value, or a union of shapes), or `None`. Bare names that a user type could share
/// (`Value`, `Map`) are left to the run-time check (`Signature::try_descriptor`).
fn no_dspy_type(path: &Path) -> Option<String> {
    let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    let last = segments.last()?.as_str();
    let args = match &path.segments.last()?.arguments {
        PathArguments::AngleBracketed(a) => a.args.iter().filter(|a| matches!(a, GenericArgument::Type(_))).count(),
        _ => 0,
    };
    let in_serde_json = segments[..segments.len() - 1].iter().any(|s| s == "serde_json");
    match last {
        "Value" if in_serde_json => Some(
            "`serde_json::Value` has no DSPy type: it accepts any JSON value, and a signature field has one type; \
             use a struct deriving `Serialize, Deserialize, JsonSchema`, a `Vec<T>` or a `HashMap<String, T>`"
                .to_string(),
        ),
        "Map" if in_serde_json => Some(
            "`serde_json::Map` has no DSPy type: its values can be any JSON; use `HashMap<String, T>` with a concrete `T`"
                .to_string(),
        ),
        "PhantomData" => Some("`PhantomData` has no DSPy type: every signature field holds a value".to_string()),
        "Result" if args == 2 && std_path(&segments, "result") => Some(
            "`Result` has no DSPy type (it is one of two shapes, `Ok` or `Err`): use a struct with `Option` fields"
                .to_string(),
        ),
        _ => None,
    }
}

/// `Name`, `module::Name`, `std::module::Name` or `core::module::Name`.
fn std_path(segments: &[String], module: &str) -> bool {
    match segments {
        [_] => true,
        [m, _] => m == module,
        [root, m, _] => (root == "std" || root == "core") && m == module,
        _ => false,
    }
}

fn is_non_string_scalar(ty: &Type) -> bool {
    const SCALARS: [&str; 15] =
        ["u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32", "i64", "i128", "isize", "f32", "f64", "bool"];
    matches!(ty, Type::Path(p) if p.qself.is_none() && p.path.get_ident().is_some_and(|i| SCALARS.iter().any(|s| i == s)))
}

/// `Option<T>`, `std::option::Option<T>` or `core::option::Option<T>` (as serde decides
/// which fields are optional: by spelling).
fn is_option(ty: &Type) -> bool {
    let Type::Path(p) = ty else { return false };
    if p.qself.is_some() {
        return false;
    }
    let segments: Vec<String> = p.path.segments.iter().map(|s| s.ident.to_string()).collect();
    let spelled = match segments.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["Option"] => p.path.leading_colon.is_none(),
        ["std" | "core", "option", "Option"] | ["option", "Option"] => true,
        _ => false,
    };
    spelled
        && matches!(&p.path.segments.last().map(|s| &s.arguments), Some(PathArguments::AngleBracketed(a)) if a.args.len() == 1)
}

#[cfg(test)]
mod tests {
    use syn::parse_quote;

    use super::*;

    fn check(ty: Type) -> Vec<String> {
        let mut errors = Errors::default();
        let ok = check_type(&ty, &mut errors) == Verdict::Ok;
        let out = errors.into_compile_errors();
        let file: syn::File = syn::parse2(out).unwrap();
        let msgs: Vec<String> = file
            .items
            .iter()
            .map(|i| match i {
                syn::Item::Macro(m) => m.mac.parse_body::<LitStr>().unwrap().value(),
                _ => unreachable!(),
            })
            .collect();
        assert_eq!(ok, msgs.is_empty());
        msgs
    }

    #[test]
    fn accepts_owned_data_types() {
        for ty in [
            parse_quote!(String),
            parse_quote!(Vec<Option<u8>>),
            parse_quote!(std::collections::HashMap<String, Vec<f32>>),
            parse_quote!(BTreeMap<Cow<'static, str>, Step>),
            parse_quote!([u8; 4]),
            parse_quote!(<T as Trait>::Assoc),
            parse_quote!(my_macro!()),
            parse_quote!((f64)),
            // Names a user type could share are checked at run time.
            parse_quote!(Value),
            parse_quote!(Map<String, u8>),
            parse_quote!(my::Value),
            parse_quote!(io::Result<u8>),
            parse_quote!(Result<u8>),
            parse_quote!(serde_json::Number),
        ] {
            assert_eq!(check(ty), Vec::<String>::new());
        }
    }

    #[test]
    fn rejects_what_can_never_be_a_field() {
        for (ty, needle) in [
            (parse_quote!(&str), "references cannot"),
            (parse_quote!(&'static [u8]), "references cannot"),
            (parse_quote!(()), "`()` has no DSPy type"),
            (parse_quote!((i32, String)), "tuples have no DSPy type"),
            (parse_quote!(fn(i32) -> i32), "function pointers"),
            (parse_quote!(*const u8), "raw pointers"),
            (parse_quote!(Box<dyn Fn()>), "trait objects"),
            (parse_quote!(impl Display), "`impl Trait`"),
            (parse_quote!(!), "`!` cannot"),
            (parse_quote!([u8]), "unsized slices"),
            (parse_quote!(_), "`_` is not allowed"),
            (parse_quote!(Vec<(u8, u8)>), "tuples"),
            (parse_quote!([&str; 2]), "references"),
            (parse_quote!(HashMap<u32, String>), "map keys must be strings"),
            (parse_quote!(BTreeMap<bool, String>), "map keys must be strings"),
            (parse_quote!(serde_json::Value), "`serde_json::Value` has no DSPy type"),
            (parse_quote!(::serde_json::value::Value), "`serde_json::Value` has no DSPy type"),
            (parse_quote!(Vec<serde_json::Value>), "`serde_json::Value` has no DSPy type"),
            (parse_quote!(HashMap<String, serde_json::Value>), "`serde_json::Value` has no DSPy type"),
            (parse_quote!(serde_json::Map<String, serde_json::Value>), "`serde_json::Map` has no DSPy type"),
            (parse_quote!(std::marker::PhantomData<u8>), "`PhantomData` has no DSPy type"),
            (parse_quote!(Result<String, String>), "`Result` has no DSPy type"),
            (parse_quote!(::core::result::Result<u8, u8>), "`Result` has no DSPy type"),
        ] {
            let msgs = check(ty);
            assert!(msgs.len() == 1 && msgs[0].contains(needle), "{needle}: {msgs:?}");
        }
        assert_eq!(check(parse_quote!(HashMap<&str, (u8, u8)>)).len(), 2, "every bad part is reported");
    }

    #[test]
    fn keeps_fields_whose_types_still_compile() {
        let verdict = |ty: Type| check_type(&ty, &mut Errors::default());
        assert_eq!(verdict(parse_quote!(Vec<String>)), Verdict::Ok);
        assert_eq!(verdict(parse_quote!((u8, u8))), Verdict::Keep);
        assert_eq!(verdict(parse_quote!(HashMap<u32, ()>)), Verdict::Keep);
        assert_eq!(verdict(parse_quote!(serde_json::Value)), Verdict::Keep);
        assert_eq!(verdict(parse_quote!(Vec<serde_json::Map<String, Value>>)), Verdict::Keep);
        assert_eq!(verdict(parse_quote!(Vec<&str>)), Verdict::Drop);
        assert_eq!(verdict(parse_quote!(HashMap<u32, &str>)), Verdict::Drop);
    }

    #[test]
    fn detects_options_by_spelling() {
        for (ty, expected) in [
            (parse_quote!(Option<String>), true),
            (parse_quote!(std::option::Option<u8>), true),
            (parse_quote!(::core::option::Option<u8>), true),
            (parse_quote!(option::Option<u8>), true),
            (parse_quote!(Option), false),
            (parse_quote!(::Option<u8>), false),
            (parse_quote!(my::Option<u8>), false),
            (parse_quote!(Vec<Option<u8>>), false),
        ] {
            let ty: Type = ty;
            assert_eq!(is_option(&ty), expected, "{}", ty.to_token_stream());
        }
    }

    #[test]
    fn field_names_are_python_identifiers() {
        assert!(is_field_name("answer") && is_field_name("_x1") && is_field_name("réponse"));
        assert!(!is_field_name("") && !is_field_name("1a") && !is_field_name("a-b") && !is_field_name("a b"));
    }
}

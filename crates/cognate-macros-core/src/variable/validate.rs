//! `variable!` step 2: the rules literal declarations must follow, checked at compile time.
//! Non-literal arguments are left to the runtime constructors (which return `Err`).

use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::{Expr, Ident, Lit, Type, UnOp};

use super::parse::{Decl, Kind};
use crate::errors::Errors;

/// The errors sink, counting what this declaration added.
struct Report<'e> {
    errors: &'e mut Errors,
    count: usize,
}

impl Report<'_> {
    fn spanned(&mut self, tokens: impl ToTokens, message: impl std::fmt::Display) {
        self.count += 1;
        self.errors.spanned(tokens, message);
    }
    fn push(&mut self, error: syn::Error) {
        self.count += 1;
        self.errors.push(error);
    }
}

/// A declaration that passed every check.
pub(crate) struct Valid {
    pub(crate) keyword: Ident,
    pub(crate) kind: ValidKind,
    pub(crate) default: Expr,
}

/// The kind, with float bounds normalized (integer literals become float literals).
pub(crate) enum ValidKind {
    Float { low: TokenStream, high: TokenStream, default: TokenStream, log: bool },
    Int { low: TokenStream, high: TokenStream, step: TokenStream },
    Bool,
    Choice { options: Vec<Expr> },
    Variants { ty: Box<Type> },
}

/// A literal's value, when an argument is one (`-1` included).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Literal {
    Int { value: i128, suffixed: bool },
    Float(f64),
    Str,
    Bool(bool),
    Other(&'static str),
}

impl Literal {
    fn article_name(&self) -> &'static str {
        match self {
            Literal::Int { .. } => "an integer literal",
            Literal::Float(_) => "a float literal",
            Literal::Str => "a string literal",
            Literal::Bool(_) => "a boolean literal",
            Literal::Other(name) => name,
        }
    }
    fn number(&self) -> Option<f64> {
        match self {
            Literal::Int { value, .. } => Some(*value as f64),
            Literal::Float(x) => Some(*x),
            _ => None,
        }
    }
}

/// The literal `expr` is, if it is one.
pub(crate) fn literal(expr: &Expr) -> Option<Literal> {
    match expr {
        Expr::Lit(lit) => Some(match &lit.lit {
            Lit::Int(i) => match i.base10_parse::<i128>() {
                Ok(value) => Literal::Int { value, suffixed: !i.suffix().is_empty() },
                Err(_) => Literal::Other("an integer literal out of range"),
            },
            Lit::Float(f) => match f.base10_parse::<f64>() {
                Ok(x) => Literal::Float(x),
                Err(_) => Literal::Other("an unreadable float literal"),
            },
            Lit::Str(_) => Literal::Str,
            Lit::Bool(b) => Literal::Bool(b.value),
            Lit::Char(_) => Literal::Other("a character literal"),
            Lit::ByteStr(_) | Lit::CStr(_) => Literal::Other("a byte string literal"),
            Lit::Byte(_) => Literal::Other("a byte literal"),
            _ => Literal::Other("an unsupported literal"),
        }),
        Expr::Unary(u) if matches!(u.op, UnOp::Neg(_)) => match literal(&u.expr)? {
            Literal::Int { value, suffixed } => Some(Literal::Int { value: -value, suffixed }),
            Literal::Float(x) => Some(Literal::Float(-x)),
            other => Some(other),
        },
        Expr::Paren(p) => literal(&p.expr),
        Expr::Group(g) => literal(&g.expr),
        _ => None,
    }
}

/// Checks the declaration; `None` if an error was recorded.
pub(crate) fn validate(decl: Decl, errors: &mut Errors) -> Option<Valid> {
    let Decl { kind, keyword, default } = decl;
    let errors = &mut Report { errors, count: 0 };
    let Some(default) = default else {
        errors.spanned(
            &keyword,
            format!(
                "missing `default = ...`: every variable needs a default, e.g. `variable!({keyword}..., default = ...)`"
            ),
        );
        return None;
    };
    let kind = match kind {
        Kind::Float { low, high, range, log } => {
            let lo = float_arg(&low, errors);
            let hi = float_arg(&high, errors);
            let d = float_arg(&default, errors);
            if let (Some(lo), Some(hi)) = (lo, hi) {
                if lo >= hi {
                    errors.spanned(
                        &range,
                        format!("empty range: the low bound {lo:?} must be below the high bound {hi:?}"),
                    );
                } else if let Some(d) = d.filter(|d| *d < lo || *d > hi) {
                    errors.spanned(&default, format!("default {d:?} is outside the range {lo:?}..={hi:?}"));
                }
            }
            if let (Some(_), Some(lo)) = (&log, lo) {
                if lo <= 0.0 {
                    errors.spanned(&low, format!("a log scale needs a positive low bound, found {lo:?}"));
                }
            }
            ValidKind::Float {
                low: float_tokens(&low),
                high: float_tokens(&high),
                default: float_tokens(&default),
                log: log.is_some(),
            }
        }
        Kind::Int { low, high, range, step } => {
            let lo = int_arg(&low, errors);
            let hi = int_arg(&high, errors);
            let d = int_arg(&default, errors);
            let st = match &step {
                Some(step) => int_arg(step, errors),
                None => Some(1),
            };
            if let (Some(step), Some(st)) = (&step, st.filter(|st| *st <= 0)) {
                errors.spanned(step, format!("the step must be positive, found {st}"));
            }
            let st = st.filter(|st| *st > 0);
            if let (Some(lo), Some(hi)) = (lo, hi) {
                if lo >= hi {
                    errors
                        .spanned(&range, format!("empty range: the low bound {lo} must be below the high bound {hi}"));
                } else {
                    if let (Some(st), Some(step)) = (st, &step) {
                        if (hi - lo) % st != 0 {
                            errors.spanned(
                                step,
                                format!(
                                    "the step {st} does not divide the range {lo}..={hi} (its length {} is not a multiple of {st})",
                                    hi - lo
                                ),
                            );
                        }
                    }
                    if let Some(d) = d {
                        if d < lo || d > hi {
                            errors.spanned(&default, format!("default {d} is outside the range {lo}..={hi}"));
                        } else if let Some(st) = st.filter(|st| (hi - lo) % st == 0 && (d - lo) % st != 0) {
                            errors.spanned(
                                &default,
                                format!("default {d} is not on the grid {lo}, {}, ..., {hi} (step {st})", lo + st),
                            );
                        }
                    }
                }
            }
            let step = step.map_or_else(|| quote::quote!(1), |s| s.to_token_stream());
            ValidKind::Int { low: low.to_token_stream(), high: high.to_token_stream(), step }
        }
        Kind::Bool => {
            match literal(&default) {
                Some(Literal::Bool(_)) | None => {}
                Some(other) => {
                    errors.spanned(&default, format!("expected `true` or `false`, found {}", other.article_name()))
                }
            }
            ValidKind::Bool
        }
        Kind::Choice { options, brackets } => {
            if options.is_empty() {
                errors.push(syn::Error::new(
                    brackets,
                    "no choices: list at least one option, e.g. `choice[\"a\", \"b\"]`",
                ));
            }
            let mut seen: Vec<String> = Vec::new();
            let show = |text: &str| text.replace(" :: ", "::");
            let first_literal = options.iter().find_map(literal);
            for option in &options {
                let text = option.to_token_stream().to_string();
                if seen.contains(&text) {
                    errors.spanned(option, format!("`{}` is listed twice", show(&text)));
                }
                seen.push(text);
                if let (Some(first), Some(this)) = (&first_literal, literal(option)) {
                    if std::mem::discriminant(first) != std::mem::discriminant(&this) {
                        errors.spanned(
                            option,
                            format!(
                                "the choices must share one type: expected {} like the first, found {}",
                                first.article_name(),
                                this.article_name()
                            ),
                        );
                    }
                }
            }
            let comparable = |e: &Expr| literal(e).is_some() || matches!(e, Expr::Path(_));
            if !options.is_empty() && comparable(&default) && options.iter().all(comparable) {
                let text = default.to_token_stream().to_string();
                if !seen.contains(&text) {
                    let choices: Vec<String> = seen.iter().map(|s| show(s)).collect();
                    errors.spanned(
                        &default,
                        format!("default `{}` is not one of the choices [{}]", show(&text), choices.join(", ")),
                    );
                }
            }
            ValidKind::Choice { options }
        }
        Kind::Variants { ty } => ValidKind::Variants { ty: Box::new(ty) },
    };
    (errors.count == 0).then_some(Valid { keyword, kind, default })
}

/// A float bound or default: its value if literal; an error for a non-numeric literal or
/// a suffixed integer.
fn float_arg(expr: &Expr, errors: &mut Report<'_>) -> Option<f64> {
    let lit = literal(expr)?;
    match lit {
        Literal::Int { suffixed: true, .. } => {
            errors.spanned(expr, "expected a float literal, found a suffixed integer (write it as `1.0`)");
            None
        }
        Literal::Int { .. } | Literal::Float(_) => lit.number(),
        other => {
            errors.spanned(expr, format!("expected a float literal, found {}", other.article_name()));
            None
        }
    }
}

/// An integer bound, step or default: its value if literal; an error for other literals.
fn int_arg(expr: &Expr, errors: &mut Report<'_>) -> Option<i128> {
    match literal(expr)? {
        Literal::Int { value, .. } => Some(value),
        other => {
            errors.spanned(expr, format!("expected an integer literal, found {}", other.article_name()));
            None
        }
    }
}

/// The expression with an unsuffixed integer literal turned into a float literal (`1` →
/// `1.0`), so `float(0..=1)` works for `f32` and `f64` alike.
fn float_tokens(expr: &Expr) -> TokenStream {
    match expr {
        Expr::Lit(syn::ExprLit { lit: Lit::Int(i), .. }) if i.suffix().is_empty() => match i.base10_parse::<f64>() {
            Ok(x) => {
                let mut lit = proc_macro2::Literal::f64_unsuffixed(x);
                lit.set_span(i.span());
                lit.to_token_stream()
            }
            Err(_) => expr.to_token_stream(),
        },
        Expr::Unary(u) if matches!(u.op, UnOp::Neg(_)) => {
            let op = &u.op;
            let inner = float_tokens(&u.expr);
            quote::quote!(#op #inner)
        }
        _ => expr.to_token_stream(),
    }
}

//! Properties of type spellings and string signatures: what prints, parses back the same; any
//! text is a type or a typed error, whatever its nesting.

use cognate_core::{LiteralValue, MAX_TYPE_DEPTH, SignatureDesc, TypeDesc};
use proptest::prelude::*;

fn types() -> impl Strategy<Value = TypeDesc> {
    let leaf = prop_oneof![
        Just(TypeDesc::Str),
        Just(TypeDesc::Int),
        Just(TypeDesc::Float),
        Just(TypeDesc::Bool),
        proptest::collection::vec(
            prop_oneof!["[a-z ]{1,6}".prop_map(LiteralValue::Str), (-99i64..99).prop_map(LiteralValue::Int)],
            1..4
        )
        .prop_map(TypeDesc::Literal),
    ];
    leaf.prop_recursive(8, 64, 2, |inner| {
        prop_oneof![
            inner.clone().prop_map(|t| TypeDesc::List(Box::new(t))),
            inner.clone().prop_map(|t| TypeDesc::Dict(Box::new(t))),
            inner.prop_map(|t| if t.is_optional() { t } else { TypeDesc::Optional(Box::new(t)) }),
        ]
    })
}

proptest! {
    #[test]
    fn printed_types_parse_back(ty in types()) {
        let spelled = ty.to_string();
        prop_assert_eq!(TypeDesc::parse(&spelled, &[]).unwrap(), ty.clone());
        let sig = SignatureDesc::parse(&format!("question -> answer: {spelled}")).unwrap();
        prop_assert_eq!(&sig.outputs[0].ty, &ty);
    }

    #[test]
    fn any_spelling_is_a_type_or_an_error(text in "[a-zA-Z\\[\\], '\"|0-9-]{0,80}") {
        let _ = TypeDesc::parse(&text, &[]);
        let _ = SignatureDesc::parse(&format!("q -> a: {text}"));
    }

    #[test]
    fn nesting_past_the_limit_is_an_error_naming_it(extra in 1usize..2000, open in prop_oneof![Just("list["), Just("Optional["), Just("dict[str, ")]) {
        let depth = MAX_TYPE_DEPTH + extra;
        let text = format!("{}int{}", open.repeat(depth), "]".repeat(depth));
        let err = TypeDesc::parse(&text, &[]).unwrap_err().to_string();
        let limit = format!("deeper than {MAX_TYPE_DEPTH} levels");
        prop_assert!(err.contains(&limit), "{}", err);
    }
}

//! Predictor paths during a program call.
//!
//! [`Program::call`](super::Program::call) walks the program once, records where each of its
//! predictors lives (`generate_answer.predict`, `hops[1].predict`, ...) keyed by the
//! predictor's address, and runs `forward` with that map in a task-local scope. A predictor
//! called inside the scope finds its own path there, so its `lm_call` span and its trace
//! entry carry the path however the program was built — no constructor has to name its
//! predictors. The map lives only as long as the call borrows the program, so addresses
//! cannot be reused while it is in scope.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;

use super::component::ComponentExt;
use crate::predictor::Predictor;

tokio::task_local! {
    static PATHS: Arc<PathMap>;
}

/// Each predictor's path, keyed by its address.
#[derive(Debug, Default)]
pub(crate) struct PathMap {
    by_addr: HashMap<usize, String>,
}

fn addr(predictor: &Predictor) -> usize {
    std::ptr::from_ref(predictor) as usize
}

impl PathMap {
    /// The paths of every predictor under `component`, relative to it.
    pub(crate) fn of<C: ComponentExt + ?Sized>(component: &C) -> Self {
        PathMap { by_addr: component.named_predictors().into_iter().map(|(path, p)| (addr(p), path)).collect() }
    }

    fn get(&self, predictor: &Predictor) -> Option<&str> {
        self.by_addr.get(&addr(predictor)).map(String::as_str)
    }
}

/// The path of `predictor` in the program whose call is running, if any.
///
/// A [`name`](Predictor::name) that extends that path (`sub.answer` for the path `answer`)
/// wins: it was bound by an enclosing program that ran its sub-program's `call` from a plain
/// `forward`, so it names the same predictor from further out.
pub(crate) fn current_path(predictor: &Predictor) -> Option<String> {
    let path = PATHS.try_with(|paths| paths.get(predictor).map(str::to_string)).ok().flatten()?;
    match &predictor.name {
        Some(name) if extends(name, &path) => Some(name.clone()),
        _ => Some(path),
    }
}

/// Whether `longer` is `path` seen from an enclosing program: `x.path` or `x[0]path`.
fn extends(longer: &str, path: &str) -> bool {
    match longer.strip_suffix(path) {
        Some("") => true,
        Some(prefix) => prefix.ends_with('.') || path.starts_with('['),
        None => false,
    }
}

/// Where a program call runs: inside an enclosing call that already knows its predictors
/// (`Nested`, with the program's own path there), or as a new root.
pub(crate) enum Placement {
    /// Called from the `forward` of an enclosing program that contains it at `path`
    /// (`None` when it has no predictors to locate it by).
    Nested { path: Option<String> },
    /// Called on its own: its predictors' paths, to put in scope.
    Root(PathMap),
}

/// Decides where a call of `component` runs.
pub(crate) fn placement<C: ComponentExt + ?Sized>(component: &C) -> Placement {
    let own = PathMap::of(component);
    let outer = PATHS.try_with(|outer| {
        // A program found in the enclosing map is a part of the enclosing program: keep the
        // enclosing (longer) paths, and work out where this program sits from any predictor.
        let mut found = None;
        for (address, relative) in &own.by_addr {
            match outer.by_addr.get(address) {
                Some(full) => found = Some(prefix_of(full, relative)),
                None => return None,
            }
        }
        Some(found)
    });
    match outer {
        Ok(Some(path)) if !own.by_addr.is_empty() => Placement::Nested { path },
        _ => Placement::Root(own),
    }
}

/// `sub.inner` for full path `sub.inner.answer` and relative path `answer`.
fn prefix_of(full: &str, relative: &str) -> String {
    if relative == "self" {
        return full.to_string();
    }
    full.strip_suffix(relative).map(|p| p.strip_suffix('.').unwrap_or(p)).unwrap_or(full).to_string()
}

/// Runs `fut` with `paths` in scope.
pub(crate) async fn scope<F: Future>(paths: PathMap, fut: F) -> F::Output {
    PATHS.scope(Arc::new(paths), fut).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use cognate_core::SignatureDesc;

    fn predictor() -> Predictor {
        Predictor::new(SignatureDesc::parse("question -> answer").unwrap())
    }

    #[test]
    fn prefixes_strip_the_relative_path() {
        assert_eq!(prefix_of("sub.answer", "answer"), "sub");
        assert_eq!(prefix_of("a.b[0].predict", "b[0].predict"), "a");
        assert_eq!(prefix_of("hops[1]", "self"), "hops[1]");
        assert_eq!(prefix_of("x[2].predict", "[2].predict"), "x");
    }

    #[test]
    fn longer_names_extend_paths() {
        assert!(extends("sub.answer", "answer"));
        assert!(extends("answer", "answer"));
        assert!(extends("hops[0]", "[0]"));
        assert!(!extends("subanswer", "answer"));
        assert!(!extends("answer", "sub.answer"));
    }

    #[tokio::test]
    async fn a_bound_name_from_an_enclosing_program_wins() {
        let mut programs = vec![predictor(), predictor()];
        programs[0].name = Some("outer.items[0]".into());
        programs[1].name = Some("unrelated".into());
        let seen =
            scope(PathMap::of(&programs), async { (current_path(&programs[0]), current_path(&programs[1])) }).await;
        assert_eq!(seen, (Some("outer.items[0]".to_string()), Some("[1]".to_string())));
    }

    #[tokio::test]
    async fn predictors_find_their_path_only_inside_the_scope() {
        let programs = vec![predictor(), predictor()];
        assert_eq!(current_path(&programs[1]), None);
        let map = PathMap::of(&programs);
        let seen = scope(map, async { (current_path(&programs[0]), current_path(&programs[1])) }).await;
        assert_eq!(seen, (Some("[0]".to_string()), Some("[1]".to_string())));
        let stranger = predictor();
        let seen = scope(PathMap::of(&programs), async { current_path(&stranger) }).await;
        assert_eq!(seen, None, "a predictor outside the program has no path");
    }

    #[tokio::test]
    async fn a_part_of_the_running_program_is_nested() {
        let outer = vec![vec![predictor()], vec![predictor(), predictor()]];
        assert!(matches!(placement(&outer[1]), Placement::Root(_)));
        let placed = scope(PathMap::of(&outer), async { placement(&outer[1]) }).await;
        let Placement::Nested { path } = placed else { panic!("not nested") };
        assert_eq!(path.as_deref(), Some("[1]"));
        let other = vec![predictor()];
        let placed = scope(PathMap::of(&outer), async { placement(&other) }).await;
        assert!(matches!(placed, Placement::Root(_)), "an unrelated program starts its own scope");
    }
}

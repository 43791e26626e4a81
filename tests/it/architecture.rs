//! ARCHITECTURE.md kept true: its dependency graph matches the `Cargo.toml` files, and no
//! crate depends on what its invariants forbid. Reads `cargo metadata` (offline, no
//! dependency resolution).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// One workspace package's normal dependencies (not dev): workspace crates (with whether
/// each is optional) and every dependency name.
#[derive(Debug, Default)]
struct Package {
    /// Workspace crates, `true` when optional.
    internal: BTreeMap<String, bool>,
    /// Every normal or build dependency, workspace or not.
    all: BTreeSet<String>,
    /// Whether it takes `cognate-lm` with its HTTP clients (default features, `http` or
    /// `rustls`), rather than the layers alone.
    lm_http: bool,
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ is inside the workspace").to_path_buf()
}

/// The workspace's packages from `cargo metadata`.
fn packages() -> BTreeMap<String, Package> {
    let output = Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--no-deps", "--offline"])
        .current_dir(workspace_root())
        .output()
        .expect("cargo runs");
    assert!(output.status.success(), "cargo metadata failed: {}", String::from_utf8_lossy(&output.stderr));
    let metadata: Value = serde_json::from_slice(&output.stdout).expect("cargo metadata prints JSON");
    packages_from_metadata(&metadata)
}

fn packages_from_metadata(metadata: &Value) -> BTreeMap<String, Package> {
    let list = metadata["packages"].as_array().expect("a list of packages");
    let names: BTreeSet<&str> = list.iter().filter_map(|p| p["name"].as_str()).collect();
    let mut packages = BTreeMap::new();
    for package in list {
        let mut deps = Package::default();
        for dep in package["dependencies"].as_array().into_iter().flatten() {
            if dep["kind"].as_str() == Some("dev") {
                continue;
            }
            let name = dep["name"].as_str().expect("a dependency name");
            deps.all.insert(name.to_string());
            if name == "cognate-lm" {
                let features: Vec<&str> =
                    dep["features"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
                deps.lm_http |= dep["uses_default_features"].as_bool() != Some(false)
                    || features.iter().any(|f| matches!(*f, "http" | "rustls"));
            }
            if names.contains(name) {
                deps.internal.insert(name.to_string(), dep["optional"].as_bool() == Some(true));
            }
        }
        packages.insert(package["name"].as_str().expect("a package name").to_string(), deps);
    }
    packages
}

/// The graph drawn in ARCHITECTURE.md: the first fenced block after `## Dependency graph`,
/// one package per line, `name -> dep, optional-dep?, ...`.
fn documented_graph(architecture: &str) -> BTreeMap<String, BTreeMap<String, bool>> {
    let section = architecture.split("## Dependency graph").nth(1).expect("ARCHITECTURE.md has a dependency graph");
    let block = section.split("```").nth(1).expect("the graph is a fenced block");
    let mut graph = BTreeMap::new();
    for line in block.lines().skip(1).map(str::trim).filter(|l| !l.is_empty()) {
        let (name, deps) = line.split_once("->").unwrap_or((line, ""));
        let deps = deps
            .split(',')
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(|d| match d.strip_suffix('?') {
                Some(d) => (d.to_string(), true),
                None => (d.to_string(), false),
            })
            .collect();
        assert!(graph.insert(name.trim().to_string(), deps).is_none(), "{name} is drawn twice");
    }
    graph
}

/// What each library crate may depend on among the workspace crates (ARCHITECTURE.md's
/// per-crate invariants). A crate not listed here is a leaf (facade, bench, examples,
/// tests) and is checked by [`violations`] in other ways.
const ALLOWED: &[(&str, &[&str])] = &[
    ("cognate-core", &[]),
    ("cognate-macros-core", &[]),
    ("cognate-macros", &["cognate-macros-core"]),
    ("cognate-adapters", &["cognate-core"]),
    ("cognate-runtime", &["cognate-core", "cognate-adapters"]),
    ("cognate-lm", &["cognate-core"]),
    ("cognate-testing", &["cognate-core", "cognate-lm"]),
    ("cognate-eval", &["cognate-core", "cognate-runtime", "cognate-lm"]),
    ("cognate-optimize", &["cognate-core", "cognate-runtime", "cognate-eval", "cognate-lm"]),
];

/// Library crates that may use `cognate-lm`'s layers but never its HTTP clients.
const LM_LAYERS_ONLY: &[&str] = &["cognate-eval", "cognate-optimize"];

/// Third-party crates that only the named workspace crates may depend on.
const EXCLUSIVE: &[(&str, &[&str])] = &[
    ("reqwest", &["cognate-lm"]),
    ("hyper", &["cognate-testing"]),
    ("hyper-util", &["cognate-testing"]),
    ("csv", &["cognate-eval"]),
    ("indicatif", &["cognate-eval"]),
    ("syn", &["cognate-macros-core"]),
    ("quote", &["cognate-macros-core"]),
];

/// Every broken invariant, as a sentence naming the crate and the edge.
fn violations(packages: &BTreeMap<String, Package>) -> Vec<String> {
    let mut found = Vec::new();
    for (name, allowed) in ALLOWED {
        let Some(package) = packages.get(*name) else {
            found.push(format!("{name} is missing from the workspace"));
            continue;
        };
        for dep in package.internal.keys() {
            if !allowed.contains(&dep.as_str()) {
                found.push(format!("{name} must not depend on {dep} (allowed: {allowed:?})"));
            }
        }
    }
    for (name, package) in packages {
        for dep in package.internal.keys() {
            if dep == "cognate-testing" && name != "cognate-examples" {
                found.push(format!("{name} depends on cognate-testing outside dev-dependencies"));
            }
            if matches!(dep.as_str(), "cognate-bench" | "cognate-examples" | "cognate-tests") {
                found.push(format!("{name} depends on {dep}, which nothing may depend on"));
            }
            if dep == "cognate" && ALLOWED.iter().any(|(library, _)| library == name) {
                found.push(format!("library crate {name} depends on the facade"));
            }
        }
        for (dep, owners) in EXCLUSIVE {
            if package.all.contains(*dep) && !owners.contains(&name.as_str()) {
                found.push(format!("{name} depends on {dep}, which only {owners:?} may"));
            }
        }
    }
    for name in LM_LAYERS_ONLY {
        if packages.get(*name).is_some_and(|p| p.lm_http) {
            found.push(format!("{name} takes cognate-lm's HTTP clients (it may use the layers only)"));
        }
    }
    if let Some(facade) = packages.get("cognate") {
        for heavy in ["cognate-lm", "cognate-eval", "cognate-optimize"] {
            if facade.internal.get(heavy) != Some(&true) {
                found.push(format!("cognate must depend on {heavy} optionally (behind a feature)"));
            }
        }
    }
    found
}

#[test]
fn the_workspace_keeps_the_architecture_invariants() {
    let found = violations(&packages());
    assert!(found.is_empty(), "ARCHITECTURE.md invariants broken:\n{}", found.join("\n"));
}

#[test]
fn architecture_md_draws_the_dependency_graph_of_the_cargo_files() {
    let text = std::fs::read_to_string(workspace_root().join("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    let drawn = documented_graph(&text);
    let actual: BTreeMap<String, BTreeMap<String, bool>> =
        packages().into_iter().map(|(name, package)| (name, package.internal)).collect();
    for (name, deps) in &actual {
        match drawn.get(name) {
            None => panic!("ARCHITECTURE.md's dependency graph lacks {name} (it depends on {deps:?})"),
            Some(shown) => {
                assert_eq!(shown, deps, "ARCHITECTURE.md draws {name}'s dependencies wrong (`?` = optional)")
            }
        }
    }
    let extra: Vec<&String> = drawn.keys().filter(|name| !actual.contains_key(*name)).collect();
    assert!(extra.is_empty(), "ARCHITECTURE.md draws packages that do not exist: {extra:?}");
}

/// The checks themselves: a forbidden edge is reported, with the crate and the dependency.
#[test]
fn forbidden_edges_are_reported() {
    let metadata = serde_json::json!({"packages": [
        {"name": "cognate-core", "dependencies": [{"name": "cognate-runtime", "kind": null, "optional": false}]},
        {"name": "cognate-runtime", "dependencies": [
            {"name": "cognate-core", "kind": null, "optional": false},
            {"name": "cognate-testing", "kind": "dev", "optional": false},
        ]},
        {"name": "cognate-eval", "dependencies": [
            {"name": "cognate-macros", "kind": null, "optional": false},
            {"name": "reqwest", "kind": null, "optional": false},
        ]},
        {"name": "cognate-optimize", "dependencies": [
            {"name": "cognate-lm", "kind": null, "optional": false, "uses_default_features": false, "features": ["http"]},
        ]},
        {"name": "cognate-testing", "dependencies": []},
        {"name": "cognate-macros", "dependencies": []},
        {"name": "cognate", "dependencies": [
            {"name": "cognate-eval", "kind": null, "optional": true},
            {"name": "cognate-testing", "kind": null, "optional": false},
        ]},
    ]});
    let found = violations(&packages_from_metadata(&metadata));
    let has = |needle: &str| found.iter().any(|v| v.contains(needle));
    assert!(has("cognate-core must not depend on cognate-runtime"), "{found:#?}");
    assert!(has("cognate-eval must not depend on cognate-macros"), "{found:#?}");
    assert!(has("cognate-eval depends on reqwest, which only [\"cognate-lm\"] may"), "{found:#?}");
    assert!(has("cognate depends on cognate-testing outside dev-dependencies"), "{found:#?}");
    assert!(has("cognate-optimize takes cognate-lm's HTTP clients"), "{found:#?}");
    assert!(has("cognate must depend on cognate-lm optionally"), "{found:#?}");
    let about = |name: &str| found.iter().any(|v| v.starts_with(name));
    assert!(!about("cognate-runtime"), "a dev-dependency on cognate-testing is allowed: {found:#?}");
    assert!(!has("cognate must depend on cognate-eval"), "{found:#?}");
}

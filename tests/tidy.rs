//! The house rules, checked like code (STYLE.md):
//! - the domain names no runtime, store, randomness or clock (§9);
//! - layers import downwards only: `domain` names no other layer, `persistence` only the
//!   domain, `actor` no HTTP and no start-up, `http` no start-up (test-only files may reach
//!   across);
//! - only `persistence/sled_store.rs` names sled, and the server library never names the load
//!   generator's crates (they are the binary's, under `src/bin/`);
//! - no module imports another that imports it back, directly or round a longer circle (a
//!   parent's `pub use` of its children is how Rust exposes them, and is not counted);
//! - no file under `src/` is over 850 lines;
//! - no `unwrap()` or `expect(` on a request path (`src/http/`, `src/actor/`,
//!   `src/startup.rs`, outside their `#[cfg(test)]` parts);
//! - the shipped `config/default.toml` says what the built-in defaults say.
//!
//! Each rule reads the source as text, line by line, ignoring comments.
//!
//! # Caveats
//! - A rule reads names, not resolved paths: a `use` through a re-export of another layer
//!   would pass. The layers re-export nothing of each other today.
//! - The circle check resolves a braced import (`use super::{records::Snapshot, Batch}`) to
//!   the module before the brace, and does not see fully qualified paths written inline.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use holdfast::config::Config;

const FORBIDDEN: [&str; 7] = [
    "actix",
    "sled",
    "tokio",
    "rand",
    "SystemTime",
    "Instant",
    "chrono",
];

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src/domain is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            found.push(path);
        }
    }
}

/// True when `word` stands in `line` as an identifier, not inside a longer one
/// (`operand` does not name `rand`).
fn names(line: &str, word: &str) -> bool {
    line.match_indices(word).any(|(at, _)| {
        let before = line[..at].chars().next_back();
        let after = line[at + word.len()..].chars().next();
        let is_ident = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
        !is_ident(before) && !is_ident(after)
    })
}

#[test]
fn the_domain_names_no_runtime_store_randomness_or_clock() {
    let mut files = Vec::new();
    rust_files(
        Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src/domain")),
        &mut files,
    );
    assert!(files.len() > 5, "the domain's files were found");
    let mut offences = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("a readable source file");
        for (number, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for word in FORBIDDEN {
                if names(code, word) {
                    offences.push(format!(
                        "{}:{}: names {word}: {}",
                        file.display(),
                        number + 1,
                        line.trim()
                    ));
                }
            }
        }
    }
    assert!(
        offences.is_empty(),
        "the domain must stay pure:\n{}",
        offences.join("\n")
    );
}

/// Every non-comment line of the `.rs` files under `src/` (outside `skip`) that names `word`.
fn lines_naming(word: &str, skip: &[&str]) -> Vec<String> {
    let root = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src"));
    let mut files = Vec::new();
    rust_files(root, &mut files);
    let mut found = Vec::new();
    for file in files {
        let relative = file
            .strip_prefix(root)
            .expect("under src/")
            .to_string_lossy();
        if skip.iter().any(|prefix| relative.starts_with(prefix)) {
            continue;
        }
        let text = std::fs::read_to_string(&file).expect("a readable source file");
        for (number, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            if names(code, word) {
                found.push(format!("{relative}:{}: {}", number + 1, line.trim()));
            }
        }
    }
    found
}

#[test]
fn only_the_sled_store_names_sled() {
    let offences = lines_naming("sled", &["persistence/sled_store.rs"]);
    assert!(
        offences.is_empty(),
        "sled is named outside persistence/sled_store.rs:\n{}",
        offences.join("\n")
    );
}

#[test]
fn the_server_library_never_names_the_load_generator_crates() {
    let mut offences = Vec::new();
    for word in ["reqwest", "hdrhistogram", "indicatif"] {
        offences.extend(lines_naming(word, &["bin/"]));
    }
    assert!(
        offences.is_empty(),
        "the library names the load generator's crates:\n{}",
        offences.join("\n")
    );
    assert!(
        !lines_naming("reqwest", &[]).is_empty(),
        "the binary was searched"
    );
}

#[test]
fn the_word_check_ignores_longer_identifiers() {
    assert!(names("use tokio::sync;", "tokio"));
    assert!(!names("let operand = 1;", "rand"));
    assert!(!names("let instant_ish = 1;", "Instant"));
}

/// The lines of `file` before its `#[cfg(test)]` part, numbered, without comments.
fn code_lines(file: &Path) -> Vec<(usize, String)> {
    let text = std::fs::read_to_string(file).expect("a readable source file");
    text.lines()
        .enumerate()
        .take_while(|(_, line)| !line.trim_start().starts_with("#[cfg(test)]"))
        .map(|(number, line)| (number + 1, line.split("//").next().unwrap_or("").to_owned()))
        .collect()
}

fn src() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/src"))
}

/// True for a test-only file (`tests.rs`, `format_tests.rs`, anything under a `tests` or
/// `model_tests` folder): tests may reach across layers and unwrap.
fn is_test_file(file: &Path) -> bool {
    file.components().any(|part| {
        part.as_os_str()
            .to_str()
            .is_some_and(|name| name.ends_with("tests") || name.ends_with("tests.rs"))
    })
}

fn files_under(relative: &str) -> Vec<PathBuf> {
    let root = src().join(relative);
    if root.is_file() {
        return vec![root];
    }
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    files
}

#[test]
fn layers_import_downwards_only() {
    let rules: [(&str, &[&str]); 4] = [
        (
            "domain",
            &[
                "crate::actor",
                "crate::persistence",
                "crate::http",
                "crate::startup",
            ],
        ),
        (
            "persistence",
            &["crate::actor", "crate::http", "crate::startup"],
        ),
        ("actor", &["crate::http", "crate::startup"]),
        ("http", &["crate::startup"]),
    ];
    let mut offences = Vec::new();
    for (layer, forbidden) in rules {
        for file in files_under(layer).iter().filter(|file| !is_test_file(file)) {
            for (number, line) in code_lines(file) {
                for path in forbidden {
                    if line.contains(path) {
                        offences.push(format!("{}:{number}: {layer} names {path}", file.display()));
                    }
                }
            }
        }
    }
    assert!(
        offences.is_empty(),
        "a layer imports upwards:\n{}",
        offences.join("\n")
    );
}

/// The module a source file is, as a path from the crate root (`http/mod.rs` is `["http"]`).
fn module_of(file: &Path) -> Vec<String> {
    let relative = file.strip_prefix(src()).expect("under src/");
    let mut parts: Vec<String> = relative
        .with_extension("")
        .components()
        .filter_map(|part| part.as_os_str().to_str().map(str::to_owned))
        .collect();
    if parts
        .last()
        .is_some_and(|last| ["mod", "lib", "main"].contains(&last.as_str()))
    {
        parts.pop();
    }
    parts
}

/// The modules `lines` import with `use crate::…`, `use super::…` or `use self::…`, each
/// resolved to the longest prefix that is a module in `known`; `from` is the importing module.
fn imported_modules(
    from: &[String],
    lines: &[(usize, String)],
    known: &BTreeSet<Vec<String>>,
) -> BTreeSet<Vec<String>> {
    let mut found = BTreeSet::new();
    for (_, line) in lines {
        let line = line.trim_start();
        let Some(path) = ["use ", "pub use ", "pub(crate) use ", "pub(super) use "]
            .iter()
            .find_map(|start| line.strip_prefix(start))
        else {
            continue;
        };
        let segments: Vec<&str> = path
            .split("::")
            .take_while(|segment| segment.chars().all(|c| c.is_alphanumeric() || c == '_'))
            .collect();
        let (mut base, rest) = match segments.first() {
            Some(&"crate") => (Vec::new(), &segments[1..]),
            Some(&"self") => (from.to_vec(), &segments[1..]),
            Some(&"super") => {
                let mut base = from.to_vec();
                let ups = segments.iter().take_while(|s| **s == "super").count();
                base.truncate(base.len().saturating_sub(ups));
                (base, &segments[ups..])
            }
            _ => continue,
        };
        base.extend(rest.iter().map(|segment| (*segment).to_owned()));
        while !base.is_empty() && !known.contains(&base) {
            base.pop();
        }
        if !base.is_empty() && base != from {
            found.insert(base);
        }
    }
    found
}

/// A circle in `graph`, as the modules round it, if there is one.
fn find_circle(graph: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>) -> Option<Vec<String>> {
    fn visit(
        node: &Vec<String>,
        graph: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
        path: &mut Vec<Vec<String>>,
        done: &mut BTreeSet<Vec<String>>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|seen| seen == node) {
            let mut circle: Vec<String> = path[at..].iter().map(|m| m.join("::")).collect();
            circle.push(node.join("::"));
            return Some(circle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.clone());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(circle) = visit(next, graph, path, done) {
                return Some(circle);
            }
        }
        path.pop();
        done.insert(node.clone());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
}

#[test]
fn no_module_imports_one_that_imports_it_back() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    files.retain(|file| !is_test_file(file) && !file.starts_with(src().join("bin")));
    let known: BTreeSet<Vec<String>> = files.iter().map(|file| module_of(file)).collect();
    let graph: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = files
        .iter()
        .map(|file| {
            let module = module_of(file);
            let imports = imported_modules(&module, &code_lines(file), &known);
            (module, imports)
        })
        .collect();
    assert!(graph.len() > 40, "the modules were found");
    if let Some(circle) = find_circle(&graph) {
        panic!(
            "modules import each other in a circle: {}",
            circle.join(" -> ")
        );
    }
}

#[test]
fn the_circle_check_finds_a_circle_and_passes_a_tree() {
    let module = |path: &str| path.split("::").map(str::to_owned).collect::<Vec<_>>();
    let known: BTreeSet<Vec<String>> = ["http", "http::state", "http::router", "domain"]
        .iter()
        .map(|path| module(path))
        .collect();
    let state_imports = imported_modules(
        &module("http::state"),
        &[(1, "use super::router::{ROUTES, Route};".to_owned())],
        &known,
    );
    let router_imports = imported_modules(
        &module("http::router"),
        &[
            (1, "use crate::http::state::AppState;".to_owned()),
            (2, "use crate::domain::ErrorCode;".to_owned()),
        ],
        &known,
    );
    assert_eq!(state_imports, BTreeSet::from([module("http::router")]));
    let mut graph = BTreeMap::from([
        (module("http::state"), state_imports),
        (module("http::router"), router_imports),
    ]);
    assert!(find_circle(&graph).is_some(), "state -> router -> state");
    graph.insert(module("http::state"), BTreeSet::new());
    assert_eq!(find_circle(&graph), None);
}

#[test]
fn no_source_file_is_over_850_lines() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let long: Vec<String> = files
        .iter()
        .filter_map(|file| {
            let lines = std::fs::read_to_string(file).ok()?.lines().count();
            (lines > 850).then(|| format!("{} has {lines} lines", file.display()))
        })
        .collect();
    assert!(
        long.is_empty(),
        "split these files by concept:\n{}",
        long.join("\n")
    );
}

#[test]
fn nothing_on_a_request_path_unwraps() {
    let mut offences = Vec::new();
    for area in ["http", "actor", "startup.rs"] {
        for file in files_under(area).iter().filter(|file| !is_test_file(file)) {
            for (number, line) in code_lines(file) {
                if line.contains(".unwrap()") || line.contains(".expect(") {
                    offences.push(format!("{}:{number}: {}", file.display(), line.trim()));
                }
            }
        }
    }
    assert!(
        offences.is_empty(),
        "a request path may not panic on a bad value; return an error:\n{}",
        offences.join("\n")
    );
}

#[test]
fn the_shipped_config_file_equals_the_built_in_defaults() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/config/default.toml");
    let file = Config::from_file(std::path::Path::new(path)).expect("the shipped file parses");
    assert_eq!(format!("{file:?}"), format!("{:?}", Config::default()));
    file.validate().expect("the defaults are valid");
}

#[test]
fn an_out_of_range_value_fails_fast() {
    let config = Config {
        hold_seconds: 0,
        ..Config::default()
    };
    assert!(config.validate().is_err());
    let config = Config {
        admin_key: Some("short".into()),
        ..Config::default()
    };
    assert!(config.validate().is_err());
}

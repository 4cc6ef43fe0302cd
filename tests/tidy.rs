//! The house rules, checked like code (STYLE.md):
//! - the domain names no runtime, store, randomness or clock (§9);
//! - layers import downwards only: `domain` names no other layer, `persistence` only the
//!   domain, `actor` no HTTP and no start-up, `http` no start-up (test-only files may reach
//!   across);
//! - only `persistence/sled_store.rs` names sled, and the server library never names the load
//!   generator's crates (they are the binary's, under `src/bin/`);
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

//! The architecture, checked like code: the domain stays pure (STYLE.md §9). Any non-comment
//! line under `src/domain/` that names a runtime, a store, randomness or a clock fails. Only
//! `persistence/sled_store.rs` names sled, and the server library never names the load
//! generator's crates (they are the binary's, under `src/bin/`).

use std::path::Path;

const FORBIDDEN: [&str; 7] = [
    "actix",
    "sled",
    "tokio",
    "rand",
    "SystemTime",
    "Instant",
    "chrono",
];

fn rust_files(dir: &Path, found: &mut Vec<std::path::PathBuf>) {
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

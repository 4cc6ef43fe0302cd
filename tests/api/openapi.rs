//! The OpenAPI description at `/openapi.json` against what the app serves. `scripts/
//! schemathesis.sh` checks every answer against the description; these tests pin what it
//! cannot see from one request.

use reqwest::Method;

use crate::helpers::spawn_app;

#[actix_web::test]
async fn a_method_a_route_does_not_have_answers_405_naming_the_documented_methods_in_allow() {
    let app = spawn_app().await;
    let document = app.get("/openapi.json").await;
    let paths = document.assert_status(200)["paths"]
        .as_object()
        .expect("paths");
    for (path, item) in paths {
        let mut documented: Vec<String> = item
            .as_object()
            .expect("a path item")
            .keys()
            .map(|method| method.to_uppercase())
            .collect();
        documented.sort();
        let concrete = path.replace("{id}", "x").replace("{number}", "1");
        let answer = app.call(Method::PUT, &concrete, None, None).await;
        answer.assert_error(405, "invalid_request");
        let allow = answer
            .headers
            .get(reqwest::header::ALLOW)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_else(|| panic!("405 on {path} without an Allow header"));
        let mut allowed: Vec<String> = allow.split(',').map(|m| m.trim().to_owned()).collect();
        allowed.sort();
        assert_eq!(allowed, documented, "Allow of {path}");
    }
}

/// The operations `docs/API.md` documents under its `### `METHOD /path`` headings.
fn operations_in_the_guide() -> std::collections::BTreeSet<String> {
    let guide = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/API.md"))
        .expect("docs/API.md reads");
    guide
        .lines()
        .filter_map(|line| line.strip_prefix("### `"))
        .filter_map(|rest| rest.strip_suffix('`'))
        .map(str::to_owned)
        .collect()
}

#[actix_web::test]
async fn the_guide_documents_every_operation_and_only_those() {
    let app = spawn_app().await;
    let document = app.get("/openapi.json").await;
    let paths = document.assert_status(200)["paths"]
        .as_object()
        .expect("paths")
        .clone();
    let mut described = std::collections::BTreeSet::new();
    for (path, item) in &paths {
        for method in item.as_object().expect("a path item").keys() {
            described.insert(format!("{} {path}", method.to_uppercase()));
        }
    }
    let documented = operations_in_the_guide();
    let missing: Vec<&String> = described.difference(&documented).collect();
    let extra: Vec<&String> = documented.difference(&described).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "docs/API.md leaves out {missing:?} and documents {extra:?}, which /openapi.json does not describe"
    );
    assert!(described.len() >= 19, "{described:?}");
}

//! The shipped `config/default.toml` parses and says exactly what the built-in defaults say.

use holdfast::config::Config;

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

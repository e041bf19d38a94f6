//! Snapshots of the value trees that configs in the reference's style
//! convert to.

use std::path::Path;

use crate::util::{load, load_fixture};

#[test]
fn both_component_forms_and_quantity_classes_convert() {
    insta::assert_json_snapshot!(load_fixture("forms.mjs"));
}

#[test]
fn helper_modules_read_files_relative_to_their_own_url() {
    insta::assert_json_snapshot!(load_fixture("helpers.mjs"));
}

#[test]
fn node_look_alikes_behave_like_node() {
    insta::assert_json_snapshot!(load_fixture("node-apis.mjs"));
}

#[test]
fn json_configs_load_as_they_are() {
    insta::assert_json_snapshot!(load_fixture("config.json"));
}

#[test]
fn the_example_setup_loads() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../etc/example-setup/config");
    let value = load(&root.join("config.mjs")).unwrap();
    let text = value
        .to_string()
        .replace(
            root.parent()
                .unwrap()
                .canonicalize()
                .unwrap()
                .to_str()
                .unwrap(),
            "[setup]",
        )
        .replace(root.parent().unwrap().to_str().unwrap(), "[setup]");
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    insta::assert_json_snapshot!(value);
}

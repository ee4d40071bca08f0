//! The Kubernetes manifests: every overlay renders with kustomize and every object
//! validates offline against the Kubernetes schemas (and the CRD schemas in
//! deploy/crds/); a broken overlay is refused field by field.

use std::process::Command;

use crate::support::{run, workspace};

fn check(overlay: &str) -> std::process::Output {
    let root = workspace();
    Command::new("python3")
        .arg(root.join("deploy/check.py"))
        .arg(root.join(overlay))
        .output()
        .unwrap_or_else(|e| panic!("python3 deploy/check.py: {e}"))
}

#[test]
fn every_overlay_renders_and_validates() -> anyhow::Result<()> {
    let root = workspace();
    let said = run(Command::new("python3").arg(root.join("deploy/check.py")))?;

    assert!(
        said.contains("local: 24 objects of 10 kinds checked"),
        "{said}"
    );
    assert!(
        said.contains("production: 24 objects of 10 kinds checked"),
        "{said}"
    );
    assert!(said.contains("0 invalid objects"), "{said}");
    Ok(())
}

#[test]
fn a_misspelled_field_fails_validation() {
    let output = check("deploy/tests/misspelled");
    let said = String::from_utf8_lossy(&output.stdout);

    assert!(
        !output.status.success(),
        "the broken overlay passed:\n{said}"
    );
    assert!(
        said.contains("Deployment/illustrator-api: spec: Additional properties"),
        "{said}"
    );
    assert!(
        said.contains("ScaledObject/illustrator-worker: spec: Additional"),
        "{said}"
    );
    assert!(said.contains("'automatic' is not one of"), "{said}");
    assert!(said.contains("3 invalid objects"), "{said}");
}

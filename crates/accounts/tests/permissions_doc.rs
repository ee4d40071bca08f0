//! `docs/permissions.md` prints the permission table the code enforces; this keeps them in
//! step.

use std::path::PathBuf;

use illustrator_accounts::Permission;

#[test]
fn the_documented_table_is_the_one_in_the_code() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/permissions.md");
    let text = std::fs::read_to_string(&path).unwrap_or_default();

    let rows: Vec<Vec<String>> = text
        .lines()
        .filter(|line| line.starts_with("| `"))
        .map(|line| {
            line.split('|')
                .map(|cell| cell.trim().trim_matches('`').to_owned())
                .filter(|cell| !cell.is_empty())
                .collect()
        })
        .collect();

    let documented: Vec<(String, String, String)> = rows
        .iter()
        .map(|row| (row[0].clone(), row[1].clone(), row[2].clone()))
        .collect();
    let coded: Vec<(String, String, String)> = Permission::ALL
        .iter()
        .map(|p| {
            let (name, role, scope) = (p.name(), p.role().as_str(), p.scope().as_str());
            (name.to_owned(), role.to_owned(), scope.to_owned())
        })
        .collect();

    assert_eq!(
        documented,
        coded,
        "{} differs from Permission",
        path.display()
    );
}

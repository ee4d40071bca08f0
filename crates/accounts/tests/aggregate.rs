//! The Account aggregate's decisions: given past events, when a command, then events or an
//! error.

use chrono::{TimeZone, Utc};
use cqrs_es::test::TestFramework;
use illustrator_accounts::{
    Account, AccountCommand, AccountError, AccountEvent, AccountId, CommandContext, IssueApiKey,
    KeyId, Register, Role, Scope,
};

fn ctx() -> CommandContext {
    CommandContext {
        actor: "actor".into(),
        correlation_id: "req-1".into(),
        at: Utc
            .with_ymd_and_hms(2026, 12, 4, 10, 0, 0)
            .single()
            .unwrap_or_default(),
    }
}

fn id() -> AccountId {
    AccountId::bootstrap()
}

fn register(verified: bool) -> AccountCommand {
    AccountCommand::Register(
        ctx(),
        Box::new(Register {
            account_id: id(),
            email: "ada@example.org".into(),
            password_hash: Some("$argon2id$stub".into()),
            role: Role::User,
            via: "password".into(),
            verified,
        }),
    )
}

fn registered() -> Vec<AccountEvent> {
    vec![AccountEvent::UserRegistered {
        meta: ctx().meta(),
        account_id: id(),
        email: "ada@example.org".into(),
        password_hash: Some("$argon2id$stub".into()),
        role: Role::User,
        via: "password".into(),
    }]
}

fn key(name: &str, key_id: &str) -> AccountCommand {
    AccountCommand::IssueApiKey(
        ctx(),
        IssueApiKey {
            key_id: KeyId(key_id.into()),
            name: name.into(),
            scopes: vec![Scope::Read, Scope::Read, Scope::Illustrate],
            secret_sha256: "00ff".into(),
        },
    )
}

#[test]
fn registration_records_the_user_and_a_known_address_is_verified_at_once() {
    TestFramework::<Account>::with(())
        .given_no_previous_events()
        .when(register(false))
        .then_expect_events(registered());

    let mut verified = registered();
    verified.push(AccountEvent::EmailVerified { meta: ctx().meta() });
    TestFramework::<Account>::with(())
        .given_no_previous_events()
        .when(register(true))
        .then_expect_events(verified);
}

#[test]
fn an_account_is_registered_once() {
    TestFramework::<Account>::with(())
        .given(registered())
        .when(register(false))
        .then_expect_error(AccountError::AlreadyRegistered);
}

#[test]
fn commands_on_an_account_never_registered_are_not_found() {
    TestFramework::<Account>::with(())
        .given_no_previous_events()
        .when(AccountCommand::VerifyEmail(ctx()))
        .then_expect_error(AccountError::NotFound);
}

#[test]
fn verifying_twice_changes_nothing_the_second_time() {
    let mut history = registered();
    history.push(AccountEvent::EmailVerified { meta: ctx().meta() });
    TestFramework::<Account>::with(())
        .given(history)
        .when(AccountCommand::VerifyEmail(ctx()))
        .then_expect_events(Vec::new());
}

#[test]
fn a_key_is_issued_with_sorted_distinct_scopes_and_a_trimmed_name() {
    TestFramework::<Account>::with(())
        .given(registered())
        .when(key("  laptop ", "abcdefgh01234567"))
        .then_expect_events(vec![AccountEvent::ApiKeyIssued {
            meta: ctx().meta(),
            key_id: KeyId("abcdefgh01234567".into()),
            name: "laptop".into(),
            scopes: vec![Scope::Read, Scope::Illustrate],
            secret_sha256: "00ff".into(),
        }]);
}

#[test]
fn a_key_needs_a_name_and_a_scope() {
    TestFramework::<Account>::with(())
        .given(registered())
        .when(key("  ", "abcdefgh01234567"))
        .then_expect_error(AccountError::BadKeyName);

    TestFramework::<Account>::with(())
        .given(registered())
        .when(AccountCommand::IssueApiKey(
            ctx(),
            IssueApiKey {
                key_id: KeyId("abcdefgh01234567".into()),
                name: "ci".into(),
                scopes: Vec::new(),
                secret_sha256: "00".into(),
            },
        ))
        .then_expect_error(AccountError::NoScopes);
}

#[test]
fn a_disabled_account_gets_no_new_key() {
    let mut history = registered();
    history.push(AccountEvent::UserDisabled { meta: ctx().meta() });
    TestFramework::<Account>::with(())
        .given(history)
        .when(key("ci", "abcdefgh01234567"))
        .then_expect_error(AccountError::Disabled);
}

#[test]
fn revoking_an_unknown_key_is_refused_and_a_revoked_one_changes_nothing() {
    TestFramework::<Account>::with(())
        .given(registered())
        .when(AccountCommand::RevokeApiKey(ctx(), KeyId("nope".into())))
        .then_expect_error(AccountError::NoSuchKey);

    let issued = TestFramework::<Account>::with(())
        .given(registered())
        .when(key("ci", "abcdefgh01234567"))
        .inspect_result()
        .unwrap_or_default();
    let mut history = registered();
    history.extend(issued);
    history.push(AccountEvent::ApiKeyRevoked {
        meta: ctx().meta(),
        key_id: KeyId("abcdefgh01234567".into()),
    });
    TestFramework::<Account>::with(())
        .given(history)
        .when(AccountCommand::RevokeApiKey(
            ctx(),
            KeyId("abcdefgh01234567".into()),
        ))
        .then_expect_events(Vec::new());
}

#[test]
fn a_role_or_access_change_to_the_current_value_records_nothing() {
    TestFramework::<Account>::with(())
        .given(registered())
        .when(AccountCommand::ChangeRole(ctx(), Role::User))
        .then_expect_events(Vec::new());

    TestFramework::<Account>::with(())
        .given(registered())
        .when(AccountCommand::SetDisabled(ctx(), false))
        .then_expect_events(Vec::new());

    TestFramework::<Account>::with(())
        .given(registered())
        .when(AccountCommand::ChangeRole(ctx(), Role::Admin))
        .then_expect_events(vec![AccountEvent::RoleChanged {
            meta: ctx().meta(),
            role: Role::Admin,
        }]);
}

#[test]
fn a_password_change_ends_the_sessions_made_before_it() {
    let mut account = Account::default();
    for event in registered() {
        cqrs_es::Aggregate::apply(&mut account, event);
    }
    let before = account.session_epoch;

    cqrs_es::Aggregate::apply(
        &mut account,
        AccountEvent::PasswordChanged {
            meta: ctx().meta(),
            password_hash: "$argon2id$new".into(),
        },
    );
    assert_eq!(account.session_epoch, before + 1);
    assert_eq!(account.password_hash.as_deref(), Some("$argon2id$new"));
}

#[test]
fn an_identity_is_linked_once() {
    let link = || AccountCommand::LinkIdentity {
        ctx: ctx(),
        provider: "github".into(),
        subject: "42".into(),
    };
    let mut history = registered();
    history.push(AccountEvent::IdentityLinked {
        meta: ctx().meta(),
        provider: "github".into(),
        subject: "42".into(),
    });
    TestFramework::<Account>::with(())
        .given(history)
        .when(link())
        .then_expect_events(Vec::new());
}

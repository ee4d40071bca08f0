//! The Usage aggregate: given events, when a command, then events or a refusal.

use chrono::{NaiveDate, TimeZone, Utc};
use cqrs_es::Aggregate;
use cqrs_es::event_sink::EventSink;
use illustrator_analysis::Source;
use illustrator_billing::{
    Account, CommandContext, MilliFen, Record, Reserve, ReservedJob, Usage, UsageCommand,
    UsageError, UsageEvent,
};

fn ctx() -> CommandContext {
    CommandContext {
        actor: "u1".into(),
        correlation_id: "c".into(),
        at: Utc
            .with_ymd_and_hms(2026, 12, 4, 3, 0, 0)
            .single()
            .expect("test step"),
    }
}

fn account() -> Account {
    Account {
        user: "u1".into(),
        plan: "free".into(),
        month: "2026-12".into(),
        day: NaiveDate::from_ymd_opt(2026, 12, 4).expect("test step"),
    }
}

fn reserve(jobs: &[&str], amount: i64, limit: u32, budget: i64) -> UsageCommand {
    let jobs = jobs
        .iter()
        .map(|id| ReservedJob {
            job_id: (*id).into(),
            amount: MilliFen(amount),
        })
        .collect();
    UsageCommand::Reserve(
        ctx(),
        Reserve {
            account: account(),
            jobs,
            daily_limit: Some(limit),
            monthly_budget: Some(MilliFen(budget)),
        },
    )
}

async fn run(usage: &mut Usage, command: UsageCommand) -> Result<Vec<UsageEvent>, UsageError> {
    let sink = EventSink::default();
    usage.handle(command, &(), &sink).await?;
    Ok(sink.collect().await)
}

#[tokio::test]
async fn a_reservation_past_the_daily_limit_is_refused_whole() {
    let mut usage = Usage::default();
    run(&mut usage, reserve(&["a", "b", "c"], 0, 4, 0))
        .await
        .expect("test step");

    let refused = run(&mut usage, reserve(&["d", "e"], 0, 4, 0)).await;
    assert!(matches!(
        refused,
        Err(UsageError::DailyLimit {
            limit: 4,
            used: 3,
            asked: 2,
            ..
        })
    ));
    assert_eq!(usage.day(account().day).reserved, 3);
}

#[tokio::test]
async fn the_monthly_budget_counts_held_and_spent_money() {
    let mut usage = Usage::default();
    run(&mut usage, reserve(&["a"], 40_000, 100, 50_000))
        .await
        .expect("test step");

    let refused = run(&mut usage, reserve(&["b"], 40_000, 100, 50_000)).await;
    assert!(matches!(refused, Err(UsageError::MonthlyBudget { .. })));

    let fits = run(&mut usage, reserve(&["c"], 10_000, 100, 50_000))
        .await
        .expect("test step");
    assert_eq!(fits.len(), 1);
}

#[tokio::test]
async fn a_released_picture_gives_its_place_back_once() {
    let mut usage = Usage::default();
    run(&mut usage, reserve(&["a", "b"], 0, 2, 0))
        .await
        .expect("test step");

    let release = UsageCommand::Release(ctx(), "a".into(), "failed".into());
    assert_eq!(
        run(&mut usage, release.clone())
            .await
            .expect("test step")
            .len(),
        1
    );
    assert!(
        run(&mut usage, release)
            .await
            .expect("test step")
            .is_empty()
    );
    assert_eq!(
        run(&mut usage, reserve(&["c"], 0, 2, 0))
            .await
            .expect("test step")
            .len(),
        1
    );
}

#[tokio::test]
async fn a_recorded_job_is_billed_once() {
    let mut usage = Usage::default();
    run(&mut usage, reserve(&["a"], 500, 2, 10_000))
        .await
        .expect("test step");
    let record = UsageCommand::Record(
        ctx(),
        Record {
            account: account(),
            job_id: "a".into(),
            source: Source::Doubao,
            unit: MilliFen(500),
        },
    );

    assert_eq!(
        run(&mut usage, record.clone())
            .await
            .expect("test step")
            .len(),
        1
    );
    assert!(run(&mut usage, record).await.expect("test step").is_empty());
    assert_eq!(usage.spent, MilliFen(500));
    assert_eq!(usage.held, MilliFen(0));
    assert_eq!(usage.day(account().day).used, 1);
}

#[tokio::test]
async fn a_replayed_reservation_changes_nothing() {
    let mut usage = Usage::default();
    run(&mut usage, reserve(&["a", "b"], 0, 2, 0))
        .await
        .expect("test step");

    assert!(
        run(&mut usage, reserve(&["a", "b"], 0, 2, 0))
            .await
            .expect("test step")
            .is_empty()
    );
}
